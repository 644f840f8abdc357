// Users of the workspace (owners only): add one with a one-time
// set-password link, change a role, disable, remove from the workspace
// (after a confirmation in the row itself).
import { api, el, showAlert } from './api.js';
import { frame } from './frame.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
const ROLES = ['agent', 'admin', 'owner'];

await frame('users.html');

async function load() {
	let data;
	try {
		data = await api('GET', 'users');
	} catch (e) {
		showAlert($('alert'), e.status === 403
			? 'Only owners of this workspace can see and manage its users.' : e.message);
		$('content').hidden = true;
		return;
	}
	$('content').hidden = false;
	fill($('users'), items(data, 'users'), [
		(u) => u.name || '',
		(u) => u.email || '',
		(u) => {
			const sel = el('select', { 'aria-label': `Role of ${u.email || u.name || ''}` });
			for (const r of ROLES) sel.append(el('option', { value: r, selected: u.role === r }, r));
			sel.addEventListener('change', () => change(u, { role: sel.value }));
			return sel;
		},
		(u) => el('span', { className: u.disabled ? 'badge badge-off' : 'badge' }, u.disabled ? 'disabled' : 'active'),
		(u) => actions(u),
	], 'No users yet.');
}

// The buttons of a row: Disable, and Remove, which asks first in place.
function actions(u) {
	const box = el('span', { className: 'row-actions' });
	const who = u.email || u.name || '';
	const plain = () => {
		box.replaceChildren(...[
			u.disabled ? null : el('button', {
				type: 'button', className: 'btn btn-danger btn-small',
				onclick: () => change(u, { disabled: true }),
			}, 'Disable'),
			el('button', {
				type: 'button', className: 'btn btn-danger btn-small remove',
				'aria-label': `Remove ${who}`,
				onclick: ask,
			}, 'Remove'),
		].filter(Boolean));
	};
	const ask = () => {
		const yes = el('button', {
			type: 'button', className: 'btn btn-danger btn-small confirm-remove',
			onclick: () => remove(u),
		}, 'Yes, remove');
		box.replaceChildren(
			el('span', { className: 'confirm-text' }, `Remove ${who} from this workspace?`), ' ',
			yes, ' ',
			el('button', { type: 'button', className: 'btn btn-small cancel-remove', onclick: plain }, 'Cancel'),
		);
		yes.focus();
	};
	plain();
	return box;
}

async function remove(u) {
	try {
		await api('DELETE', `users/${encodeURIComponent(u.id)}`);
		showAlert($('alert'), '');
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	await load();
}

async function change(u, what) {
	try {
		await api('PATCH', `users/${encodeURIComponent(u.id)}`, what);
		showAlert($('alert'), '');
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	await load();
}

$('add').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const name = $('add-name').value.trim();
	const email = $('add-email').value.trim();
	if (!name || !email) { showAlert($('alert'), 'Enter a name and an e-mail.'); return; }
	$('add-submit').disabled = true;
	try {
		const r = await api('POST', 'users', { name, email, role: $('add-role').value });
		showAlert($('alert'), '');
		$('add-ok').textContent = `${name} was added.`;
		const link = r && (r.link || r.setup_link || r.url);
		$('add-link').textContent = link ? new URL(link, location.href).href : '';
		$('add-link').hidden = !link;
		$('add-result').hidden = false;
		$('add').reset();
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	$('add-submit').disabled = false;
	await load();
});

await load();
