// The sign-in page: POST /api/session with {email, password}; on
// success to the page the user came for (?next=, a page of this site
// only) or the dashboard.
import { api, showAlert } from './api.js';

const form = document.getElementById('login');
const alertBox = document.getElementById('alert');
const button = document.getElementById('submit');

// next: a relative page name of this site, never another origin.
function next() {
	const n = new URLSearchParams(location.search).get('next') || '';
	return /^[a-z]+\.html(\?[^\s#]*)?$/.test(n) && !n.startsWith('login.html') ? n : 'index.html';
}

function wait(seconds) {
	if (!seconds || seconds < 1) return 'a moment';
	if (seconds < 90) return `${seconds} seconds`;
	return `${Math.ceil(seconds / 60)} minutes`;
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	const email = form.email.value.trim();
	const password = form.password.value;
	if (!email || !password) {
		showAlert(alertBox, 'Enter your e-mail and password.');
		(email ? form.password : form.email).focus();
		return;
	}
	button.disabled = true;
	showAlert(alertBox, '');
	try {
		await api('POST', 'session', { email, password });
		location.assign(next());
		return;
	} catch (e) {
		let msg;
		if (e.status === 401) msg = 'Wrong e-mail or password.';
		else if (e.status === 429) msg = `Too many attempts. Try again in ${wait(e.retryAfter)}.`;
		else if (e.status === 0) msg = e.message;
		else msg = `Signing in failed (${e.status}). Try again later.`;
		showAlert(alertBox, msg);
		form.password.value = '';
		form.password.focus();
	}
	button.disabled = false;
});
