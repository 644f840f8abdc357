// Events (GET /api/events): filters kept in the page's URL, the list
// newest first, 50 at a time ("Older" follows the answer's cursor), and
// the count when the API can tell it.  Admins select failed and
// dead-letter events and requeue them, requeue every dead letter of the
// filter, or replay a time range: each first asks the API how many it
// would touch (a dry run) and then asks, inside the page, to confirm
// that count.  With unrouted events shown, the operator may connect
// their account by hand (POST /api/channels; operators only).
import { api, el, showAlert } from './api.js';
import { frame, allowed, operator } from './frame.js';
import {
	STATES, PLATFORMS, ROUTINGS, stateBadge, platformBadge, shortMs, whenMs, num, eventLink, confirmIn,
} from './ops.js';
import { connectForm } from './connect.js';
import { stack } from './list.js';

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const s = await frame('events.html');
const admin = allowed(s, 'admin');
const op = admin && operator(s);	// connects accounts by hand (connect.js)

let next = null;
let seq = 0;   // the latest load; older answers are dropped
const selected = new Set();

// --- filters <-> URL <-> form -----------------------------------------

// The local date and time of ms as a datetime-local value.
function toLocal(ms) {
	const d = new Date(ms);
	if (Number.isNaN(d.getTime())) return '';
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
function fromLocal(v) {
	if (!v) return null;
	const t = new Date(v).getTime();
	return Number.isFinite(t) ? t : null;
}

// The filters of a URL query, each checked: unknown values are dropped.
function fromQuery(search) {
	const q = new URLSearchParams(search);
	const f = {};
	const pick = (k, ok) => { const v = q.get(k); if (v && ok(v)) f[k] = v; };
	pick('state', (v) => STATES.includes(v));
	pick('platform', (v) => PLATFORMS.includes(v));
	pick('routing', (v) => ROUTINGS.includes(v));
	pick('channel', (v) => /^[1-9][0-9]{0,15}$/.test(v));
	pick('since', (v) => /^[0-9]{1,16}$/.test(v));
	pick('until', (v) => /^[0-9]{1,16}$/.test(v));
	pick('q', (v) => v.length <= 200);
	return f;
}

function toForm(f) {
	$('f-state').value = f.state || '';
	$('f-platform').value = f.platform || '';
	$('f-routing').value = f.routing || '';
	$('f-q').value = f.q || '';
	$('f-since').value = f.since ? toLocal(Number(f.since)) : '';
	$('f-until').value = f.until ? toLocal(Number(f.until)) : '';
	// The channel list may not be there yet: keep the wish.
	$('f-channel').dataset.want = f.channel || '';
	$('f-channel').value = f.channel || '';
}

function fromForm() {
	const f = {};
	for (const k of ['state', 'platform', 'routing', 'channel']) {
		const v = $(`f-${k}`).value;
		if (v) f[k] = v;
	}
	const since = fromLocal($('f-since').value);
	const until = fromLocal($('f-until').value);
	if (since !== null) f.since = String(since);
	if (until !== null) f.until = String(until);
	const q = $('f-q').value.trim().replace(/^#(?=[0-9]+$)/, '');
	if (q) f.q = q;
	return f;
}

function query(f, extra = {}) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries({ ...f, ...extra })) if (v !== undefined && v !== null && v !== '') q.set(k, v);
	return q.toString();
}

let filters = fromQuery(location.search);

// --- the channels of the filter ---------------------------------------

async function loadChannels() {
	try {
		const d = await api('GET', 'channels');
		const sel = $('f-channel');
		const want = sel.dataset.want || '';
		for (const c of (d && Array.isArray(d.channels) ? d.channels : [])) {
			if (!Number.isSafeInteger(c.id)) continue;
			sel.append(el('option', { value: String(c.id) }, `${c.name || c.meta_id || `#${c.id}`}`));
		}
		sel.value = want;
		if (sel.value !== want) sel.append(el('option', { value: want, selected: true }, `Channel #${want}`));
	} catch (e) {
		showAlert($('alert'), `The channels cannot be read: ${e.message}`);
	}
}

// --- the list ------------------------------------------------------------

function size(n) {
	if (typeof n !== 'number') return '';
	if (n < 1024) return `${n} B`;
	if (n < 1048576) return `${+(n / 1024).toFixed(1)} KiB`;
	return `${+(n / 1048576).toFixed(1)} MiB`;
}

const requeueable = (e) => e.state === 'failed' || e.state === 'dead_letter';

function row(e) {
	const tr = el('tr', { 'data-id': String(e.id) });
	if (admin) {
		const box = el('input', {
			type: 'checkbox', className: 'sel',
			'aria-label': `Select event ${e.id}`, disabled: !requeueable(e),
			checked: selected.has(e.id),
		});
		box.addEventListener('change', () => {
			if (box.checked) selected.add(e.id); else selected.delete(e.id);
			selection();
		});
		tr.append(el('td', { className: 'sel-col' }, box));
	}
	const err = String(e.last_error || '');
	tr.append(
		el('td', {}, eventLink(e.id)),
		el('td', { className: 'nowrap', title: whenMs(e.received_ms) }, shortMs(e.received_ms)),
		el('td', {}, platformBadge(e.platform)),
		el('td', {}, String(e.channel_name || (e.routing === 'unrouted' ? 'unrouted' : ''))),
		el('td', {}, stateBadge(e.state), e.test === true ? ' ' : '', e.test === true ? el('span', { className: 'badge', 'data-test': '' }, 'test') : ''),
		el('td', { className: 'num' }, num(e.attempts)),
		el('td', { className: 'num nowrap' }, size(e.size)),
		el('td', { className: 'error-cell', title: err }, err),
	);
	return tr;
}

async function load(more) {
	const my = ++seq;
	const extra = { limit: PAGE };
	if (more && next) extra.cursor = next;
	$('older').disabled = true;
	let d;
	try {
		d = await api('GET', `events?${query(filters, extra)}`);
	} catch (e) {
		if (my !== seq) return;
		showAlert($('alert'), e.message);
		$('older').disabled = false;
		return;
	}
	if (my !== seq) return;
	showAlert($('alert'), '');
	const list = d && Array.isArray(d.events) ? d.events : [];
	const tb = $('events');
	if (!more) {
		tb.replaceChildren();
		selected.clear();
	}
	for (const e of list) if (Number.isSafeInteger(e.id)) tb.append(row(e));
	if (!tb.children.length) {
		tb.append(el('tr', {}, el('td', { className: 'empty', colSpan: admin ? 9 : 8 }, 'No event matches these filters.')));
	}
	stack(tb);
	next = d && typeof d.next === 'string' && d.next ? d.next : null;
	$('older').hidden = !next;
	$('older').disabled = false;
	if (!more) {
		const c = d ? d.count : null;
		$('count').textContent = typeof c === 'number' ? `${num(c)} event${c === 1 ? '' : 's'}` : '';
	}
	selection();
	$('connect-box').hidden = !(op && filters.routing === 'unrouted');
}

function selection() {
	if (!admin) return;
	const n = selected.size;
	$('sel-count').textContent = n ? `${n} selected` : '';
	const b = $('requeue-sel');
	if (b) b.disabled = n === 0;
	const boxes = [...document.querySelectorAll('#events input.sel:not(:disabled)')];
	$('sel-all').checked = boxes.length > 0 && boxes.every((x) => x.checked);
	$('sel-all').disabled = boxes.length === 0;
}

// --- actions (admins) ----------------------------------------------------

function say(id, text, kind = 'ok') {
	showAlert($(id), text, kind);
}

// dryRunThen(box, path, body, what): ask how many body would touch, then
// ask to confirm that count in box, then do it with confirm: count.
async function dryRunThen(box, path, body, what, resultId) {
	let n;
	try {
		const r = await api('POST', path, body);
		n = r && typeof r.count === 'number' ? r.count : 0;
	} catch (e) {
		say(resultId, e.message, 'error');
		return;
	}
	if (n === 0) {
		say(resultId, `No ${what.plural} to do: nothing matches.`, 'warn');
		return;
	}
	await confirmIn(box, `${what.verb} ${num(n)} ${n === 1 ? what.one : what.plural}?`, `Yes, ${what.verb.toLowerCase()} ${num(n)}`, async () => {
		try {
			const r = await api('POST', path, { ...body, confirm: n });
			const done = r && typeof r.requeued === 'number' ? r.requeued : r && typeof r.replayed === 'number' ? r.replayed : n;
			say(resultId, `${what.done} ${num(done)} ${done === 1 ? what.one : what.plural}.`);
		} catch (e) {
			say(resultId, e.message, 'error');
		}
		await load(false);
	});
}

const filterBody = () => {
	const f = {};
	for (const k of ['platform', 'routing']) if (filters[k]) f[k] = filters[k];
	for (const k of ['channel', 'since', 'until']) if (filters[k]) f[k] = Number(filters[k]);
	return f;
};

if (admin) {
	$('bulk').hidden = false;
	$('replay-box').hidden = false;
	for (const c of document.querySelectorAll('.sel-col')) c.hidden = false;
	$('sel-all').addEventListener('change', () => {
		for (const b of document.querySelectorAll('#events input.sel:not(:disabled)')) {
			b.checked = $('sel-all').checked;
			const id = Number(b.closest('tr').dataset.id);
			if (b.checked) selected.add(id); else selected.delete(id);
		}
		selection();
	});
	$('requeue-sel').addEventListener('click', () => dryRunThen($('requeue-sel-box'), 'events/requeue',
		{ ids: [...selected] }, { verb: 'Requeue', one: 'event', plural: 'events', done: 'Requeued' }, 'bulk-result'));
	$('requeue-all').addEventListener('click', () => dryRunThen($('requeue-all-box'), 'events/requeue',
		{ filter: { ...filterBody(), state: 'dead_letter' } },
		{ verb: 'Requeue', one: 'dead letter', plural: 'dead letters', done: 'Requeued' }, 'bulk-result'));
	$('replay').addEventListener('submit', (ev) => {
		ev.preventDefault();
		const since = fromLocal($('rp-since').value);
		const until = fromLocal($('rp-until').value);
		if (since === null || until === null || until <= since) {
			say('replay-result', 'Choose a start and a later end.', 'error');
			return;
		}
		dryRunThen($('replay-btn-box'), 'events/replay', { since, until },
			{ verb: 'Replay', one: 'processed event', plural: 'processed events', done: 'Replayed' }, 'replay-result');
	});
	connectForm({
		form: $('connect'), kind: $('c-kind'), meta: $('c-meta'), name: $('c-name'),
		submit: $('c-submit'), result: $('connect-result'), alert: $('alert'),
		done: () => load(false),
	});
}

// --- wiring ----------------------------------------------------------------

$('filters').addEventListener('submit', (ev) => {
	ev.preventDefault();
	filters = fromForm();
	const qs = query(filters);
	history.pushState(null, '', qs ? `events.html?${qs}` : 'events.html');
	load(false);
});
$('clear').addEventListener('click', () => {
	filters = {};
	toForm(filters);
	history.pushState(null, '', 'events.html');
	load(false);
});
$('older').addEventListener('click', () => load(true));
window.addEventListener('popstate', () => {
	filters = fromQuery(location.search);
	toForm(filters);
	load(false);
});

toForm(filters);
if (filters.platform && op) {
	const k = { messenger: 'page', instagram: 'instagram', whatsapp: 'whatsapp' }[filters.platform];
	if (k) $('c-kind').value = k;
}
await Promise.all([loadChannels(), load(false)]);
