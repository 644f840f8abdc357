// One person's data, for the workspace's admins (api_contacts.c):
// "Export" downloads everything held about the contact as JSON;
// "Forget this person" erases it after the admin types the word
// FORGET in the page (their messages, the conversation, the contact
// and their entries in the channel's raw events).
import { api, el, showAlert } from './api.js';

const WORD = 'FORGET';

// contactTools(contact, {alert, done}): a group of the two actions for
// contact {id, name}; done() runs after the person was forgotten.
export function contactTools(contact, o) {
	const id = Number(contact && contact.id);
	const box = el('div', { className: 'contact-tools', role: 'group', 'aria-label': 'This person\'s data' });
	if (!Number.isSafeInteger(id) || id <= 0) return box;
	const label = String((contact && contact.name) || 'this person');
	const exp = el('a', { className: 'btn btn-secondary btn-small', href: `/api/contacts/${id}/export`, download: `contact-${id}.json` }, 'Export data');
	const forget = el('button', { type: 'button', className: 'btn btn-danger btn-small' }, 'Forget this person');
	const slot = el('span', {}, forget);
	forget.addEventListener('click', () => {
		const input = el('input', { type: 'text', autocomplete: 'off', spellcheck: false, 'aria-label': `Type ${WORD} to forget ${label}` });
		const yes = el('button', { type: 'submit', className: 'btn btn-danger btn-small', disabled: true }, 'Forget');
		const no = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, 'Cancel');
		const form = el('form', { className: 'confirm', novalidate: true },
			el('span', { className: 'confirm-text' }, `Erase everything about ${label}? Type ${WORD}:`), input, yes, no);
		const back = () => { slot.replaceChildren(forget); forget.focus(); };
		input.addEventListener('input', () => { yes.disabled = input.value.trim() !== WORD; });
		no.addEventListener('click', back);
		form.addEventListener('keydown', (e) => { if (e.key === 'Escape') back(); });
		form.addEventListener('submit', async (e) => {
			e.preventDefault();
			if (input.value.trim() !== WORD) return;
			yes.disabled = true;
			try {
				const r = await api('DELETE', `contacts/${id}`);
				showAlert(o.alert, (r && typeof r.summary === 'string') ? `Forgotten: ${r.summary}` : 'Forgotten.', 'ok');
				if (o.done) await o.done(r);
			} catch (err) {
				showAlert(o.alert, err.message);
				back();
			}
		});
		slot.replaceChildren(form);
		input.focus();
	});
	box.append(exp, slot);
	return box;
}
