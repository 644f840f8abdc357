// What the inbox's reply box adds for sending more than text: an
// attachment by URL (POST /api/conversations/ID/messages with
// {attachment: {type, url, caption?}}; a caption on WhatsApp only,
// files not on Instagram), a quick-reply editor for Messenger (the
// comma list of the reply box shown as chips, with Meta's limits),
// typing indicators while a person writes (POST .../typing, Messenger
// and Instagram, at most every TYPING_MS, off when the box is left),
// and a reaction picker on the person's messages (POST
// .../messages/MID/reactions; "" removes it; Instagram takes only a
// heart).  inbox.js calls
// composeSetup once, composeRefresh when the conversation or its
// window changes, and reactionNode for each message it draws.  Every
// text goes in as text (el(), textContent).
import { api, el, showAlert } from './api.js';

const $ = (id) => document.getElementById(id);
const TYPING_MS = 8000;
const EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🙏'];
const QR_MAX = 13;
const QR_TITLE_MAX = 20;
const URL_MAX = 2048;
const TYPES = {
	messenger: ['image', 'video', 'audio', 'file'],
	instagram: ['image', 'video', 'audio'],
	whatsapp: ['image', 'video', 'audio', 'file'],
};

let ctx = null;		// { conv(), window(), send(body, btn, done), alert }
let typingAt = 0;	// when typing_on was last sent (ms), 0: off

function platform() {
	const c = ctx && ctx.conv();
	return c ? c.platform : '';
}

// POST what to the open conversation, quietly (typing) or saying why.
async function post(path, body, quiet) {
	const c = ctx.conv();
	if (!c) return;
	try {
		await api('POST', `conversations/${c.id}/${path}`, body);
	} catch (e) {
		if (!quiet) showAlert(ctx.alert, e.status === 422 || e.status === 404 ? `Not sent: ${e.message}` : e.message);
	}
}

// --- typing
function typing(on) {
	const p = platform();
	if ((p !== 'messenger' && p !== 'instagram') || ctx.window() !== 'open') return;
	const now = Date.now();
	if (on && now - typingAt < TYPING_MS) return;
	if (!on && !typingAt) return;
	typingAt = on ? now : 0;
	post('typing', { on }, true);
}

// --- the quick-reply editor: chips of the comma list
function drawChips() {
	const box = $('c-qr-chips');
	const parts = $('r-qr').value.split(',').map((x) => x.trim()).filter(Boolean);
	box.replaceChildren(...parts.map((t, i) => {
		const bad = [...t].length > QR_TITLE_MAX || i >= QR_MAX;
		return el('span', { className: `chip${bad ? ' chip-bad' : ''}`, title: bad ? (i >= QR_MAX
			? `Meta takes at most ${QR_MAX} quick replies` : `Meta takes at most ${QR_TITLE_MAX} characters`) : '' }, t);
	}));
	const over = parts.length > QR_MAX || parts.some((t) => [...t].length > QR_TITLE_MAX);
	$('r-qr').setAttribute('aria-invalid', over ? 'true' : 'false');
}

// --- the attachment by URL
function attachBox() {
	const type = el('select', { id: 'c-type', 'aria-label': 'Attachment type' });
	const url = el('input', { type: 'url', id: 'c-url', maxLength: URL_MAX, placeholder: 'https://…', 'aria-label': 'Attachment URL', inputMode: 'url' });
	const cap = el('input', { type: 'text', id: 'c-caption', maxLength: 1024, placeholder: 'Caption (optional)', 'aria-label': 'Caption' });
	const capField = el('div', { className: 'field', id: 'c-caption-box', hidden: true }, cap);
	const btn = el('button', { type: 'button', className: 'btn', id: 'c-send' }, 'Send attachment');
	const box = el('fieldset', { className: 'compose-attach', id: 'c-attach', hidden: true },
		el('legend', {}, 'Attachment by URL'),
		el('div', { className: 'form-row' },
			el('div', { className: 'field field-narrow' }, type),
			el('div', { className: 'field' }, url),
			capField),
		el('div', { className: 'hint muted small' }, 'An https link Meta can fetch (up to 25 MB); it is sent as it is, not stored by hubgate.'),
		btn);
	btn.addEventListener('click', () => {
		const u = url.value.trim();
		url.removeAttribute('aria-invalid');
		if (!/^https:\/\/[^\s/]/.test(u) || u.length > URL_MAX) {
			url.setAttribute('aria-invalid', 'true');
			showAlert(ctx.alert, 'The attachment needs an https URL (up to 2048 characters).');
			url.focus();
			return;
		}
		const attachment = { type: type.value, url: u };
		if (platform() === 'whatsapp' && type.value !== 'audio' && cap.value.trim()) attachment.caption = cap.value.trim();
		ctx.send({ attachment }, btn, () => { url.value = ''; cap.value = ''; $('c-attach').hidden = true; $('c-attach-toggle').setAttribute('aria-expanded', 'false'); });
	});
	type.addEventListener('change', () => { capField.hidden = platform() !== 'whatsapp' || type.value === 'audio'; });
	return box;
}

// composeSetup({conv, window, send, alert}): add the attachment box,
// the quick-reply chips and the typing indicator to the reply box.
export function composeSetup(o) {
	ctx = o;
	const toggle = el('button', { type: 'button', className: 'btn btn-secondary btn-small', id: 'c-attach-toggle', 'aria-expanded': 'false', 'aria-controls': 'c-attach' }, 'Attach by URL');
	toggle.addEventListener('click', () => {
		const box = $('c-attach');
		box.hidden = !box.hidden;
		toggle.setAttribute('aria-expanded', String(!box.hidden));
		if (!box.hidden) $('c-url').focus();
	});
	$('r-send').after(' ', toggle, attachBox());
	$('r-qr').after(el('div', { className: 'chips', id: 'c-qr-chips', 'aria-hidden': 'true' }));
	$('r-qr').addEventListener('input', drawChips);
	$('r-text').addEventListener('input', () => { if ($('r-text').value.trim()) typing(true); });
	$('r-text').addEventListener('blur', () => typing(false));
	$('reply').addEventListener('submit', () => { typingAt = 0; });
	composeRefresh();
}

// composeRefresh(): the conversation or its window changed.
export function composeRefresh() {
	if (!ctx) return;
	typingAt = 0;
	const p = platform();
	const sel = $('c-type');
	const want = TYPES[p] || TYPES.messenger;
	if ([...sel.options].map((x) => x.value).join() !== want.join())
		sel.replaceChildren(...want.map((t) => el('option', { value: t }, t === 'file' ? 'file (document)' : t)));
	$('c-caption-box').hidden = p !== 'whatsapp' || sel.value === 'audio';
	drawChips();
}

// reactionNode(m): a reaction picker for a message of the person, or
// null for what cannot be reacted to.
export function reactionNode(m) {
	if (m.direction !== 'in' || ['reaction', 'postback', 'unsend', 'deleted'].includes(m.kind) || !Number.isSafeInteger(m.id)) return null;
	const btn = el('button', { type: 'button', className: 'btn-link small react-open', 'aria-expanded': 'false', 'aria-label': 'React to this message' }, 'React');
	const pick = el('span', { className: 'react-pick', hidden: true, role: 'group', 'aria-label': 'Reactions' },
		...(platform() === 'instagram' ? ['❤️'] : EMOJI).map((e) => {
			const b = el('button', { type: 'button', className: 'react-emoji', 'aria-label': `React ${e}` }, e);
			b.addEventListener('click', () => { close(); post(`messages/${m.id}/reactions`, { emoji: e }); });
			return b;
		}),
		(() => {
			const b = el('button', { type: 'button', className: 'btn-link small', 'aria-label': 'Remove the reaction' }, 'Remove');
			b.addEventListener('click', () => { close(); post(`messages/${m.id}/reactions`, { emoji: '' }); });
			return b;
		})());
	function close() { pick.hidden = true; btn.setAttribute('aria-expanded', 'false'); }
	btn.addEventListener('click', () => {
		pick.hidden = !pick.hidden;
		btn.setAttribute('aria-expanded', String(!pick.hidden));
	});
	pick.addEventListener('keydown', (e) => { if (e.key === 'Escape') { close(); btn.focus(); } });
	return el('div', { className: 'react' }, btn, pick);
}
