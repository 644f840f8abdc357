// Destinations (admins): the business's own endpoints that receive
// every event.  Add one (its secret shown once), see each one's
// success rate, latency, backlog and last error, send a test event,
// enable or disable, change one (the add form, filled), rotate the
// secret, delete (after a confirmation in the row); more options when adding one (channels, platforms, a rate limit,
// order, Meta's raw item, custom headers); a destination's deliveries
// with their attempts, resend one or every failed one, replay a time
// range.
import { api, el, showAlert } from './api.js';
import { frame } from './frame.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
const TYPES = [
	['message.received', 'Message received'],
	['message.sent', 'Message sent'],
	['message.status', 'Message status (delivered, read, failed)'],
	['conversation.escalated', 'Conversation escalated'],
	['conversation.assigned', 'Conversation assigned'],
	['conversation.closed', 'Conversation closed'],
	['channel.updated', 'Channel changed'],
	['token.level', 'Token level changed'],
	['meta.event', 'Raw Meta event'],
	['message.forwarded', 'Message forwarded by a rule'],
];
let current = null;	// the destination whose deliveries are shown
let editing = null;	// the destination the form changes (null: adds)
let currentDelivery = null;

await frame('destinations.html');

const ms = (v) => (v === null || v === undefined ? '' : new Date(v).toLocaleString());

for (const [value, label] of TYPES) {
	const id = `ev-${value.replace('.', '-')}`;
	$('add-events').append(el('label', { className: 'check', htmlFor: id },
		el('input', { type: 'checkbox', id, value, defaultChecked: value.startsWith('message.') }), ' ', label));
}

const channelNames = new Map();	// id -> name, for the list

// The workspace's channels as boxes to tick (none: every channel).
async function loadChannels() {
	let d;
	try {
		d = await api('GET', 'channels');
	} catch (e) {
		return;	// the list says why if the API is down
	}
	const list = d && Array.isArray(d.channels) ? d.channels.filter((c) => Number.isSafeInteger(c.id)) : [];
	for (const c of list) channelNames.set(c.id, c.name || c.meta_id || `#${c.id}`);
	if (!list.length) return;
	$('add-channels').replaceChildren(...list.map((c) => el('label', { className: 'check', htmlFor: `ch-${c.id}` },
		el('input', { type: 'checkbox', id: `ch-${c.id}`, value: String(c.id) }), ' ',
		`${channelNames.get(c.id)} (${c.platform})`)));
}

async function load() {
	let data;
	try {
		data = await api('GET', 'destinations');
	} catch (e) {
		showAlert($('alert'), e.status === 403
			? 'Only admins of this workspace can see and manage destinations.' : e.message);
		$('content').hidden = true;
		return;
	}
	$('content').hidden = false;
	const rows = items(data, 'data');
	fill($('dests'), rows, [
		(d) => el('span', {}, el('strong', { className: 'dest-url' }, d.url),
			d.description ? el('br') : null, d.description || '',
			el('br'), el('span', { className: 'muted dest-options' }, [d.events.join(', '),
				d.channels.length ? `only ${d.channels.map((id) => channelNames.get(id) || `#${id}`).join(', ')}` : '',
				d.platforms.length ? `only ${d.platforms.join(', ')}` : '',
				d.rate_per_s ? `at most ${d.rate_per_s} a second` : '',
				d.ordered ? '' : 'unordered', d.include_raw ? 'with the raw item' : '',
				d.has_headers ? 'custom headers' : ''].filter(Boolean).join(' · '))),
		(d) => el('span', {},
			el('span', { className: d.enabled ? 'badge dest-state' : 'badge badge-off dest-state' },
				d.enabled ? 'enabled' : 'disabled'),
			d.disabled_reason ? el('br') : null, d.disabled_reason || ''),
		(d) => d.last_24h.attempts
			? `${Math.round(d.last_24h.success_rate * 100)}% of ${d.last_24h.attempts} · ${d.last_24h.avg_ms} ms`
			: 'no attempt',
		(d) => el('span', { className: 'dest-backlog' }, `${d.backlog} waiting`,
			d.dead ? el('br') : null, d.dead ? `${d.dead} failed` : ''),
		(d) => d.last_error ? el('span', { className: 'dest-error' }, d.last_error) : '',
		(d) => actions(d),
	], 'No destination yet.');
	if (current) {
		const d = rows.find((x) => x.id === current.id);
		if (d) current = d;
	}
}

// The buttons of a row; Delete asks first in place.
function actions(d) {
	const box = el('span', { className: 'row-actions' });
	const plain = () => box.replaceChildren(
		el('button', { type: 'button', className: 'btn btn-small dest-test', disabled: !d.enabled,
			onclick: () => act(() => api('POST', `destinations/${d.id}/test`), 'A test event is on its way.', d) }, 'Send test event'),
		el('button', { type: 'button', className: 'btn btn-small dest-deliveries',
			onclick: () => show(d) }, 'Deliveries'),
		el('button', { type: 'button', className: 'btn btn-small dest-toggle',
			onclick: () => act(() => api('PUT', `destinations/${d.id}`, { enabled: !d.enabled }),
				d.enabled ? 'Disabled.' : 'Enabled.') }, d.enabled ? 'Disable' : 'Enable'),
		el('button', { type: 'button', className: 'btn btn-small dest-edit',
			onclick: () => edit(d) }, 'Change'),
		el('button', { type: 'button', className: 'btn btn-small dest-rotate',
			onclick: () => rotate(d) }, 'Rotate secret'),
		el('button', { type: 'button', className: 'btn btn-danger btn-small dest-delete',
			'aria-label': `Delete ${d.url}`, onclick: ask }, 'Delete'));
	const ask = () => {
		const yes = el('button', { type: 'button', className: 'btn btn-danger btn-small confirm-delete',
			onclick: () => act(() => api('DELETE', `destinations/${d.id}`), 'Deleted.') }, 'Yes, delete');
		box.replaceChildren(el('span', { className: 'confirm-text' },
			'Delete this destination and its deliveries?'), ' ', yes, ' ',
			el('button', { type: 'button', className: 'btn btn-small', onclick: plain }, 'Cancel'));
		yes.focus();
	};
	plain();
	return box;
}

async function act(fn, okText, showAfter) {
	try {
		await fn();
		showAlert($('alert'), okText, 'ok');
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	await load();
	if (showAfter) await show(showAfter);
	else if (current) await deliveries();
}

// The form changes d: its fields filled in (never its headers' values).
function edit(d) {
	editing = d;
	$('add-h').textContent = `Change ${d.url}`;
	$('add-submit').textContent = 'Save changes';
	$('edit-cancel').hidden = false;
	$('add-url').value = d.url;
	$('add-desc').value = d.description || '';
	for (const i of $('add-events').querySelectorAll('input')) i.checked = d.events.includes(i.value);
	for (const i of $('add-more').querySelectorAll('input[id^="pf-"]')) i.checked = d.platforms.includes(i.value);
	for (const i of $('add-channels').querySelectorAll('input')) i.checked = d.channels.includes(Number(i.value));
	$('add-rate').value = d.rate_per_s || '';
	$('add-ordered').checked = d.ordered;
	$('add-raw').checked = d.include_raw;
	$('add-headers').value = '';
	$('add-headers').placeholder = d.has_headers ? 'Its headers are kept; lines here replace them' : 'X-Api-Key: ...';
	$('add-headers-clear').checked = false;
	$('add-headers-clear-label').hidden = !d.has_headers;
	$('add-more').open = true;
	$('add-result').hidden = true;
	$('add-url').focus();
}

function stopEditing() {
	editing = null;
	$('add').reset();
	$('add-h').textContent = 'Add a destination';
	$('add-submit').textContent = 'Add destination';
	$('add-headers').placeholder = 'X-Api-Key: ...';
	$('edit-cancel').hidden = true;
	$('add-headers-clear-label').hidden = true;
}
$('edit-cancel').addEventListener('click', stopEditing);

async function rotate(d) {
	try {
		const r = await api('POST', `destinations/${d.id}/rotate-secret`, { grace_s: 86400 });
		showAlert($('alert'), 'The secret was rotated: for a day, both secrets sign.', 'ok');
		$('add-ok').textContent = `The new secret of ${d.url}:`;
		$('add-secret').textContent = r.secret;
		$('add-result').hidden = false;
	} catch (e) {
		showAlert($('alert'), e.message);
	}
}

async function show(d) {
	current = d;
	currentDelivery = null;
	$('attempts-card').hidden = true;
	$('deliv-of').textContent = d.url;
	$('deliveries-card').hidden = false;
	await deliveries();
}

async function deliveries() {
	if (!current) return;
	let data;
	try {
		data = await api('GET', `destinations/${current.id}/deliveries?limit=50`);
	} catch (e) {
		showAlert($('alert'), e.message);
		return;
	}
	fill($('deliveries'), items(data, 'data'), [
		(x) => el('code', {}, x.event_id),
		(x) => x.type,
		(x) => el('span', { className: `badge delivery-state${x.state === 'delivered' ? '' : ' badge-off'}`,
			'data-state': x.state }, x.state),
		(x) => String(x.attempts),
		(x) => x.last_error || (x.last_status ? `HTTP ${x.last_status}` : ''),
		(x) => ms(x.created_ms),
		(x) => el('span', { className: 'row-actions' },
			el('button', { type: 'button', className: 'btn btn-small delivery-attempts',
				onclick: () => attempts(x.id) }, 'Attempts'),
			el('button', { type: 'button', className: 'btn btn-small delivery-resend',
				onclick: () => act(() => api('POST', `deliveries/${x.id}/resend`), 'Sent again.') }, 'Resend')),
	], 'No delivery yet.');
	if (currentDelivery) await attempts(currentDelivery);
}

async function attempts(id) {
	currentDelivery = id;
	let d;
	try {
		d = await api('GET', `deliveries/${id}`);
	} catch (e) {
		showAlert($('alert'), e.message);
		return;
	}
	$('att-of').textContent = `${d.type} ${d.event_id}: ${d.state}`;
	fill($('attempts'), items(d, 'attempts'), [
		(a) => ms(a.started_ms),
		(a) => el('span', { className: 'attempt-status' }, a.status ? String(a.status) : 'no answer'),
		(a) => `${a.duration_ms} ms`,
		(a) => a.error || '',
		(a) => a.response ? el('code', {}, a.response) : '',
	], 'No attempt yet.');
	$('attempts-card').hidden = false;
}

$('deliv-refresh').addEventListener('click', async () => { await load(); await deliveries(); });
$('deliv-resend-dead').addEventListener('click', () => current &&
	act(() => api('POST', `destinations/${current.id}/resend`), 'Every failed delivery is sent again.'));

// The custom headers' lines ("Name: value") as an object, or a reason.
function headersOf(text) {
	const out = {};
	for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
		const i = line.indexOf(':');
		if (i < 1) return { error: `"${line}" is not a header: write Name: value.` };
		out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
	}
	return { headers: out };
}

$('replay').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const since = new Date($('replay-since').value), until = new Date($('replay-until').value);
	if (!current || Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until <= since) {
		showAlert($('alert'), 'Choose when the range starts and when it ends, the end after the start.');
		return;
	}
	await act(async () => {
		const r = await api('POST', `destinations/${current.id}/replay`,
			{ since: since.toISOString(), until: until.toISOString() });
		$('replay').dataset.sent = r.deliveries;
	}, 'The events of that range are sent again (the same event ids).');
});

$('add').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const url = $('add-url').value.trim();
	const events = [...$('add-events').querySelectorAll('input:checked')].map((i) => i.value);
	if (!url || !events.length) { showAlert($('alert'), 'Enter a URL and choose at least one event.'); return; }
	const h = headersOf($('add-headers').value);
	if (h.error) { showAlert($('alert'), h.error); return; }
	const body = { url, events, description: $('add-desc').value.trim(),
		platforms: [...$('add-more').querySelectorAll('input[id^="pf-"]:checked')].map((i) => i.value),
		channels: [...$('add-channels').querySelectorAll('input:checked')].map((i) => Number(i.value)),
		ordered: $('add-ordered').checked, include_raw: $('add-raw').checked };
	if ($('add-rate').value.trim()) body.rate_per_s = Number($('add-rate').value);
	if (Object.keys(h.headers).length) body.headers = h.headers;
	$('add-submit').disabled = true;
	if (editing) {
		if (!$('add-rate').value.trim()) body.rate_per_s = null;
		if ($('add-headers-clear').checked && !body.headers) body.headers = null;
		try {
			await api('PUT', `destinations/${editing.id}`, body);
			showAlert($('alert'), `${url} was changed.`, 'ok');
			stopEditing();
		} catch (e) {
			showAlert($('alert'), e.message);
		}
		$('add-submit').disabled = false;
		await load();
		return;
	}
	try {
		const r = await api('POST', 'destinations', body);
		showAlert($('alert'), '');
		$('add-ok').textContent = `${r.url} was added.`;
		$('add-secret').textContent = r.secret;
		$('add-result').hidden = false;
		$('add').reset();
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	$('add-submit').disabled = false;
	await load();
});

await loadChannels();
await load();
