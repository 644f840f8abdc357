// The setup page of a one-time link (?token=...): name, e-mail and a
// password typed twice, posted to POST /api/setup as
// {token, name, email, password}; then on to signing in.
import { api, showAlert } from './api.js';

const form = document.getElementById('setup');
const alertBox = document.getElementById('alert');
const button = document.getElementById('submit');
const token = new URLSearchParams(location.search).get('token') || '';
const MIN_PASSWORD = 10;
const $ = (id) => document.getElementById(id);

if (!token) {
	showAlert(alertBox, 'This page needs the setup link hubgate printed (it ends in ?token=...).');
	button.disabled = true;
}

function invalid(field, text) {
	field.setAttribute('aria-invalid', 'true');
	showAlert(alertBox, text);
	field.focus();
}

form.addEventListener('submit', async (ev) => {
	ev.preventDefault();
	for (const f of form.querySelectorAll('input')) f.removeAttribute('aria-invalid');
	const name = $('name').value.trim();
	const email = $('email').value.trim();
	const password = $('password').value;
	if (!name) return invalid($('name'), 'Enter your name.');
	if (!/^[^\s@]+@[^\s@]+$/.test(email)) return invalid($('email'), 'Enter a valid e-mail address.');
	if (password.length < MIN_PASSWORD)
		return invalid($('password'), `The password needs at least ${MIN_PASSWORD} characters.`);
	if (password !== $('password2').value) return invalid($('password2'), 'The two passwords differ.');
	button.disabled = true;
	showAlert(alertBox, '');
	try {
		await api('POST', 'setup', { token, name, email, password });
		form.hidden = true;
		document.getElementById('done').hidden = false;
		document.getElementById('to-login').focus();
		return;
	} catch (e) {
		if (e.status === 404 || e.status === 410 || e.status === 401)
			showAlert(alertBox, 'This setup link is no longer valid: it was used already or it expired.');
		else if (e.status === 429)
			showAlert(alertBox, 'Too many attempts. Try again later.');
		else
			showAlert(alertBox, e.message);
	}
	button.disabled = false;
});
