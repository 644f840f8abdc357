// The audit log (owners and admins), with filters; the same filters
// apply to the CSV export.
import { api, showAlert, when } from './api.js';
import { frame } from './frame.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
await frame('audit.html');

function query() {
	const q = new URLSearchParams();
	const add = (k, v) => { if (v) q.set(k, v); };
	add('action', $('f-action').value);
	add('actor', $('f-actor').value.trim());
	add('since', $('f-since').value);
	add('until', $('f-until').value);
	return q;
}

async function load() {
	const q = query();
	const csv = new URLSearchParams(q);
	csv.set('format', 'csv');
	$('csv').setAttribute('href', `/api/audit?${csv}`);
	let data;
	try {
		data = await api('GET', `audit${q.toString() ? `?${q}` : ''}`);
		showAlert($('alert'), '');
	} catch (e) {
		showAlert($('alert'), e.status === 403 ? 'Only owners and admins can read the audit log.' : e.message);
		data = [];
	}
	fill($('entries'), items(data, 'entries'), [
		(a) => when(a.time || a.at || a.created),
		(a) => a.actor || a.who || '',
		(a) => a.action || '',
		(a) => a.object || '',
		(a) => a.address || '',
	], 'Nothing matches these filters.');
}

$('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
await load();
