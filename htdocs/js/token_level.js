// A channel's token level on the Channels page: the level as a badge
// (ok, notice, warning, critical, invalid), why in words, what to do
// with a link for it (reconnect and grant: Meta's Login; resubscribe:
// the words name the row's Re-subscribe button), and, for admins,
// "Check now" (POST /api/channels/ID/check), which checks the token
// and the subscription at Meta at once and shows the new state.
// Every value reaches the page as text, never as HTML.
import { api, el, showAlert, when } from './api.js';

const LEVELS = ['ok', 'notice', 'warning', 'critical', 'invalid'];

// The Login a channel's token comes back from.
function loginHref(c) {
	return c.platform === 'instagram' && c.token_link !== 'grant' && /instagram/.test(String(c.token_words || ''))
		? '/oauth/login?platform=instagram' : '/oauth/login?platform=facebook';
}

function actionNode(c) {
	const action = String(c.token_action || '');
	if (c.token_link === 'reconnect' || c.token_link === 'grant') {
		return el('span', {}, `${action} `, el('a', { href: loginHref(c) }, c.token_link === 'grant' ? 'Grant permissions' : 'Reconnect'));
	}
	return el('span', {}, action);
}

// tokenCell(c, {admin, alert}): the level, words and action of channel
// c; admins get "Check now", which replaces the cell's content with the
// checked state.
export function tokenCell(c, o) {
	const box = el('div', { className: 'token-cell' });
	const draw = (ch) => {
		const level = LEVELS.includes(ch.token_level) ? ch.token_level : 'ok';
		const parts = [
			el('span', { className: `badge level-${level}`, 'data-level': level }, level),
			el('span', { className: 'token-words' }, ` ${String(ch.token_words || '')}`),
		];
		if (level !== 'ok') parts.push(el('div', { className: 'token-action small' }, actionNode(ch)));
		if (ch.token_checked_at) parts.push(el('div', { className: 'muted small' }, `checked ${when(ch.token_checked_at)}`));
		if (o.admin && Number.isSafeInteger(ch.id)) {
			const b = el('button', { type: 'button', className: 'btn btn-secondary btn-small token-check',
				'aria-label': `Check the token of ${String(ch.name || ch.meta_id || '')} now` }, 'Check now');
			b.addEventListener('click', async () => {
				b.disabled = true;
				b.textContent = 'Checking…';
				try {
					const r = await api('POST', `channels/${ch.id}/check`, {});
					if (r && r.channel) draw(r.channel);
				} catch (e) {
					showAlert(o.alert, e.message, 'error');
					b.disabled = false;
					b.textContent = 'Check now';
				}
			});
			parts.push(el('div', {}, b));
		}
		box.replaceChildren(...parts);
	};
	draw(c);
	return box;
}
