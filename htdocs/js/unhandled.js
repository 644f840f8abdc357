// The unhandled ledger (GET /api/unhandled): what arrived that hubgate
// does not turn into anything yet, most recent first, with an example
// event when the reader may see it.
import { api, el, showAlert, when } from './api.js';
import { frame } from './frame.js';
import { num, eventLink } from './ops.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
await frame('unhandled.html');

let data;
try {
	data = await api('GET', 'unhandled');
} catch (e) {
	showAlert($('alert'), e.message);
	data = null;
}
fill($('kinds'), items(data, 'unhandled'), [
	(u) => el('code', {}, String(u.object ?? '')),
	(u) => el('code', {}, String(u.type ?? '')),
	(u) => num(u.count),
	(u) => when(u.first_seen_at),
	(u) => when(u.last_seen_at),
	(u) => (u.sample_event_id == null ? el('span', { className: 'muted' }, 'not visible') : eventLink(u.sample_event_id)),
], 'Nothing unhandled: every part of every event was understood.');
for (const td of $('kinds').querySelectorAll('tr > td:nth-child(3)')) td.className = 'num';
