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
let groupList = [];	// the workspace's groups of people
let people = [];	// who a group may have
let editingGroup = null;	// the group being edited, or null: adding

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
		if (k === 'reply' && v && v.generic) return `reply with ${v.generic.length} card${v.generic.length === 1 ? '' : 's'} (${v.generic.map((e) => e.title).join(', ')})`;
		if (k === 'reply' && v && v.buttons) return `reply "${v.text}" with buttons ${v.buttons.map((b) => `[${b.title}]`).join(' ')}`;
		if (k === 'reply') return v && v.text ? `reply "${v.text}"` : 'reply with a template';
		if (k === 'tag') return `tag ${v}`;
		if (k === 'assign' && v && typeof v === 'object') {
			const g = groupList.find((x) => x.id === v.group || x.name === v.group);
			return `assign to group ${g ? g.name : v.group}`;
		}
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

// Buttons under the reply: a row each (title, payload or link), at most 3.
function buttonRow(b = {}) {
	const n = $('r-buttons').children.length + 1;
	const title = el('input', { type: 'text', maxLength: 20, className: 'b-title', 'aria-label': `Button ${n} title`, value: b.title || '' });
	const value = el('input', { type: 'text', maxLength: 1000, className: 'b-value', 'aria-label': `Button ${n} payload or https:// link`, placeholder: 'PAYLOAD or https://…', value: b.url || b.payload || '' });
	const li = el('li', { className: 'form-row b-row' }, title, value,
		el('button', { type: 'button', className: 'btn btn-secondary btn-small', 'aria-label': `Remove button ${n}`, onclick: () => { li.remove(); buttonsChanged(); $('r-button-add').focus(); } }, 'Remove'));
	$('r-buttons').append(li);
	buttonsChanged();
	return title;
}

function buttonsChanged() {
	$('r-button-add').hidden = $('r-buttons').children.length >= 3;
}

// The buttons of the form, as a rule's reply takes them.
function formButtons() {
	return [...$('r-buttons').querySelectorAll('.b-row')].map((li) => {
		const title = li.querySelector('.b-title').value.trim();
		const v = li.querySelector('.b-value').value.trim();
		return /^https:\/\//i.test(v) ? { title, url: v } : { title, payload: v };
	}).filter((b) => b.title || b.url || b.payload);
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
	const buttons = formButtons();
	if (reply) then.push({ reply: buttons.length ? { text: reply, buttons } : { text: reply } });
	// What the form cannot show stays as it was (cards, templates).
	for (const a of (editing && editing.then) || [])
		if (a.reply && (a.reply.generic || a.reply.template)) then.unshift(a);
	if ($('r-tag').value.trim()) then.push({ tag: $('r-tag').value.trim() });
	if ($('r-group').value) then.push({ assign: { group: Number($('r-group').value) } });
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
	$('r-buttons').replaceChildren();
	buttonsChanged();
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
		if (key === 'reply' && v && Array.isArray(v.buttons)) v.buttons.forEach((b) => buttonRow(b));
		if (key === 'tag') $('r-tag').value = v;
		if (key === 'assign' && v && typeof v === 'object') {
			const g = groupList.find((x) => x.id === v.group || x.name === v.group);
			if (g) $('r-group').value = String(g.id);
		}
		if (key === 'escalate') $('r-escalate').checked = true;
		if (key === 'bot') $('r-bot').checked = true;
		if (key === 'close') $('r-close').checked = true;
		if (key === 'stop') $('r-stop').checked = true;
	}
	whenChanged();
	$('r-name').focus();
}

$('r-when').addEventListener('change', whenChanged);
$('r-button-add').addEventListener('click', () => buttonRow().focus());
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
	for (const m of list) {
		const li = el('li', {}, el('strong', {}, m.name), `: ${thenText(m.then)}`);
		// What would be sent, filled as far as a typed message allows.
		for (const s of m.sends || []) {
			const p = s.payload || {};
			const text = s.kind === 'text' ? s.text : p.text || (p.elements || []).map((e) => e.title).join(' · ');
			const labels = (p.buttons || []).concat(...(p.elements || []).map((e) => e.buttons || []));
			li.append(el('div', { className: 'test-send small' }, 'Sends: ', el('q', {}, text || ''),
				...labels.map((b) => el('span', { className: 'btn-label' }, b.title)),
				s.refused ? el('span', { className: 'muted' }, ` (refused: ${s.refused})`) : ''));
		}
		ul.append(li);
	}
	out.append(ul);
});

// Groups of people: listed with their members, edited in the form
// below the list (a checkbox per person).
async function loadGroups() {
	const r = await api('GET', 'groups');
	groupList = r.groups || [];
	people = r.people || [];
	const names = new Map(people.map((p) => [p.id, p.name]));
	$('groups').replaceChildren(...(groupList.length ? groupList.map((g) => {
		const li = el('li', { className: 'group-row' }, el('strong', {}, g.name), ': ',
			g.members.length ? g.members.map((id) => names.get(id) || `user ${id}`).join(', ') : el('span', { className: 'muted' }, 'nobody yet'), ' ');
		const box = el('span', { className: 'row-actions' },
			el('button', { type: 'button', className: 'btn btn-small', 'aria-label': `Edit group ${g.name}`, onclick: () => editGroup(g) }, 'Edit'),
			el('button', { type: 'button', className: 'btn btn-danger btn-small', 'aria-label': `Delete group ${g.name}`,
				onclick: () => confirmIn(box, `Delete group "${g.name}"?`, 'Yes, delete', () => removeGroup(g), { danger: true }) }, 'Delete'));
		li.append(box);
		return li;
	}) : [el('li', { className: 'muted' }, 'No groups yet.')]));
	const keep = $('r-group').value;
	$('r-group').replaceChildren(el('option', { value: '' }, 'No group'),
		...groupList.map((g) => el('option', { value: String(g.id) }, g.name)));
	$('r-group').value = groupList.some((g) => String(g.id) === keep) ? keep : '';
	drawPeople(editingGroup ? editingGroup.members : []);
}

function drawPeople(members) {
	$('g-people').replaceChildren(...(people.length ? people.map((p) => el('label', { className: 'g-person' },
		el('input', { type: 'checkbox', value: String(p.id), checked: members.includes(p.id) }), ` ${p.name}`))
		: [el('span', { className: 'muted' }, 'Nobody to add yet.')]));
}

function resetGroup() {
	editingGroup = null;
	$('g-name').value = '';
	$('g-name-label').textContent = 'New group\'s name';
	$('g-submit').textContent = 'Add group';
	$('g-cancel').hidden = true;
	drawPeople([]);
}

function editGroup(g) {
	editingGroup = g;
	$('g-name').value = g.name;
	$('g-name-label').textContent = `Group "${g.name}": name`;
	$('g-submit').textContent = 'Save group';
	$('g-cancel').hidden = false;
	drawPeople(g.members);
	$('g-name').focus();
}

async function removeGroup(g) {
	try {
		await api('DELETE', `groups/${g.id}`);
		if (editingGroup && editingGroup.id === g.id) resetGroup();
	} catch (e) {
		showAlert($('g-alert'), e.message);
	}
	await loadGroups();
}

$('g-cancel').addEventListener('click', resetGroup);
$('group-form').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const b = { name: $('g-name').value.trim(),
		members: [...$('g-people').querySelectorAll('input:checked')].map((c) => Number(c.value)) };
	if (!b.name) { showAlert($('g-alert'), 'Give the group a name.'); return; }
	try {
		if (editingGroup) await api('PUT', `groups/${editingGroup.id}`, b);
		else await api('POST', 'groups', b);
		showAlert($('g-alert'), '');
		resetGroup();
		await loadGroups();
	} catch (e) {
		showAlert($('g-alert'), e.message);
	}
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
		? 'Signing secret: one is set; leave the box empty to keep it.' : 'Signing secret: Standard Webhooks (whsec_...), 16 bytes or more.';
	const k = await api('GET', 'settings/retention');
	$('k-keep').checked = !!k.keep_deleted_text;
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

// What people take back: kept (marked unsent) or removed.
$('retention').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	try {
		const k = await api('PUT', 'settings/retention', { keep_deleted_text: $('k-keep').checked });
		$('k-keep').checked = !!k.keep_deleted_text;
		showAlert($('k-alert'), 'Saved.', 'ok');
	} catch (e) {
		showAlert($('k-alert'), e.message);
	}
});

whenChanged();
if (await load()) {
	await loadGroups();
	await load();	// the rules again, their groups named
	await loadSettings();
}
