// One event (GET /api/events/{id}): its metadata, attempts, the raw
// body (pretty-printed when it is JSON, collapsible, with a download of
// the exact bytes, which a truncated body needs), and what it became.
// Admins retry a failed or dead-letter event; owners delete it (asked
// first, inside the page); an unrouted event's account can be
// connected by hand.  The body is hostile data: it only ever becomes
// text, and bidirectional-text controls in it are shown as escapes.
import { api, el, showAlert } from './api.js';
import { frame, allowed, operator } from './frame.js';
import {
	stateBadge, platformBadge, routingBadge, whenMs, num, confirmIn, KIND_OF,
} from './ops.js';
import { connectForm } from './connect.js';

const $ = (id) => document.getElementById(id);
const s = await frame('events.html');

const raw = new URLSearchParams(location.search).get('id') || '';
const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : null;

// Characters that reorder or hide text (bidirectional controls, zero
// width marks): shown as \uXXXX, which in JSON is the same string.
const CONTROLS = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

// bodyNodes(text): text nodes, with the controls as marked escapes.
function bodyNodes(text) {
	const out = [];
	let at = 0;
	for (const m of text.matchAll(CONTROLS)) {
		if (m.index > at) out.push(document.createTextNode(text.slice(at, m.index)));
		const code = m[0].charCodeAt(0).toString(16).padStart(4, '0');
		out.push(el('span', { className: 'ctl', title: 'a control character' }, `\\u${code}`));
		at = m.index + m[0].length;
	}
	if (at < text.length) out.push(document.createTextNode(text.slice(at)));
	return out;
}

function pretty(e) {
	const body = typeof e.body === 'string' ? e.body : '';
	if (e.body_json && !e.body_truncated) {
		try { return { text: JSON.stringify(JSON.parse(body), null, 2), json: true }; } catch { /* as is */ }
	}
	return { text: body, json: false };
}

function dd(label, ...value) {
	return [el('dt', {}, label), el('dd', {}, ...value)];
}

function list(v) {
	return Array.isArray(v) && v.length ? v.map(String).join(', ') : '–';
}

function meta(e) {
	const chans = Array.isArray(e.channels) ? e.channels : [];
	const chanNodes = [];
	for (const c of chans) {
		if (chanNodes.length) chanNodes.push(', ');
		chanNodes.push(Number.isSafeInteger(c.id)
			? el('a', { href: `events.html?channel=${c.id}` }, String(c.name || `#${c.id}`))
			: String(c.name || ''));
	}
	$('meta').replaceChildren(
		...dd('State', stateBadge(e.state), e.test === true ? ' ' : '', e.test === true ? el('span', { className: 'badge', 'data-test': '', title: "Sent by the Test button of Meta's dashboard: not stored as messages" }, 'test') : ''),
		...dd('Received', whenMs(e.received_ms)),
		...dd('Processed', e.processed_ms ? whenMs(e.processed_ms) : '–'),
		...dd('Platform', platformBadge(e.platform), ' ', el('code', {}, String(e.object ?? '–'))),
		...dd('Routing', routingBadge(e.routing)),
		...dd('Channels', ...(chanNodes.length ? chanNodes : ['none'])),
		...dd('Entry ids', el('code', {}, list(e.entry_ids))),
		...dd('Phone number ids', el('code', {}, list(e.phone_number_ids))),
		...dd('Attempts', num(e.attempts)),
		...dd('Next attempt', e.next_attempt_ms ? whenMs(e.next_attempt_ms) : '–'),
		...dd('Lease until', e.lease_expires_ms ? whenMs(e.lease_expires_ms) : '–'),
		...dd('Size', `${num(e.size)} bytes`),
		...dd('Signature header', el('code', { className: 'wrap' }, String(e.signature || '–'))),
		...dd('SHA-256', el('code', { className: 'wrap' }, String(e.sha256 || '–'))),
		...dd('Last error', String(e.last_error || '–')),
	);
}

function rows(tbody, items, cells, empty, cols) {
	tbody.replaceChildren();
	if (!items.length) {
		tbody.append(el('tr', {}, el('td', { className: 'empty', colSpan: cols }, empty)));
		return;
	}
	for (const it of items) tbody.append(el('tr', {}, ...cells(it).map((c) => el('td', {}, c))));
}

function produced(p) {
	const msgs = p && Array.isArray(p.messages) ? p.messages : [];
	const feed = p && Array.isArray(p.feed_items) ? p.feed_items : [];
	const unh = p && Array.isArray(p.unhandled) ? p.unhandled : [];
	rows($('messages'), msgs, (m) => [
		`#${m.id}`, String(m.direction || ''), String(m.kind || ''),
		el('code', { className: 'wrap' }, String(m.meta_message_id || '')), el('span', { className: 'msg-text' }, String(m.text ?? '')),
	], 'No message or receipt.', 5);
	rows($('feed'), feed, (f) => [
		`#${f.id}`, String(f.item || ''), el('code', { className: 'wrap' }, String(f.meta_id || '')), String(f.status || ''),
	], 'No feed item.', 4);
	const ul = $('unhandled');
	ul.replaceChildren();
	if (!unh.length) ul.append(el('li', { className: 'muted' }, 'None.'));
	for (const u of unh) {
		ul.append(el('li', {}, el('a', { href: 'unhandled.html' }, el('code', {}, `${u.object || '?'} · ${u.type || '?'}`))));
	}
}

function attempts(list) {
	rows($('attempts'), Array.isArray(list) ? list : [], (a) => [
		num(a.attempt), whenMs(a.at_ms), String(a.error || '–'),
	], 'No failed attempt recorded.', 3);
}

function body(e) {
	if (e.body_withheld) {
		// The batch also carries another workspace's accounts.
		$('body').replaceChildren();
		$('body-summary').textContent = `Withheld, ${num(e.size)} bytes`;
		const t = $('truncated');
		t.hidden = false;
		t.textContent = 'This event also carries accounts of another workspace: '
			+ 'its body is not shown here. Its messages for this workspace are listed above.';
		$('download').hidden = true;
		return;
	}
	$('download').hidden = false;
	const { text, json } = pretty(e);
	$('body').replaceChildren(...bodyNodes(text));
	$('body-summary').textContent = `${json ? 'JSON' : 'Text'}, ${num(e.size)} bytes${e.body_truncated ? ' (the beginning)' : ''}`;
	if (text.length > 20000) $('body-details').open = false;
	const t = $('truncated');
	t.hidden = !e.body_truncated;
	t.textContent = e.body_truncated
		? `The body is ${num(e.size)} bytes: only its first ${num(text.length)} characters are shown. Download it for the exact bytes.` : '';
	$('download').href = `/api/events/${id}/body`;
	$('download').download = `event-${id}.json`;
}

let current = null;

function render(d) {
	const e = d.event || {};
	current = e;
	document.title = `Event ${id} · hubgate`;
	$('title').replaceChildren(`Event #${id} `, stateBadge(e.state));
	meta(e);
	attempts(d.attempts);
	produced(d.produced);
	body(e);
	$('retry-box').hidden = !(allowed(s, 'admin') && (e.state === 'failed' || e.state === 'dead_letter'));
	$('delete-box').hidden = !allowed(s, 'owner');
	const unrouted = e.routing === 'unrouted';
	$('connect-box').hidden = !(unrouted && operator(s) && allowed(s, 'admin'));
	if (unrouted && !$('c-meta').value) {
		const kind = KIND_OF[e.platform];
		if (kind) $('c-kind').value = kind;
		const ids = kind === 'whatsapp' ? e.phone_number_ids : e.entry_ids;
		if (Array.isArray(ids) && ids.length && /^[0-9]+$/.test(String(ids[0]))) $('c-meta').value = String(ids[0]);
	}
	$('content').hidden = false;
}

async function load() {
	try {
		const d = await api('GET', `events/${id}`);
		showAlert($('alert'), '');
		render(d);
		return d;
	} catch (e) {
		showAlert($('alert'), e.status === 404
			? `There is no event #${id} in this workspace.` : e.message);
		return null;
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// After a retry: follow the event until it leaves pending/processing
// (20 s at most).
async function follow() {
	for (let i = 0; i < 20; i++) {
		await sleep(1000);
		const d = await load();
		const st = d && d.event && d.event.state;
		if (st && st !== 'pending' && st !== 'processing') {
			showAlert($('status'), st === 'processed' ? 'The retry worked: the event is processed.'
				: `The retry ended as ${st.replace('_', ' ')}: see its attempts.`, st === 'processed' ? 'ok' : 'warn');
			return;
		}
	}
	showAlert($('status'), 'The event waits for its turn: the queue processes it within a minute.', 'warn');
}

$('retry').addEventListener('click', async () => {
	$('retry').disabled = true;
	try {
		const r = await api('POST', `events/${id}/retry`);
		const st = (r && r.event && r.event.state) || 'pending';
		showAlert($('status'), `Queued again (${st}): it is processed within moments.`, 'ok');
		await load();
		await follow();
	} catch (e) {
		showAlert($('alert'), e.status === 409 ? 'Only a failed event or a dead letter can be retried.' : e.message);
	} finally {
		$('retry').disabled = false;
	}
});

$('delete').addEventListener('click', () => confirmIn($('delete-box'),
	`Delete event #${id}? Its messages stay.`, 'Yes, delete', async () => {
		try {
			await api('DELETE', `events/${id}`);
			$('content').hidden = true;
			$('actions').hidden = true;
			$('title').textContent = `Event #${id}`;
			showAlert($('status'), `Event #${id} was deleted. The messages it produced stay.`, 'ok');
		} catch (e) {
			showAlert($('alert'), e.message);
		}
	}, { danger: true }));

connectForm({
	form: $('connect'), kind: $('c-kind'), meta: $('c-meta'), name: $('c-name'),
	submit: $('c-submit'), result: $('connect-result'),
	done: () => load(),
});

if (id === null) {
	showAlert($('alert'), 'This page needs an event: open one from the list of events.');
} else {
	await load();
}
