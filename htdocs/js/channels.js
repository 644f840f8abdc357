// The channels of the workspace (GET /api/channels): name, platform,
// Meta id, token state (with how its sends are going), last event
// (linked to its events) and messages today.
// Admins connect accounts with Facebook Login (/oauth/login) and
// WhatsApp numbers by form, and rename, re-subscribe and disconnect
// channels (channel_actions.js); the operator also connects by hand
// (connect.js).
import { api, el, showAlert, when } from './api.js';
import { frame, allowed, operator } from './frame.js';
import { platformBadge, num, shortMs } from './ops.js';
import { items, fill } from './list.js';
import { connectForm } from './connect.js';
import { waForm, actionsCell } from './channel_actions.js';
import { signupBox } from './signup.js';
import { tokenCell } from './token_level.js';

const $ = (id) => document.getElementById(id);
const s = await frame('channels.html');
const admin = allowed(s, 'admin');
const op = operator(s);


// How the channel's sends are going (c.sending): a badge when they
// are held back (the circuit breaker after failures at Meta, or a
// token that needs reconnecting) or waiting in the queue.
function sendingBadge(c) {
	const sd = c.sending;
	if (!sd || typeof sd !== 'object') return null;
	const queued = Number.isSafeInteger(sd.queued) && sd.queued > 0 ? `, ${sd.queued} queued` : '';
	if (sd.breaker === 'open') {
		const until = Number.isSafeInteger(sd.until) ? ` until ${new Date(sd.until).toLocaleTimeString()}` : '';
		return el('span', { className: 'badge badge-warn', 'data-sending': 'open' }, `sends held back${until}: Meta keeps failing${queued}`);
	}
	if (sd.breaker === 'half_open') return el('span', { className: 'badge badge-warn', 'data-sending': 'half_open' }, `trying one send${queued}`);
	if (sd.paused && sd.queued > 0) return el('span', { className: 'badge badge-off', 'data-sending': 'paused' }, `sends paused${queued}`);
	if (sd.queued > 0) return el('span', { className: 'badge', 'data-sending': 'queued' }, `${sd.queued} queued`);
	return null;
}

// A WhatsApp number's account events (c.account_state, c.notices):
// a badge when one threatens sending, and the latest events listed.
const NOTICE_FIELD = {
	account_update: 'account', phone_number_quality_update: 'quality',
	phone_number_name_update: 'display name', message_template_status_update: 'template',
	message_template_quality_update: 'template quality', template_category_update: 'template category',
};
function accountNode(c) {
	if (!Array.isArray(c.notices) || !c.notices.length) return null;
	const box = el('span', { className: 'account-notices' });
	if (typeof c.account_state === 'string') {
		box.append(el('span', { className: 'badge badge-warn', 'data-account': c.account_state }, `account: ${c.account_state}`), ' ');
	}
	const list = el('ul', { className: 'small' }, ...c.notices.map((n) => {
		const name = n.detail && typeof n.detail === 'object' && typeof n.detail.message_template_name === 'string' ? ` “${n.detail.message_template_name}”` : '';
		return el('li', { 'data-level': String(n.level) }, `${NOTICE_FIELD[n.field] || String(n.field)}${name}: ${String(n.word)}`,
			Number.isSafeInteger(n.at) ? el('span', { className: 'muted' }, ` · ${new Date(n.at).toLocaleString()}`) : '');
	}));
	box.append(el('details', { className: 'notices' }, el('summary', {}, `${c.notices.length} account event${c.notices.length === 1 ? '' : 's'}`), list));
	return box;
}

async function load() {
	let data = null;
	try {
		data = await api('GET', 'channels');
	} catch (e) {
		showAlert($('alert'), e.message);
	}
	// Instagram Login (no Page needed) when its app is configured.
	$('connect-instagram').hidden = !(admin && data && data.connect && data.connect.instagram === true);
	fill($('channels'), items(data, 'channels'), [
		(c) => String(c.name || c.meta_id || ''),
		(c) => platformBadge(c.platform),
		(c) => el('code', {}, String(c.meta_id ?? '')),
		(c) => el('span', {}, tokenCell(c, { admin, alert: $('alert') }), sendingBadge(c) ? ' ' : null, sendingBadge(c), accountNode(c) ? ' ' : null, accountNode(c)),
		(c) => el('span', {}, c.last_event_at ? el('span', { title: when(c.last_event_at) }, shortMs(c.last_event_at * 1000)) : el('span', { className: 'muted' }, 'no event yet'),
			Number.isSafeInteger(c.id) ? el('br') : null,
			Number.isSafeInteger(c.id) ? el('a', { href: `events.html?channel=${c.id}`, className: 'small' }, 'Events') : null),
		(c) => (Number.isSafeInteger(c.messages_today) ? el('span', { className: 'num' }, num(c.messages_today)) : ''),
		...(admin ? [(c) => actionsCell(c, { alert: $('alert'), done: load, operator: op, workspace: s.workspace && s.workspace.id })] : []),
	], 'No channel yet: connect a Page, an Instagram account or a WhatsApp number.');
}

if (admin) {
	$('connect-facebook').hidden = false;
	$('actions-h').hidden = false;
	$('wa-box').hidden = false;
	waForm({
		form: $('wa'), waba: $('wa-waba'), phone: $('wa-phone'), token: $('wa-token'), pin: $('wa-pin'),
		submit: $('wa-submit'), result: $('wa-result'), done: load,
	});
}
if (admin) {
	signupBox({
		box: $('signup-box'), pin: $('signup-pin'), button: $('signup-start'),
		result: $('signup-result'), done: load,
	});
}
if (admin && op) {
	$('connect-box').hidden = false;
	connectForm({
		form: $('connect'), kind: $('c-kind'), meta: $('c-meta'), name: $('c-name'),
		submit: $('c-submit'), result: $('connect-result'), alert: $('alert'),
		done: load,
	});
}
await load();
