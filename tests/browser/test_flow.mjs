// The whole sign-in flow in a real browser, against the accounts API
// (issue contract: POST /api/setup, /api/session, /api/users): the
// setup link that `make run` prints on a fresh data directory → choose
// a password → sign in → the frame shows the user and the workspace →
// create an agent → the agent, in a second browser context, signs in
// and cannot reach the users page → sign out → the owner signs in again
// and removes the agent, who is signed out.  The owner's name is
// markup (<img src=x onerror=alert(1)>): it is shown as text and no
// script runs (any dialog or console error fails the suite).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ok, eq, done, launch, newContext, watch, shot, DESKTOP, PHONE, setUp, signIn } from './lib.mjs';

const ROOT = process.env.HUBGATE_ROOT || path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const BUILD = path.basename(process.env.HUBGATE_BUILD || 'build-san');
const XSS = '<img src=x onerror=alert(1)>';
const OWNER = { name: `${XSS} Owner`, email: 'owner@example.com', password: 'correct horse battery 42' };
const AGENT = { name: 'Agent Smith', email: 'agent@example.com', password: 'agent password 0123' };

// A fresh `make run` (scripts/run.sh) on a free port; its output
// carries the one-time setup link.
const data = fs.mkdtempSync(path.join(process.env.HUBGATE_TEST_TMP || '/tmp', 'flow-'));
const port = String(20000 + Math.floor(Math.random() * 20000));
const BASE = `http://127.0.0.1:${port}`;
const run = spawn('sh', [path.join(ROOT, 'scripts/run.sh')], {
	env: { ...process.env, DATA_DIR: path.join(data, 'var'), PORT: port, BUILD },
	detached: true, stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
run.stdout.on('data', (b) => { out += b; });
run.stderr.on('data', (b) => { out += b; });
const stop = () => { try { process.kill(-run.pid, 'SIGINT'); } catch { /* gone */ } };
process.on('exit', stop);

async function setupLink() {
	for (let i = 0; i < 200; i++) {
		const m = /(\/setup(?:\.html)?\?token=[A-Za-z0-9_%-]+)/.exec(out);
		if (m) return m[1];
		await new Promise((r) => setTimeout(r, 100));
	}
	return null;
}

const browser = await launch();
try {
	const link = await setupLink();
	if (!ok(link, 'make run prints a one-time setup link on a fresh data directory', out)) throw new Error('no setup link');

	const owner = await newContext(browser, DESKTOP);
	let page = await owner.newPage();
	const w = watch(page, 'owner');

	// Setup.
	await page.goto(`${BASE}${link}`);
	await page.waitForSelector('#setup');
	eq(await page.title(), 'Set up · hubgate', 'the setup link opens the setup page');
	await page.fill('#name', OWNER.name);
	await page.fill('#email', OWNER.email);
	await page.fill('#password', OWNER.password);
	await page.fill('#password2', OWNER.password);
	const sr = page.waitForResponse((r) => r.url().endsWith('/api/setup'));
	await page.keyboard.press('Enter');
	ok((await sr).ok(), 'POST /api/setup accepts the link\'s token');
	await page.waitForSelector('#done:not([hidden])');
	await shot(page, 'flow-setup-done');
	w.check('setup');

	// The link is single use.
	w.expect('/api/setup', 404);
	await page.goto(`${BASE}${link}`);
	await page.fill('#name', 'Intruder');
	await page.fill('#email', 'intruder@example.com');
	await page.fill('#password', 'another password 99');
	await page.fill('#password2', 'another password 99');
	const again = page.waitForResponse((r) => r.url().endsWith('/api/setup'));
	await page.keyboard.press('Enter');
	eq((await again).status(), 404, 'the setup link works only once (a used link: 404)');
	w.check('setup link used twice');

	// Sign in.
	await page.goto(`${BASE}/login.html`);
	await page.fill('#email', OWNER.email);
	await page.fill('#password', OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/index\.html$/);
	await page.waitForSelector('header.topbar');
	eq(await page.textContent('#user-menu'), OWNER.name, 'the frame shows the user\'s name, as text');
	eq(await page.locator('img[src=x]').count(), 0, '... and the markup in it is not markup');
	const ws = await page.locator('#workspace-name, #workspace').first().textContent();
	ok(ws && ws.trim().length > 0, `the frame shows the workspace (${ws && ws.trim()})`);
	ok(await page.isVisible('nav a[href="users.html"]'), 'an owner sees Users in the navigation');
	await shot(page, 'flow-frame-desktop');
	await page.setViewportSize(PHONE);
	await shot(page, 'flow-frame-phone');
	await page.setViewportSize(DESKTOP);
	await page.click('#user-menu');
	eq(await page.textContent('#user-email'), OWNER.email, 'the user menu shows the e-mail');
	await shot(page, 'flow-user-menu');
	await page.keyboard.press('Escape');
	w.check('signed in');

	// Create an agent.
	await page.click('nav a[href="users.html"]');
	await page.waitForSelector('#content:not([hidden])');
	await page.fill('#add-name', AGENT.name);
	await page.fill('#add-email', AGENT.email);
	await page.selectOption('#add-role', 'agent');
	await page.click('#add-submit');
	await page.waitForSelector('#add-result:not([hidden])');
	const invite = (await page.textContent('#add-link')).trim();
	ok(/token=/.test(invite), 'adding a user answers a one-time set-password link', invite);
	eq(await page.locator(`#users td:text-is("${AGENT.email}")`).count(), 1, 'the agent is in the users table');
	await shot(page, 'flow-users');
	w.check('users');

	// The agent, in a second context: set a password, sign in.
	const agent = await newContext(browser, PHONE);
	const ap = await agent.newPage();
	const aw = watch(ap, 'agent');
	await setUp(ap, invite, AGENT);
	await signIn(ap, AGENT);
	await ap.waitForSelector('header.topbar');
	eq(await ap.textContent('#user-menu'), AGENT.name, 'the agent is signed in in a second context');
	eq(await ap.locator('nav a[href="users.html"]').count(), 0, 'an agent has no Users in the navigation');
	aw.expect('/api/users', 403);
	await ap.goto(`${BASE}/users.html`);
	await ap.waitForSelector('#alert:not([hidden])');
	eq(aw.responses('/api/users').join(','), '403', 'GET /api/users as an agent is 403');
	ok(await ap.isHidden('#content'), 'the users page shows an agent no users');
	eq(await ap.textContent('#alert'), 'Only owners of this workspace can see and manage its users.', '... and says why');
	await shot(ap, 'flow-agent-users-phone');
	aw.check('agent');

	// My account: create an API token, shown once; then the audit log,
	// which has the sign-ins, the user and the token created so far.
	await page.goto(`${BASE}/account.html`);
	await page.waitForSelector('#sessions tr');
	await page.fill('#t-name', 'monitoring <b>x</b>');
	await page.click('#t-submit');
	await page.waitForSelector('#t-new:not([hidden])');
	ok(((await page.textContent('#t-value')) || '').trim().length >= 32, 'a new API token is shown once');
	await page.waitForSelector('#tokens tr td');
	eq(await page.locator('#tokens td:text-is("monitoring <b>x</b>")').count(), 1, 'the token is listed under its name, as text');
	await shot(page, 'flow-account');
	await page.goto(`${BASE}/audit.html`);
	await page.waitForSelector('#entries tr');
	const actions = await page.locator('#entries tr td:nth-child(3)').allTextContents();
	for (const a of ['user_created', 'sign_in', 'password_set', 'token_created'])
		ok(actions.includes(a), `the audit log lists ${a}`, actions.join(','));
	await shot(page, 'flow-audit');
	w.check('account and audit');

	// Sign out.
	await page.click('#user-menu');
	const so = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'DELETE');
	await page.click('#sign-out');
	const sor = await so;
	ok(sor.ok(), 'sign out is DELETE /api/session');
	ok(!!sor.request().headers()['x-csrf-token'], '... with the X-CSRF-Token header');
	await page.waitForURL(/\/login\.html/);
	w.expect('/api/session', 401);
	await page.goto(`${BASE}/index.html`);
	await page.waitForURL(/\/login\.html/);
	eq(new URL(page.url()).pathname, '/login.html', 'after signing out the dashboard goes to the sign-in page');
	await shot(page, 'flow-signed-out');
	w.check('signed out');
	eq(await ap.evaluate(async () => (await fetch('/api/session')).status), 200,
		'the agent\'s session is not touched by the owner\'s sign-out');

	// The owner signs in again and removes the agent, confirming in the
	// row (no dialog).
	await page.goto(`${BASE}/login.html`);
	await page.fill('#email', OWNER.email);
	await page.fill('#password', OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/index\.html$/);
	await page.goto(`${BASE}/users.html`);
	await page.waitForSelector(`#users td:text-is("${AGENT.email}")`);
	const row = page.locator('#users tr', { has: page.locator(`td:text-is("${AGENT.email}")`) });
	await row.locator('button.remove').click();
	ok(await row.locator('.confirm-text').isVisible(), 'Remove asks first, inside the page');
	await row.locator('button.cancel-remove').click();
	ok(await row.locator('button.remove').isVisible(), 'Cancel keeps the user');
	await row.locator('button.remove').click();
	const del = page.waitForResponse((r) => /\/api\/users\/\d+$/.test(r.url()) && r.request().method() === 'DELETE');
	await row.locator('button.confirm-remove').click();
	const dr = await del;
	eq(dr.status(), 200, 'Yes, remove is DELETE /api/users/ID');
	ok(!!dr.request().headers()['x-csrf-token'], '... with the X-CSRF-Token header');
	await page.waitForSelector(`#users td:text-is("${AGENT.email}")`, { state: 'detached' });
	eq(await page.locator(`#users td:text-is("${AGENT.email}")`).count(), 0, 'the agent is gone from the users table');
	aw.expect('/api/session', 401);
	await ap.goto(`${BASE}/index.html`);
	await ap.waitForURL(/\/login\.html/);
	eq(new URL(ap.url()).pathname, '/login.html', 'the removed agent is signed out');
	w.check('remove');
} catch (e) {
	ok(false, 'the flow runs', e.stack);
} finally {
	await browser.close();
	stop();
}
done();
