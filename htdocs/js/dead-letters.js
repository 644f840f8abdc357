// Dead letters grouped by their last error (GET /api/dead-letters),
// each group with a link to its events; admins requeue them all (the
// API says how many first; the count is confirmed inside the page).
import { api, el, showAlert } from './api.js';
import { frame, allowed } from './frame.js';
import { num, whenMs, eventLink, confirmIn } from './ops.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
const s = await frame('dead-letters.html');

// The events of a group: the dead letters of its time span.
function groupHref(g) {
	const q = new URLSearchParams({ state: 'dead_letter' });
	if (Number.isSafeInteger(g.first_ms)) q.set('since', String(g.first_ms));
	if (Number.isSafeInteger(g.last_ms)) q.set('until', String(g.last_ms + 1));
	return `events.html?${q}`;
}

async function load() {
	let data;
	try {
		data = await api('GET', 'dead-letters');
		showAlert($('alert'), '');
	} catch (e) {
		showAlert($('alert'), e.message);
		data = null;
	}
	const groups = items(data, 'groups');
	fill($('groups'), groups, [
		(g) => el('span', { className: 'error-text' }, String(g.error || '(no error recorded)')),
		(g) => num(g.count),
		(g) => whenMs(g.first_ms),
		(g) => whenMs(g.last_ms),
		(g) => (g.sample_event_id == null ? '' : eventLink(g.sample_event_id)),
		(g) => el('a', { href: groupHref(g) }, 'Show events'),
	], 'No dead letter. Every event was processed or is still being tried.');
	for (const td of $('groups').querySelectorAll('tr > td:nth-child(2)')) td.className = 'num';
	$('requeue-box').hidden = !(allowed(s, 'admin') && groups.length > 0);
}

$('requeue').addEventListener('click', async () => {
	const body = { filter: { state: 'dead_letter' } };
	let n;
	try {
		const r = await api('POST', 'events/requeue', body);
		n = r && typeof r.count === 'number' ? r.count : 0;
	} catch (e) {
		showAlert($('alert'), e.message);
		return;
	}
	if (!n) { showAlert($('result'), 'There is no dead letter to requeue.', 'warn'); return; }
	await confirmIn($('requeue-box'), `Requeue all ${num(n)} dead letter${n === 1 ? '' : 's'}?`, `Yes, requeue ${num(n)}`, async () => {
		try {
			const r = await api('POST', 'events/requeue', { ...body, confirm: n });
			const k = r && typeof r.requeued === 'number' ? r.requeued : n;
			showAlert($('result'), `Requeued ${num(k)} event${k === 1 ? '' : 's'}: each is processed again within moments.`, 'ok');
		} catch (e) {
			showAlert($('alert'), e.message);
		}
		await load();
	});
});

await load();
