// The template picker of the reply box: when a WhatsApp conversation is
// beyond the 24-hour window, only an approved template may be sent.
// The number's templates come from GET /api/channels/ID/templates
// (cached by hubgate, fetched from Meta); the picker offers the
// approved ones by name and language, one input per {{n}} parameter of
// the body, and a preview of the filled body.  Sending posts
// {"template": {name, language, components}} through send(body, button,
// done), the reply box's sender.  Every text is put in with textContent.
import { api, el, showAlert } from './api.js';

const $ = (id) => document.getElementById(id);
const cache = new Map();	// channel id -> templates as listed

function bodyText(t) {
	const b = (t.components || []).find((c) => String(c.type).toUpperCase() === 'BODY');
	return (b && b.text) || '';
}

// The body with {{n}} replaced by the values given so far.
export function fill(text, values) {
	return text.replace(/\{\{(\d+)\}\}/g, (m, n) => {
		const v = values[Number(n) - 1];
		return v ? v : m;
	});
}

let current = null;	// { channel, list }

function picked() {
	if (!current || $('t-pick').value === '') return null;
	const i = Number($('t-pick').value);
	return Number.isInteger(i) && current.list[i] ? current.list[i] : null;
}

function values() {
	return [...document.querySelectorAll('#t-params input')].map((i) => i.value);
}

function preview() {
	const t = picked();
	$('t-preview').textContent = t ? fill(bodyText(t), values()) : '';
	$('t-preview-box').hidden = !t;
}

function drawParams() {
	const t = picked();
	const box = $('t-params');
	box.replaceChildren();
	for (let i = 1; t && i <= t.params; i++) {
		const id = `t-param-${i}`;
		const input = el('input', { type: 'text', id, required: true, maxLength: 1024 });
		input.addEventListener('input', preview);
		box.append(el('div', { className: 'field' }, el('label', { htmlFor: id }, `Parameter {{${i}}}`), input));
	}
	preview();
}

// Show the picker for conversation c (its channel's templates).
export async function showTemplates(c) {
	const alertBox = $('r-alert');
	$('t-pick').replaceChildren(el('option', { value: '' }, 'Loading the templates…'));
	$('t-params').replaceChildren();
	preview();
	let list = cache.get(c.channel_id);
	try {
		if (!list) {
			const d = await api('GET', `channels/${c.channel_id}/templates`);
			list = (d.templates || []).filter((t) => t.status === 'APPROVED');
			cache.set(c.channel_id, list);
		}
	} catch (e) {
		showAlert(alertBox, `The number's templates cannot be read: ${e.message}`);
		list = [];
	}
	current = { channel: c.channel_id, list };
	$('t-pick').replaceChildren(
		el('option', { value: '' }, list.length ? 'Choose a template' : 'No approved template'),
		...list.map((t, i) => el('option', { value: String(i) }, `${t.name} (${t.language})`)));
	drawParams();
}

// Wire the form: send(body, button, done) queues the message.
export function setupTemplates(send) {
	$('t-pick').addEventListener('change', drawParams);
	$('template').addEventListener('submit', (e) => {
		e.preventDefault();
		const t = picked();
		if (!t) { showAlert($('r-alert'), 'Choose a template first.'); return; }
		const v = values();
		if (v.some((x) => !x.trim())) { showAlert($('r-alert'), 'Fill in every parameter.'); return; }
		const template = { name: t.name, language: t.language };
		if (v.length) template.components = [{ type: 'body', parameters: v.map((text) => ({ type: 'text', text })) }];
		send({ template }, $('t-send'), () => { $('t-pick').value = ''; drawParams(); });
	});
}
