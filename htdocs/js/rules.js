// The Rules page (admins): the workspace's rules in order (turn one on
// or off, edit, delete after a confirmation in the row), a test box
// ("what would happen to this message?", POST /api/rules/test), a form
// that adds or edits a rule, the handover settings and the bot.
import { api, el, showAlert } from './api.js';
import { frame } from './frame.js';
import { items, fill } from './list.js';
import { confirmIn } from './ops.js';

const $ = (id) => document.getElementById(id);
let rules = [];
let editing = null;	// the rule being edited, or null: adding

await frame('rules.html');

const HINTS = {
	keywords: ['Keywords', 'Words or phrases, separated by commas; whole words, any case, accents ignored.'],
	pattern: ['Pattern', 'A regular expression, any case, e.g. order ([0-9]+): the number is {match.1}.'],
	payload: ['Payload', 'The payload of a quick reply or a button, exactly, e.g. GET_STARTED.'],
	kind: ['Kind', 'image, location, story_mention, reaction, referral, ...'],
	no_reply_minutes: ['Minutes', 'Minutes without an answer (1 to 10080); checked every few seconds.'],
};

// The words of a rule's condition, for the table.
function whenText(w) {
	if (!w) return '';
	const parts = [];
	if (w.keywords) parts.push(`${w.match === 'all' ? 'all of' : 'any of'}: ${w.keywords.join(', ')}`);
	if (w.pattern) parts.push(`matches /${w.pattern}/`);
	if (w.payload) parts.push(`payload ${w.payload}`);
	if (w.first_message) parts.push('first message');
	if (w.outside_hours) parts.push('outside business hours');
	if (w.kind) parts.push(`a ${w.kind}${w.ad_id ? ` from ad ${w.ad_id}` : ''}`);
	if (w.no_reply_minutes) parts.push(`no answer for ${w.no_reply_minutes} min`);
	return parts.join('; ');
}

// The words of a rule's actions.
function thenText(t) {
	return (t || []).map((a) => {
		const [k, v] = Object.entries(a)[0] || [];
		if (k === 'reply') return v && v.text ? `reply "${v.text}"` : 'reply with a template';
		if (k === 'tag') return `tag ${v}`;
		if (k === 'assign') return `assign to user ${v}`;
		if (k === 'escalate') return 'hand over to a person';
		if (k === 'bot') return 'ask the bot';
		return k || '';
	}).join(', ');
}

async function load() {
	let data;
	try {
		data = await api('GET', 'rules');
	} catch (e) {
		showAlert($('alert'), e.status === 403
			? 'Only admins of this workspace can see and change its rules.' : e.message);
		$('content').hidden = true;
		return false;
	}
	$('content').hidden = false;
	rules = items(data, 'rules');
	fill($('rules'), rules, [
		(r) => String(r.position),
		(r) => r.name,
		(r) => whenText(r.when),
		(r) => thenText(r.then),
		(r) => {
			const c = el('input', { type: 'checkbox', checked: r.enabled, 'aria-label': `${r.name} is on` });
			c.addEventListener('change', () => save(r.id, { ...body(r), enabled: c.checked }));
			return c;
		},
		(r) => actions(r),
	], 'No rules yet.');
	return true;
}

// A stored rule as the API takes it back.
function body(r) {
	const b = { name: r.name, enabled: r.enabled, position: r.position, when: r.when, then: r.then };
	if (r.channels) b.channels = r.channels;
	return b;
}

function actions(r) {
	const box = el('span', { className: 'row-actions' });
	const plain = () => box.replaceChildren(
		el('button', { type: 'button', className: 'btn btn-small', onclick: () => edit(r), 'aria-label': `Edit ${r.name}` }, 'Edit'),
		el('button', {
			type: 'button', className: 'btn btn-danger btn-small', 'aria-label': `Delete ${r.name}`,
			onclick: () => confirmIn(box, `Delete "${r.name}"?`, 'Yes, delete', () => remove(r), { danger: true }),
		}, 'Delete'));
	plain();
	return box;
}

async function save(id, b) {
	try {
		if (id) await api('PUT', `rules/${id}`, b);
		else await api('POST', 'rules', b);
		showAlert($('edit-alert'), '');
		await load();
		return true;
	} catch (e) {
		showAlert($('edit-alert'), e.message);
		return false;
	}
}

async function remove(r) {
	try {
		await api('DELETE', `rules/${r.id}`);
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	await load();
}

// Show the value box the condition needs.
function whenChanged() {
	const k = $('r-when').value;
	const h = HINTS[k];
	$('r-value-box').hidden = !h;
	$('r-match-box').hidden = k !== 'keywords';
	if (h) {
		$('r-value-box').querySelector('label').textContent = h[0];
		$('r-value-hint').textContent = h[1];
	}
}

// The form into a rule; null (and why shown) when incomplete.
function fromForm() {
	const k = $('r-when').value;
	const v = $('r-value').value.trim();
	const when = {};
	if (k === 'keywords') {
		when.keywords = v.split(',').map((s) => s.trim()).filter(Boolean);
		when.match = $('r-match').value;
	} else if (k === 'first_message' || k === 'outside_hours') when[k] = true;
	else if (k === 'no_reply_minutes') when[k] = Number.parseInt(v, 10);
	else when[k] = v;
	const then = [];
	const reply = $('r-reply').value.trim();
	if (reply) then.push({ reply: { text: reply } });
	if ($('r-tag').value.trim()) then.push({ tag: $('r-tag').value.trim() });
	if ($('r-bot').checked) then.push({ bot: {} });
	if ($('r-escalate').checked) then.push({ escalate: {} });
	if ($('r-close').checked) then.push({ close: {} });
	if ($('r-stop').checked) then.push({ stop: {} });
	const b = { name: $('r-name').value.trim(), enabled: $('r-enabled').checked, when, then };
	const pos = Number.parseInt($('r-position').value, 10);
	if (Number.isFinite(pos)) b.position = pos;
	if (editing && editing.channels) b.channels = editing.channels;
	return b;
}

function resetForm() {
	editing = null;
	$('edit').reset();
	$('edit-h').textContent = 'Add a rule';
	$('r-submit').textContent = 'Add rule';
	$('r-cancel').hidden = true;
	whenChanged();
}

// Fill the form with rule r (the parts the form can show).
function edit(r) {
	resetForm();
	editing = r;
	$('edit-h').textContent = `Edit "${r.name}"`;
	$('r-submit').textContent = 'Save rule';
	$('r-cancel').hidden = false;
	$('r-name').value = r.name;
	$('r-position').value = String(r.position);
	$('r-enabled').checked = r.enabled;
	const w = r.when || {};
	const k = ['keywords', 'pattern', 'payload', 'first_message', 'outside_hours', 'kind', 'no_reply_minutes'].find((x) => x in w) || 'keywords';
	$('r-when').value = k;
	if (k === 'keywords') {
		$('r-value').value = (w.keywords || []).join(', ');
		$('r-match').value = w.match === 'all' ? 'all' : 'any';
	} else if (typeof w[k] === 'string' || typeof w[k] === 'number') $('r-value').value = String(w[k]);
	for (const a of r.then || []) {
		const [key, v] = Object.entries(a)[0] || [];
		if (key === 'reply' && v && v.text) $('r-reply').value = v.text;
		if (key === 'tag') $('r-tag').value = v;
		if (key === 'escalate') $('r-escalate').checked = true;
		if (key === 'bot') $('r-bot').checked = true;
		if (key === 'close') $('r-close').checked = true;
		if (key === 'stop') $('r-stop').checked = true;
	}
	whenChanged();
	$('r-name').focus();
}

$('r-when').addEventListener('change', whenChanged);
$('r-cancel').addEventListener('click', resetForm);
$('edit').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const b = fromForm();
	if (!b.name) { showAlert($('edit-alert'), 'Give the rule a name.'); return; }
	if (!b.then.length) { showAlert($('edit-alert'), 'Say what the rule does: a reply, a tag, a handover...'); return; }
	if (await save(editing && editing.id, b)) resetForm();
});

// The test box.
$('test').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const out = $('test-result');
	out.replaceChildren();
	let r;
	try {
		r = await api('POST', 'rules/test', { text: $('test-text').value, first_message: $('test-first').checked });
	} catch (e) {
		out.append(el('p', { className: 'alert alert-error' }, e.message));
		return;
	}
	if (r.escalation) {
		out.append(el('p', { className: 'test-escalation' }, `Handed over to a person: it contains "${r.escalation}".`));
		return;
	}
	const list = items(r, 'matches');
	if (!list.length) {
		out.append(el('p', { className: 'muted test-none' }, 'No rule matches: nothing is sent.'));
		return;
	}
	const ul = el('ul', { className: 'test-matches' });
	for (const m of list)
		ul.append(el('li', {}, el('strong', {}, m.name), `: ${thenText(m.then)}`));
	out.append(ul);
});

// Handover and bot settings.
async function loadSettings() {
	const h = await api('GET', 'settings/handover');
	$('h-enabled').checked = !!h.enabled;
	const ph = Array.isArray(h.phrases) ? h.phrases : Object.values(h.phrases || {}).flat();
	$('h-phrases').value = ph.join(', ');
	$('h-notice').value = h.notice || '';
	$('h-page-inbox').checked = !!h.page_inbox;
	const b = await api('GET', 'settings/bot');
	$('b-url').value = b.url || '';
	$('b-threshold').value = String(b.confidence_threshold ?? 0.7);
	$('b-secret-hint').textContent = b.secret_set
		? 'A secret is set. Leave empty to keep it.' : 'Standard Webhooks (whsec_...), 16 bytes or more.';
}

$('handover').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	try {
		await api('PUT', 'settings/handover', {
			enabled: $('h-enabled').checked,
			phrases: $('h-phrases').value.split(',').map((s) => s.trim()).filter(Boolean),
			notice: $('h-notice').value.trim(),
			page_inbox: $('h-page-inbox').checked,
		});
		showAlert($('h-alert'), 'Saved.', 'ok');
	} catch (e) {
		showAlert($('h-alert'), e.message);
	}
});

$('bot').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const b = { url: $('b-url').value.trim(), confidence_threshold: Number($('b-threshold').value || 0.7) };
	if ($('b-secret').value) b.secret = $('b-secret').value;
	try {
		await api('PUT', 'settings/bot', b);
		$('b-secret').value = '';
		showAlert($('b-alert'), 'Saved.', 'ok');
		await loadSettings();
	} catch (e) {
		showAlert($('b-alert'), e.message);
	}
});

whenChanged();
if (await load()) await loadSettings();
