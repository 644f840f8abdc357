// The inbox's "Available for handovers" switch: the signed-in person's
// availability in the workspace (GET/PUT /api/settings/availability).
// The notice a customer gets on a handover counts the people available
// and, with nobody, says when someone will answer.
import { api } from './api.js';

const box = document.getElementById('available');

async function load() {
	try {
		const r = await api('GET', 'settings/availability');
		box.checked = !!r.available;
		box.closest('label').hidden = false;
	} catch (e) {
		/* Signed out: the frame goes to the sign-in page. */
	}
}

box.addEventListener('change', async () => {
	box.disabled = true;
	try {
		const r = await api('PUT', 'settings/availability', { available: box.checked });
		box.checked = !!r.available;
	} catch (e) {
		box.checked = !box.checked;
	} finally {
		box.disabled = false;
	}
});

load();
