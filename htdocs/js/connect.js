// Connecting an account by hand (the install's operator only, as
// `hubgate-admin channel-add`: it proves no ownership of the account;
// everyone else connects with Meta's Login).  POST /api/channels with
// kind, meta_id and name; the answer says how many earlier unrouted
// events were routed and processed.  The pages show the form only to
// operators (frame.js operator()).
import { api, showAlert } from './api.js';
import { num } from './ops.js';

const KINDS = ['page', 'instagram', 'whatsapp'];

// connectForm({form, kind, meta, name, submit, result, alert, done}):
// wire the form's elements; done(answer) runs after a success.
export function connectForm(o) {
	o.form.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		const kind = o.kind.value;
		const metaId = o.meta.value.trim();
		const name = o.name.value.trim();
		if (!KINDS.includes(kind) || !/^[0-9]{1,64}$/.test(metaId)) {
			o.meta.setAttribute('aria-invalid', 'true');
			showAlert(o.result, 'Enter the account\'s Meta id: digits only.', 'error');
			o.meta.focus();
			return;
		}
		o.meta.removeAttribute('aria-invalid');
		o.submit.disabled = true;
		try {
			const body = { kind, meta_id: metaId };
			if (name) body.name = name;
			const r = await api('POST', 'channels', body);
			const n = r && typeof r.rerouted === 'number' ? r.rerouted : 0;
			const ch = (r && r.channel) || {};
			showAlert(o.result, `Connected ${ch.name || metaId}. ${n === 0 ? 'No earlier event was waiting for it.'
				: `${num(n)} earlier event${n === 1 ? ' was' : 's were'} routed and processed again.`}`, 'ok');
			o.form.reset();
			if (o.done) await o.done(r);
		} catch (e) {
			showAlert(o.result, e.status === 409 ? 'This account is connected already.'
				: e.status === 403 ? 'Only the operator of this hubgate connects an account by hand; use Facebook Login.'
					: e.message, 'error');
		} finally {
			o.submit.disabled = false;
		}
	});
}
