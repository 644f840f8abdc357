// One person's data, for the workspace's admins (api_contacts.c):
// "Export" downloads everything held about the contact as JSON;
// "Forget this person" erases it after the admin types the word
// FORGET in the page (their messages, the conversation, the contact
// and their entries in the channel's raw events).
import { api, el, showAlert } from './api.js';
import { typedConfirm } from './ops.js';

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
	forget.addEventListener('click', () => typedConfirm(slot, `Erase everything about ${label}?`, WORD, 'Forget', async () => {
		try {
			const r = await api('DELETE', `contacts/${id}`);
			showAlert(o.alert, (r && typeof r.summary === 'string') ? `Forgotten: ${r.summary}` : 'Forgotten.', 'ok');
			if (o.done) await o.done(r);
		} catch (err) {
			showAlert(o.alert, err.message);
		}
	}));
	box.append(exp, slot);
	return box;
}
