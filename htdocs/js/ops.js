// Helpers of the operations pages (overview, events, an event, dead
// letters, unhandled kinds): names and badges of states and platforms,
// times and numbers for people, the links the pages make, and a
// confirmation asked inside the page (never a dialog).  Data from the
// API only ever becomes text.
import { el } from './api.js';

export const STATES = ['pending', 'processing', 'processed', 'failed', 'dead_letter', 'invalid'];
export const PLATFORMS = ['messenger', 'instagram', 'whatsapp', 'other'];
export const ROUTINGS = ['routed', 'partial', 'unrouted'];

const STATE_NAME = {
	pending: 'Pending', processing: 'Processing', processed: 'Processed',
	failed: 'Failed', dead_letter: 'Dead letter', invalid: 'Invalid',
};
const PLATFORM_NAME = { messenger: 'Messenger', instagram: 'Instagram', whatsapp: 'WhatsApp', other: 'Other' };
const ROUTING_NAME = { routed: 'Routed', partial: 'Partly routed', unrouted: 'Unrouted' };

// The colors of the charts and badges, one per state and platform
// (AA contrast for the badges' text: see app.css).
export const STATE_COLOR = {
	pending: '#b7791f', processing: '#2563eb', processed: '#0f766e',
	failed: '#c2410c', dead_letter: '#b42318', invalid: '#6b7280',
};
export const PLATFORM_COLOR = { messenger: '#2563eb', instagram: '#c026d3', whatsapp: '#15803d', other: '#6b7280' };

export const stateName = (s) => STATE_NAME[s] || String(s ?? '');
export const platformName = (p) => PLATFORM_NAME[p] || String(p ?? '');
export const routingName = (r) => ROUTING_NAME[r] || String(r ?? '');

// badge(kind, value, text): a badge whose class names the value when it
// is a known one (state-dead_letter, platform-whatsapp, ...).
function badge(kind, known, value, text) {
	const cls = Object.hasOwn(known, value) ? ` ${kind}-${value}` : '';
	return el('span', { className: `badge${cls}` }, text);
}
export const stateBadge = (s) => badge('state', STATE_NAME, s, stateName(s));
export const platformBadge = (p) => badge('platform', PLATFORM_NAME, p, platformName(p));
export const routingBadge = (r) => badge('routing', ROUTING_NAME, r, routingName(r));

// num(n): a count for people (1,234), or '–' for none.
export function num(n) {
	return typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US') : '–';
}

// whenMs(ms): a date and time for people from unix milliseconds.
export function whenMs(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
	return new Date(ms).toLocaleString();
}

// shortMs(ms): a short date and time (tables): "Nov 30, 16:43:46".
export function shortMs(ms) {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return '';
	return new Date(ms).toLocaleString([], {
		month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
	});
}

// duration(s): "45 s", "12 min", "3 h 5 min", "2 d 4 h".
export function duration(s) {
	if (typeof s !== 'number' || !Number.isFinite(s)) return '–';
	s = Math.max(0, Math.round(s));
	if (s < 60) return `${s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m} min`;
	const h = Math.floor(m / 60);
	if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
	const d = Math.floor(h / 24);
	return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

// agoMs(ms, nowMs): "5 min ago" (or "just now").
export function agoMs(ms, nowMs = Date.now()) {
	if (typeof ms !== 'number' || !Number.isFinite(ms)) return 'never';
	const s = (nowMs - ms) / 1000;
	return s < 5 ? 'just now' : `${duration(s)} ago`;
}

// ms(v): a latency for people: "8 ms", "1.5 s", "2 min".
export function msText(v) {
	if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
	if (v < 1000) return `${v} ms`;
	if (v < 60000) return `${+(v / 1000).toFixed(1)} s`;
	return duration(v / 1000);
}

// The pages the operations pages link to.  A link from the API (a
// problem's) is used only when it is one of these, relative, with a
// plain query: never another origin, scheme or path.
const PAGES = new Set(['index.html', 'events.html', 'event.html', 'dead-letters.html', 'unhandled.html', 'channels.html']);
export function pageLink(href) {
	if (typeof href !== 'string' || href.length > 500) return null;
	const m = /^([a-z-]+\.html)(\?[A-Za-z0-9_=&%.+-]*)?$/.exec(href);
	if (!m || !PAGES.has(m[1])) return null;
	return href;
}

// eventHref(id): the page of an event, or null when id is no id.
export function eventHref(id) {
	return Number.isSafeInteger(id) && id > 0 ? `event.html?id=${id}` : null;
}

// eventLink(id, text): a link to an event's page (text alone when id is
// not an id).
export function eventLink(id, text) {
	const href = eventHref(id);
	if (!href) return document.createTextNode(text || '');
	return el('a', { href }, text || `#${id}`);
}

// The first control among nodes or inside them (where the focus goes
// back to).
function firstControl(nodes) {
	for (const n of nodes) {
		if (!(n instanceof HTMLElement)) continue;
		if (n.matches('button, select, input')) return n;
		const c = n.querySelector('select, input, button');
		if (c) return c;
	}
	return null;
}

// confirmIn(box, question, yesText, action): replace box's content by
// the question, a "yes" button and Cancel; Yes runs action(), Cancel
// (or Escape) puts back what was there.  Resolves when either is
// chosen.  The focus goes to Yes.
export function confirmIn(box, question, yesText, action, { danger = false } = {}) {
	const before = [...box.childNodes];
	const back = () => {
		box.replaceChildren(...before);
		const f = firstControl(before);
		if (f) f.focus();
	};
	const yes = el('button', { type: 'button', className: `btn btn-small ${danger ? 'btn-danger' : ''} confirm-yes` }, yesText);
	const no = el('button', { type: 'button', className: 'btn btn-secondary btn-small confirm-no' }, 'Cancel');
	const wrap = el('span', { className: 'confirm', role: 'group', 'aria-label': question },
		el('span', { className: 'confirm-text' }, question), yes, no);
	box.replaceChildren(wrap);
	yes.focus();
	return new Promise((resolve) => {
		yes.addEventListener('click', async () => {
			yes.disabled = true;
			no.disabled = true;
			try { await action(); } finally { if (box.contains(wrap)) back(); resolve(true); }
		});
		no.addEventListener('click', () => { back(); resolve(false); });
		wrap.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); back(); resolve(false); } });
	});
}

// typedConfirm(box, question, word, yesText, action): like confirmIn,
// for what cannot be undone: the yes button waits until word is typed
// in the page; action() runs once it is.  Escape or Cancel puts box's
// content back.
export function typedConfirm(box, question, word, yesText, action) {
	const before = [...box.childNodes];
	const back = () => {
		box.replaceChildren(...before);
		const f = firstControl(before);
		if (f) f.focus();
	};
	const input = el('input', { type: 'text', autocomplete: 'off', spellcheck: false, 'aria-label': `Type ${word} to confirm` });
	const yes = el('button', { type: 'submit', className: 'btn btn-danger btn-small', disabled: true }, yesText);
	const no = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, 'Cancel');
	const form = el('form', { className: 'confirm', novalidate: true },
		el('span', { className: 'confirm-text' }, `${question} Type ${word}:`), input, yes, no);
	input.addEventListener('input', () => { yes.disabled = input.value.trim() !== word; });
	no.addEventListener('click', back);
	form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); back(); } });
	form.addEventListener('submit', async (e) => {
		e.preventDefault();
		if (input.value.trim() !== word) return;
		yes.disabled = true;
		try { await action(); } finally { if (box.contains(form)) back(); }
	});
	box.replaceChildren(form);
	input.focus();
}

// KIND_OF: the channel kind (POST /api/channels) of a platform.
export const KIND_OF = { messenger: 'page', instagram: 'instagram', whatsapp: 'whatsapp' };
