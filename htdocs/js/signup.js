// WhatsApp Embedded Signup on the Channels page, without Meta's SDK:
// "Connect WhatsApp with Meta" opens a popup on /oauth/login?platform=
// whatsapp, which goes to Meta's signup (the fake's under the
// sandbox).  Meta's popup posts a message event, from an origin ending
// in facebook.com (under the sandbox: this site's), with
// {type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH'|'CANCEL'|'ERROR', data:
// {phone_number_id, waba_id, business_id}}: the ids are kept.  The
// popup then lands on hubgate's callback, whose page posts
// {type: 'hubgate-signup', result, pick} from this origin and closes;
// the pick (a one-time id of the business token the server keeps
// sealed), the ids and the PIN go to POST
// /api/channels/whatsapp/signup.  Every value reaches the page as text.
import { api, showAlert } from './api.js';

const ID = /^[0-9]{1,64}$/;

// 1 when origin is Meta's (https, facebook.com or a subdomain), or
// this site's under the sandbox.
function metaOrigin(origin, sandbox) {
	if (sandbox) return origin === window.location.origin;
	try {
		const u = new URL(origin);
		return u.protocol === 'https:' && (u.hostname === 'facebook.com' || u.hostname.endsWith('.facebook.com'));
	} catch (e) {
		return false;
	}
}

// Meta's message: a JSON string (or an object).
function parse(data) {
	if (typeof data === 'string') {
		try { return JSON.parse(data); } catch (e) { return null; }
	}
	return data && typeof data === 'object' ? data : null;
}

// signupBox({box, pin, button, result, done}): show the box when the
// server offers the signup, and wire it; done() runs after a channel
// was connected.
export async function signupBox(o) {
	let info;
	try {
		info = await api('GET', 'channels/whatsapp/signup');
	} catch (e) {
		return;
	}
	if (!info || !info.available) return;
	o.box.hidden = false;
	const sandbox = info.sandbox === true;
	let popup = null;
	let ids = {};
	let busy = false;

	const finish = async (pick) => {
		const body = { pick, pin: o.pin.value.trim() };
		if (ID.test(String(ids.waba_id ?? ''))) body.waba_id = String(ids.waba_id);
		if (ID.test(String(ids.phone_number_id ?? ''))) body.phone_number_id = String(ids.phone_number_id);
		showAlert(o.result, 'Meta finished the signup: connecting the number…', 'ok');
		try {
			const r = await api('POST', 'channels/whatsapp/signup', body);
			const ch = (r && r.channel) || {};
			let text = `Connected ${ch.name || body.phone_number_id || 'the number'}`;
			if (r && r.display_phone_number) text += ` (${r.display_phone_number})`;
			text += '.';
			if (r && r.warning) text += ` ${r.warning}`;
			showAlert(o.result, text, r && r.warning ? 'error' : 'ok');
			o.pin.value = '';
			if (o.done) await o.done(r);
		} catch (e) {
			showAlert(o.result, e.message, 'error');
		}
	};

	window.addEventListener('message', (ev) => {
		if (popup === null || ev.source !== popup) return;
		const m = parse(ev.data);
		if (!m) return;
		if (m.type === 'WA_EMBEDDED_SIGNUP' && metaOrigin(ev.origin, sandbox)) {
			if (m.event === 'FINISH' || m.event === 'FINISH_ONLY_WABA') {
				ids = m.data && typeof m.data === 'object' ? m.data : {};
			} else if (m.event === 'CANCEL') {
				showAlert(o.result, 'You left the WhatsApp signup before it finished: nothing was connected. You can start it again at any time.', 'error');
			} else if (m.event === 'ERROR') {
				const why = m.data && typeof m.data.error_message === 'string' ? ` Meta says: ${m.data.error_message}` : '';
				showAlert(o.result, `The WhatsApp signup failed.${why}`, 'error');
			}
			return;
		}
		if (m.type === 'hubgate-signup' && ev.origin === window.location.origin) {
			popup = null;
			busy = false;
			o.button.disabled = false;
			if (m.result === 'ok' && typeof m.pick === 'string') finish(m.pick);
			else if (m.result === 'cancel') showAlert(o.result, typeof m.message === 'string' ? m.message : 'Nothing was connected.', 'error');
			else showAlert(o.result, typeof m.message === 'string' ? m.message : 'The WhatsApp signup failed.', 'error');
		}
	});

	o.button.addEventListener('click', () => {
		if (busy && popup && !popup.closed) { popup.focus(); return; }
		const pin = o.pin.value.trim();
		o.pin.removeAttribute('aria-invalid');
		if (!/^[0-9]{6}$/.test(pin)) {
			o.pin.setAttribute('aria-invalid', 'true');
			showAlert(o.result, 'Choose the six-digit PIN that registers the number first.', 'error');
			o.pin.focus();
			return;
		}
		ids = {};
		popup = window.open('/oauth/login?platform=whatsapp', 'hubgate-wa-signup', 'popup,width=640,height=720');
		if (!popup) {
			showAlert(o.result, 'The browser blocked the signup window: allow pop-ups for this site and try again.', 'error');
			return;
		}
		busy = true;
		showAlert(o.result, 'Finish the signup in Meta\'s window.', 'ok');
	});
}
