// The overview (GET /api/stats): problems in words at the top, cards
// of counts, events per hour stacked by state or platform (24 h or 7
// days) and the processing latency.  It refreshes itself every 10 s
// while the tab is visible, in place (the charts get new data, the
// cards new text), until paused.  When it is first fully drawn it sets
// the performance mark "overview-drawn".
import { api, el, showAlert } from './api.js';
import { frame } from './frame.js';
import { StackedBars, Histogram } from './chart.js';
import {
	STATES, PLATFORMS, STATE_COLOR, PLATFORM_COLOR, stateName, platformName,
	num, duration, agoMs, msText, pageLink,
} from './ops.js';

const $ = (id) => document.getElementById(id);
const EVERY_MS = 10000;

await frame('index.html');

let range = '24h';
let by = 'state';
let paused = false;
let timer = null;
let loading = false;
let hourly = null;   // the StackedBars of the current `by`
let latency = null;
let drawn = false;
let last = null;

const setText = (id, v) => { const e = $(id); if (e.textContent !== v) e.textContent = v; };

function problems(list) {
	const ul = $('problems');
	const items = Array.isArray(list) ? list : [];
	ul.replaceChildren();
	if (!items.length) {
		ul.append(el('li', { className: 'problem problem-ok' }, 'No problems: webhooks arrive and nothing is stuck.'));
		return;
	}
	for (const p of items) {
		const sev = p && p.severity === 'error' ? 'error' : 'warn';
		const li = el('li', { className: `problem problem-${sev}` },
			el('span', { className: 'visually-hidden' }, sev === 'error' ? 'Error: ' : 'Warning: '),
			el('span', {}, String((p && p.text) || '')));
		const href = pageLink(p && p.link);
		if (href) li.append(' ', el('a', { href }, 'Show'));
		ul.append(li);
	}
}

function platforms(ev) {
	const by = (ev && ev.by_platform) || {};
	const tb = $('ev-platforms');
	const rows = PLATFORMS.filter((p) => by[p]);
	if (tb.children.length !== rows.length) {
		tb.replaceChildren(...rows.map((p) => el('tr', { id: `ev-p-${p}` },
			el('th', { scope: 'row' }, el('a', { href: `events.html?platform=${p}` }, platformName(p))),
			el('td', { className: 'num' }), el('td', { className: 'num' }), el('td', { className: 'num' }))));
	}
	rows.forEach((p, i) => {
		const tds = tb.children[i].querySelectorAll('td');
		const v = by[p];
		tds[0].textContent = num(v.today);
		tds[1].textContent = num(v.last_hour);
		tds[2].textContent = num(v.total);
	});
}

function channels(list, nowMs) {
	const ul = $('channels');
	const items = Array.isArray(list) ? list : [];
	ul.replaceChildren();
	if (!items.length) {
		ul.append(el('li', { className: 'muted' }, 'No channel is connected.'));
		return;
	}
	for (const c of items) {
		const id = Number.isSafeInteger(c.id) ? c.id : null;
		const name = String(c.name || c.meta_id || '');
		const lastMs = typeof c.last_event_at === 'number' ? c.last_event_at * 1000 : null;
		ul.append(el('li', {},
			id ? el('a', { href: `events.html?channel=${id}` }, name) : el('span', {}, name),
			' ', el('span', { className: 'muted small' }, platformName(c.platform)),
			el('span', { className: 'channel-last small' }, lastMs ? `last event ${agoMs(lastMs, nowMs)}` : 'no event yet')));
	}
}

function drawHourly(data) {
	const keys = by === 'state'
		? STATES.map((s) => [s, stateName(s), STATE_COLOR[s]])
		: PLATFORMS.map((p) => [p, platformName(p), PLATFORM_COLOR[p]]);
	if (!hourly || hourly.by !== by) {
		if (hourly) hourly.destroy();
		hourly = new StackedBars($('chart-hourly'), keys);
		hourly.by = by;
	}
	const hours = Array.isArray(data.hourly) ? data.hourly : [];
	const xs = hours.map((h) => Math.round(h.hour_ms / 1000));
	const rows = keys.map(([k]) => hours.map((h) => Number((h[by] || {})[k]) || 0));
	hourly.update(xs, rows);
	const total = hours.reduce((a, h) => a + (Number(h.total) || 0), 0);
	let peak = null;
	for (const h of hours) if (!peak || h.total > peak.total) peak = h;
	setText('hourly-cap', `${num(total)} events in the last ${range === '7d' ? '7 days' : '24 hours'}`
		+ (peak && peak.total > 0 ? `; the busiest hour (${new Date(peak.hour_ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}) had ${num(peak.total)}.` : '.'));
}

function latencyLabels(le) {
	const out = le.map((v) => `≤ ${msText(v)}`);
	out.push(`> ${msText(le[le.length - 1])}`);
	return out;
}

function drawLatency(lat) {
	const le = Array.isArray(lat && lat.le_ms) ? lat.le_ms : [];
	const counts = Array.isArray(lat && lat.counts) ? lat.counts.map((c) => Number(c) || 0) : [];
	if (!latency) latency = new Histogram($('chart-latency'), '#0f766e');
	const labels = le.length ? latencyLabels(le) : [];
	latency.update(labels, counts.slice(0, labels.length));
	const n = counts.reduce((a, c) => a + c, 0);
	setText('lat-pct', n ? `p50 ${msText(lat.p50_ms)} · p95 ${msText(lat.p95_ms)} · p99 ${msText(lat.p99_ms)}` : '');
	setText('lat-cap', n
		? `Time from the 200 to processed, for ${num(n)} events processed in the ${range === '7d' ? 'last 7 days' : 'last 24 hours'}.`
		: `No event was processed in the ${range === '7d' ? 'last 7 days' : 'last 24 hours'}.`);
}

function draw(d) {
	const ev = d.events || {};
	const q = d.queue || {};
	const l24 = d.last_24h || {};
	problems(d.problems);
	setText('ev-today', num(ev.today));
	setText('ev-hour', num(ev.last_hour));
	setText('ev-total', num(ev.total));
	platforms(ev);
	setText('q-pending', num(q.pending));
	setText('q-processing', num(q.processing));
	setText('q-failed', num(q.failed));
	setText('q-dead', num(q.dead_letters ?? q.dead_letter));
	setText('q-processed', num(q.processed));
	setText('q-invalid', num(q.invalid));
	setText('q-oldest', typeof q.oldest_pending_age_s === 'number' ? duration(q.oldest_pending_age_s) : 'none');
	setText('r-sig', num(l24.bad_signature));
	setText('r-invalid', num(l24.invalid));
	setText('r-unrouted', num(l24.unrouted));
	setText('unhandled', num(d.unhandled_kinds));
	channels(d.channels, typeof d.now_ms === 'number' ? d.now_ms : Date.now());
	drawHourly(d);
	drawLatency(d.latency);
}

async function load() {
	if (loading) return;
	loading = true;
	try {
		const d = await api('GET', `stats?range=${range}`);
		last = d;
		showAlert($('alert'), '');
		draw(d);
		setText('updated', `Updated ${new Date().toLocaleTimeString()}`);
		if (!drawn) {
			drawn = true;
			performance.mark('overview-drawn');
		}
		$('main').dataset.loads = String(Number($('main').dataset.loads || 0) + 1);
	} catch (e) {
		showAlert($('alert'), `The figures cannot be read: ${e.message}`);
	} finally {
		loading = false;
	}
}

function schedule() {
	clearTimeout(timer);
	timer = null;
	if (paused || document.visibilityState !== 'visible') return;
	timer = setTimeout(async () => { await load(); schedule(); }, EVERY_MS);
}

$('pause').addEventListener('click', () => {
	paused = !paused;
	$('pause').setAttribute('aria-pressed', String(paused));
	$('pause').textContent = paused ? 'Resume updates' : 'Pause updates';
	if (!paused) load().then(schedule);
	else { schedule(); setText('updated', `Paused; ${$('updated').textContent.replace(/^Paused; /, '')}`); }
});

document.addEventListener('visibilitychange', () => {
	if (document.visibilityState === 'visible' && !paused) load().then(schedule);
	else schedule();
});

function press(group, btn) {
	for (const b of group.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b === btn));
}
for (const b of document.querySelectorAll('[data-range]')) {
	b.addEventListener('click', () => {
		if (range === b.dataset.range) return;
		range = b.dataset.range;
		press(b.parentElement, b);
		load().then(schedule);
	});
}
for (const b of document.querySelectorAll('[data-by]')) {
	b.addEventListener('click', () => {
		if (by === b.dataset.by) return;
		by = b.dataset.by;
		press(b.parentElement, b);
		if (last) drawHourly(last);
	});
}

await load();
schedule();
