// My account: the password, my sessions (revoke one, or all but this
// one), my API tokens (create, shown once; revoke).
import { api, el, showAlert, when } from './api.js';
import { frame } from './frame.js';
import { items, fill } from './list.js';

const $ = (id) => document.getElementById(id);
await frame('account.html');

async function sessions() {
	let data;
	try { data = await api('GET', 'sessions'); } catch (e) { showAlert($('alert'), e.message); return; }
	fill($('sessions'), items(data, 'sessions'), [
		(s) => s.browser || s.user_agent || '',
		(s) => s.address || '',
		(s) => when(s.created),
		(s) => when(s.last_seen),
		(s) => s.current ? el('span', { className: 'badge' }, 'this browser') : el('button', {
			type: 'button', className: 'btn btn-danger btn-small',
			onclick: async () => {
				try { await api('DELETE', `sessions/${encodeURIComponent(s.id)}`); } catch (e) { showAlert($('alert'), e.message); }
				await sessions();
			},
		}, 'Revoke'),
	], 'No other sessions.');
}

async function tokens() {
	let data;
	try { data = await api('GET', 'tokens'); } catch (e) { showAlert($('t-alert'), e.message); return; }
	fill($('tokens'), items(data, 'tokens'), [
		(t) => t.name || '',
		(t) => t.scope === 'read' ? 'read only' : 'my role',
		(t) => when(t.created),
		(t) => when(t.expires) || 'never',
		(t) => el('button', {
			type: 'button', className: 'btn btn-danger btn-small',
			onclick: async () => {
				try { await api('DELETE', `tokens/${encodeURIComponent(t.id)}`); } catch (e) { showAlert($('t-alert'), e.message); }
				await tokens();
			},
		}, 'Revoke'),
	], 'No API tokens.');
}

$('pw').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const cur = $('pw-current').value, pw = $('pw-new').value;
	if (pw.length < 10) { showAlert($('pw-alert'), 'The new password needs at least 10 characters.'); return; }
	if (pw !== $('pw-new2').value) { showAlert($('pw-alert'), 'The two new passwords differ.'); return; }
	$('pw-submit').disabled = true;
	try {
		await api('POST', 'password', { current_password: cur, password: pw });
		showAlert($('pw-alert'), 'Your password was changed. Your other sessions were signed out.', 'ok');
		$('pw').reset();
		await sessions();
	} catch (e) {
		showAlert($('pw-alert'), e.status === 401 || e.status === 403 ? 'The current password is wrong.' : e.message);
	}
	$('pw-submit').disabled = false;
});

$('s-all').addEventListener('click', async () => {
	/* Every other session, then this one: "everywhere" includes here. */
	try {
		await api('DELETE', 'sessions');
		await api('DELETE', 'session');
	} catch (e) { showAlert($('alert'), e.message); return; }
	location.replace('login.html');
});

$('t-add').addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const name = $('t-name').value.trim();
	if (!name) { showAlert($('t-alert'), 'Give the token a name.'); return; }
	$('t-submit').disabled = true;
	try {
		const r = await api('POST', 'tokens', { name, scope: $('t-scope').value });
		showAlert($('t-alert'), '');
		$('t-value').textContent = (r && r.token) || '';
		$('t-new').hidden = false;
		$('t-add').reset();
	} catch (e) {
		showAlert($('t-alert'), e.message);
	}
	$('t-submit').disabled = false;
	await tokens();
});

await Promise.all([sessions(), tokens()]);
