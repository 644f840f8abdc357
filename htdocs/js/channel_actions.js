// What admins do with channels on the Channels page: connect a
// WhatsApp number by form (POST /api/channels/whatsapp: WABA id, phone
// number id, a system-user token and an optional PIN; the token is a
// password field, sent once and never shown again), and per row, in a
// "Manage" menu: Rename (PATCH /api/channels/ID), Re-subscribe (POST
// .../subscribe), Move to another workspace (the operator: POST
// .../move), Disconnect (DELETE, after an in-page confirmation), and
// its sending settings (PATCH: human_agent for Messenger/Instagram,
// send_rate, mark_read), summed up in the menu.  Every value
// reaches the page as text (el(), textContent), never as HTML.
import { api, el, showAlert } from './api.js';
import { confirmIn, typedConfirm } from './ops.js';

const ID = /^[0-9]{1,64}$/;

// waForm({form, waba, phone, token, pin, submit, result, done}): wire
// the WhatsApp form; done() runs after a success.
export function waForm(o) {
	o.form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const body = {
			waba_id: o.waba.value.trim(),
			phone_number_id: o.phone.value.trim(),
			token: o.token.value.trim(),
		};
		const pin = o.pin.value.trim();
		for (const f of [o.waba, o.phone, o.token, o.pin]) f.removeAttribute('aria-invalid');
		const bad = !ID.test(body.waba_id) ? [o.waba, 'The WhatsApp business account id: digits only.']
			: !ID.test(body.phone_number_id) ? [o.phone, 'The phone number id (not the number itself): digits only.']
				: !body.token ? [o.token, 'Paste the system user\'s access token.']
					: pin && !/^[0-9]{6}$/.test(pin) ? [o.pin, 'The PIN has six digits.'] : null;
		if (bad) {
			bad[0].setAttribute('aria-invalid', 'true');
			showAlert(o.result, bad[1], 'error');
			bad[0].focus();
			return;
		}
		if (pin) body.pin = pin;
		o.submit.disabled = true;
		try {
			const r = await api('POST', 'channels/whatsapp', body);
			const ch = (r && r.channel) || {};
			const n = r && typeof r.rerouted === 'number' ? r.rerouted : 0;
			let text = `Connected ${ch.name || body.phone_number_id}`;
			if (r && r.display_phone_number) text += ` (${r.display_phone_number})`;
			text += `. ${n === 0 ? 'No earlier event was waiting for it.' : `${n} earlier event${n === 1 ? ' was' : 's were'} routed.`}`;
			if (r && r.warning) text += ` ${r.warning}`;
			showAlert(o.result, text, r && r.warning ? 'error' : 'ok');
			o.form.reset();
			if (o.done) await o.done(r);
		} catch (e) {
			// The server names the part that is wrong; the token
			// stays only in its (password) field.
			showAlert(o.result, e.message, 'error');
		} finally {
			body.token = '';
			o.submit.disabled = false;
		}
	});
}

// The sending settings of channel c in words.
export function sendingSummary(c) {
	const parts = [];
	if (c.kind !== 'whatsapp') parts.push(`HUMAN_AGENT ${c.human_agent ? 'on' : 'off'}`);
	parts.push(Number.isSafeInteger(c.send_rate) && c.send_rate > 0 ? `${c.send_rate}/s` : 'default rate');
	parts.push(`mark read ${c.mark_read === false ? 'off' : 'on'}`);
	return parts.join(' · ');
}

// settingsForm(c, box, o): replace box's content with the sending
// settings form of channel c; back() puts the buttons back.
function settingsForm(c, box, o, label, back) {
	const ha = el('input', { type: 'checkbox', checked: !!c.human_agent, 'aria-label': `HUMAN_AGENT for ${label}` });
	const rate = el('input', { type: 'number', min: '0', max: '1000', step: '1', className: 'input-small',
		value: Number.isSafeInteger(c.send_rate) && c.send_rate > 0 ? String(c.send_rate) : '',
		placeholder: 'default', 'aria-label': `Messages per second for ${label}` });
	const mr = el('input', { type: 'checkbox', checked: c.mark_read !== false, 'aria-label': `Mark read for ${label}` });
	const save = el('button', { type: 'submit', className: 'btn btn-small' }, 'Save');
	const cancel = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, 'Cancel');
	const parts = [];
	if (c.kind !== 'whatsapp') {
		parts.push(el('label', { className: 'inline', title: "Answer 24 hours to 7 days after the person's last message (needs Meta's Human Agent permission)" },
			ha, ' HUMAN_AGENT'));
	}
	parts.push(el('label', { className: 'inline' }, 'Rate ', rate, ' /s'));
	parts.push(el('label', { className: 'inline' }, mr, ' mark read'));
	const form = el('form', { className: 'row-actions' }, ...parts, save, cancel);
	cancel.addEventListener('click', back);
	form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); back(); } });
	form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const r = rate.value.trim() === '' ? 0 : Number(rate.value);
		if (!Number.isInteger(r) || r < 0 || r > 1000) {
			rate.setAttribute('aria-invalid', 'true');
			rate.focus();
			return;
		}
		const body = { send_rate: r, mark_read: mr.checked };
		if (c.kind !== 'whatsapp') body.human_agent = ha.checked;
		save.disabled = true;
		try {
			await api('PATCH', `channels/${c.id}`, body);
			showAlert(o.alert, `Sending settings of ${label} saved.`, 'ok');
			await o.done();
		} catch (e) { showAlert(o.alert, e.message, 'error'); back(); }
	});
	box.replaceChildren(form);
	(c.kind !== 'whatsapp' ? ha : rate).focus();
}

// moveForm(c, box, o, label, back): the operator's form moving
// channel c to another workspace (GET /api/workspaces, POST
// /api/channels/ID/move), its name typed to confirm.
async function moveForm(c, box, o, label, back) {
	let list = [];
	try {
		const r = await api('GET', 'workspaces');
		list = (r && Array.isArray(r.workspaces) ? r.workspaces : []).filter((w) => Number.isSafeInteger(w.id) && w.id !== o.workspace);
	} catch (e) { showAlert(o.alert, e.message, 'error'); back(); return; }
	if (!list.length) { showAlert(o.alert, 'There is no other workspace to move it to.', 'error'); back(); return; }
	const pick = el('select', { 'aria-label': `Workspace to move ${label} to` },
		...list.map((w) => el('option', { value: String(w.id) }, String(w.name || `#${w.id}`))));
	const go = el('button', { type: 'button', className: 'btn btn-small' }, 'Move…');
	const cancel = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, 'Cancel');
	const form = el('div', { className: 'row-actions row-form' },
		el('span', { className: 'small' }, 'Move to'), pick, go, cancel);
	cancel.addEventListener('click', back);
	form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); back(); } });
	go.addEventListener('click', () => {
		const to = list.find((w) => String(w.id) === pick.value);
		const word = String(c.name || c.meta_id || '');
		// The question takes the form's place; its Cancel brings
		// the form back.
		typedConfirm(box, `Move ${label} with its conversations to ${to.name}? People of this workspace lose it.`, word, 'Move', async () => {
			try {
				await api('POST', `channels/${c.id}/move`, { workspace_id: to.id });
				showAlert(o.alert, `Moved ${label} to ${to.name}.`, 'ok');
				await o.done();
			} catch (e) { showAlert(o.alert, e.message, 'error'); }
		});
	});
	box.replaceChildren(form);
	pick.focus();
}

// actionsCell(c, {alert, done, operator, workspace}): a "Manage" menu of channel
// c for an admin (a details element: keyboard and screen readers know
// it), with Rename, Sending settings, Re-subscribe, Move (the
// operator), Disconnect and Disconnect-and-delete; each opens its form
// or question in the menu.  done() reloads.
export function actionsCell(c, o) {
	const box = el('div', { className: 'row-actions row-menu-items' });
	if (!Number.isSafeInteger(c.id)) return box;
	const label = String(c.name || c.meta_id || '');
	const menu = el('details', { className: 'row-menu' },
		el('summary', { className: 'btn btn-secondary btn-small', 'aria-label': `Manage ${label}` }, 'Manage'),
		el('div', { className: 'row-menu-panel' },
			el('p', { className: 'muted small sending-summary' }, sendingSummary(c)), box));
	const fail = (e) => showAlert(o.alert, e.message, 'error');
	const btn = (text, aria, cls = 'btn-secondary') => el('button', { type: 'button', className: `btn ${cls} btn-small`, 'aria-label': aria }, text);
	const rename = btn('Rename', `Rename ${label}`);
	rename.addEventListener('click', () => {
		const before = [...box.childNodes];
		const input = el('input', { type: 'text', maxLength: 200, value: String(c.name || ''), 'aria-label': `New name of ${label}` });
		const save = el('button', { type: 'submit', className: 'btn btn-small' }, 'Save');
		const cancel = el('button', { type: 'button', className: 'btn btn-secondary btn-small' }, 'Cancel');
		const form = el('form', { className: 'row-actions row-form' }, input, save, cancel);
		const back = () => { box.replaceChildren(...before); rename.focus(); };
		cancel.addEventListener('click', back);
		form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); back(); } });
		form.addEventListener('submit', async (ev) => {
			ev.preventDefault();
			const name = input.value.trim();
			if (!name) { input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
			save.disabled = true;
			try {
				await api('PATCH', `channels/${c.id}`, { name });
				showAlert(o.alert, `Renamed to ${name}.`, 'ok');
				await o.done();
			} catch (e) { fail(e); back(); }
		});
		box.replaceChildren(form);
		input.focus();
	});
	const sending = btn('Sending settings', `Sending settings of ${label}`);
	sending.title = sendingSummary(c);
	sending.addEventListener('click', () => {
		const before = [...box.childNodes];
		settingsForm(c, box, o, label, () => { box.replaceChildren(...before); sending.focus(); });
	});
	const parts = [rename, sending];
	// Re-subscribing needs the channel's token.
	if ((c.kind === 'page' || c.kind === 'whatsapp') && c.token_status !== 'none' && c.token_status !== 'revoked') {
		const sub = btn('Re-subscribe', `Re-subscribe ${label}`);
		sub.addEventListener('click', async () => {
			sub.disabled = true;
			try {
				const r = await api('POST', `channels/${c.id}/subscribe`);
				const f = (r && r.channel && r.channel.subscribed_fields) || [];
				showAlert(o.alert, `${label} is subscribed: ${f.join(', ') || 'no field'}.`, 'ok');
				await o.done();
			} catch (e) { fail(e); } finally { sub.disabled = false; }
		});
		parts.push(sub);
	}
	if (o.operator) {
		const move = btn('Move to workspace…', `Move ${label} to another workspace`);
		move.addEventListener('click', () => {
			const before = [...box.childNodes];
			moveForm(c, box, o, label, () => { box.replaceChildren(...before); move.focus(); });
		});
		parts.push(move);
	}
	if (c.token_status !== 'revoked' || (c.subscribed_fields || []).length) {
		const off = btn('Disconnect', `Disconnect ${label}`, 'btn-danger');
		const slot = el('span', {}, off);
		off.addEventListener('click', () => confirmIn(slot, `Disconnect ${label}? Its token is erased; its conversations stay.`, 'Disconnect', async () => {
			try {
				const r = await api('DELETE', `channels/${c.id}`);
				showAlert(o.alert, r && r.meta_error ? `Disconnected ${label}, but: ${r.meta_error}`
					: `Disconnected ${label}: unsubscribed at Meta, token erased.`, r && r.meta_error ? 'error' : 'ok');
				await o.done();
			} catch (e) { fail(e); }
		}, { danger: true }));
		parts.push(slot);
		// Disconnect and delete its conversations: the name typed.
		const word = String(c.name || c.meta_id || '');
		const wipe = btn('Delete conversations…', `Disconnect ${label} and delete its conversations`, 'btn-danger');
		const wslot = el('span', {}, wipe);
		wipe.addEventListener('click', () => typedConfirm(wslot, `Disconnect ${label} and delete all its conversations and messages?`, word, 'Disconnect and delete', async () => {
			try {
				const q = new URLSearchParams({ conversations: 'delete', confirm: word });
				const r = await api('DELETE', `channels/${c.id}?${q}`);
				showAlert(o.alert, `Disconnected ${label}; ${r && Number.isFinite(r.messages_deleted) ? r.messages_deleted : 0} messages deleted.`, 'ok');
				await o.done();
			} catch (e) { fail(e); }
		}));
		parts.push(wslot);
	}
	box.append(...parts);
	// Escape closes the menu (a form inside handles its own first).
	menu.addEventListener('keydown', (e) => {
		if (e.key === 'Escape' && !e.defaultPrevented && menu.open && !box.querySelector('form, .confirm, .row-form')) {
			menu.open = false;
			menu.querySelector('summary').focus();
		}
	});
	return menu;
}
