// The sign-in and setup pages in a real browser, with only what the
// API has without accounts behind it: they render at desktop and
// phone widths without a script error, console error or dialog; Tab
// walks the fields and the button in order and Enter submits; a
// refused sign-in says so in an alert and leaves the page usable; what
// is typed (markup included) is never run; a signed-in page without a
// session goes to the sign-in page.  Screenshots of each.
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, focusOrder, fitsWidth } from './lib.mjs';

const XSS = '<img src=x onerror=alert(1)>';
const browser = await launch();
try {
	for (const [size, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
		const ctx = await newContext(browser, size);

		// --- login.html ---
		let page = await ctx.newPage();
		let w = watch(page, `login (${label})`);
		await page.goto(`${BASE}/login.html`);
		await page.waitForLoadState('networkidle');
		eq(await page.title(), 'Sign in · hubgate', `login (${label}): the title`);
		ok(await page.isVisible('#email') && await page.isVisible('#password') && await page.isVisible('#submit'),
			`login (${label}): e-mail, password and button are shown`);
		ok(await fitsWidth(page), `login (${label}): fits the window's width`);
		await shot(page, `login-${label}`);
		eq(await page.evaluate(() => document.activeElement.id), 'email', `login (${label}): the e-mail field has the focus`);
		eq((await focusOrder(page, 2)).join(' '), 'password submit', `login (${label}): Tab reaches the password, then the button`);

		// A fresh data directory has no account: 401.
		w.expect('/api/session', 401);
		await page.fill('#email', XSS);
		await page.fill('#password', `${XSS}-password`);
		await page.focus('#password');
		const answer = page.waitForResponse((r) => r.url().endsWith('/api/session'));
		await page.keyboard.press('Enter');
		const r = await answer;
		eq(r.status(), 401, `login (${label}): Enter posts to /api/session, which refuses (401)`);
		eq(r.request().method(), 'POST', `login (${label}): ... with POST`);
		eq(JSON.stringify(Object.keys(r.request().postDataJSON() || {})), '["email","password"]', `login (${label}): ... JSON {email, password}`);
		await page.waitForSelector('#alert:not([hidden])');
		const alertText = await page.textContent('#alert');
		ok(alertText.length > 10, `login (${label}): a refused sign-in shows an alert`, alertText);
		eq(await page.getAttribute('#alert', 'role'), 'alert', `login (${label}): ... with role=alert`);
		eq(alertText, 'Wrong e-mail or password.', `login (${label}): 401 says wrong e-mail or password`);
		eq(await page.inputValue('#email'), XSS, `login (${label}): the e-mail stays as typed`);
		eq(await page.inputValue('#password'), '', `login (${label}): the password is cleared`);
		ok(await page.isEnabled('#submit'), `login (${label}): the button works again`);
		eq(await page.evaluate(() => document.activeElement.id), 'password', `login (${label}): focus back on the password`);
		eq(await page.locator('img[src=x]').count(), 0, `login (${label}): typed markup is not markup`);
		eq(page.url(), `${BASE}/login.html`, `login (${label}): still on the sign-in page`);
		await shot(page, `login-refused-${label}`);
		w.check('sign-in refused');

		// Empty fields: said in the alert, nothing sent.
		await page.fill('#email', '');
		await page.click('#submit');
		eq(await page.textContent('#alert'), 'Enter your e-mail and password.', `login (${label}): empty fields are asked for`);
		eq(w.responses('/api/session').length, 1, `login (${label}): ... without a request`);
		w.check('empty fields');
		await page.close();

		// --- setup.html ---
		page = await ctx.newPage();
		w = watch(page, `setup (${label})`);
		await page.goto(`${BASE}/setup.html?token=not-a-real-token`);
		await page.waitForLoadState('networkidle');
		eq(await page.title(), 'Set up · hubgate', `setup (${label}): the title`);
		ok(await fitsWidth(page), `setup (${label}): fits the window's width`);
		await shot(page, `setup-${label}`);
		eq((await focusOrder(page, 5)).join(' '), 'name email password password2 submit', `setup (${label}): Tab order`);
		await page.fill('#name', XSS);
		await page.fill('#email', 'owner@example.com');
		await page.fill('#password', 'short');
		await page.fill('#password2', 'short');
		await page.keyboard.press('Enter');
		eq(await page.textContent('#alert'), 'The password needs at least 10 characters.', `setup (${label}): a short password is refused before sending`);
		eq(await page.getAttribute('#password', 'aria-invalid'), 'true', `setup (${label}): ... the field is marked`);
		await page.fill('#password', 'correct horse battery');
		await page.fill('#password2', 'correct horse battery!');
		await page.keyboard.press('Enter');
		eq(await page.textContent('#alert'), 'The two passwords differ.', `setup (${label}): different passwords are refused`);
		eq(w.responses('/api/setup').length, 0, `setup (${label}): ... nothing sent yet`);
		await page.fill('#password2', 'correct horse battery');
		w.expect('/api/setup', 404);
		const sr = page.waitForResponse((x) => x.url().endsWith('/api/setup'));
		await page.keyboard.press('Enter');
		const sresp = await sr;
		eq(JSON.stringify(sresp.request().postDataJSON()),
			JSON.stringify({ token: 'not-a-real-token', name: XSS, email: 'owner@example.com', password: 'correct horse battery' }),
			`setup (${label}): Enter posts {token, name, email, password} to /api/setup`);
		eq(sresp.status(), 404, `setup (${label}): a token that is not one is refused (404)`);
		await page.waitForFunction(() => !document.getElementById('submit').disabled);
		ok((await page.textContent('#alert')).length > 10, `setup (${label}): ... and the page says so`);
		eq(await page.locator('img[src=x]').count(), 0, `setup (${label}): typed markup is not markup`);
		await shot(page, `setup-refused-${label}`);
		w.check('setup refused');

		await page.goto(`${BASE}/setup.html`);
		await page.waitForLoadState('networkidle');
		ok(await page.isDisabled('#submit'), `setup (${label}): without a token the button is off`);
		ok((await page.textContent('#alert')).includes('setup link'), `setup (${label}): ... and the page says why`);
		w.check('setup without a token');
		await page.close();

		// --- a signed-in page without a session: to the sign-in page ---
		page = await ctx.newPage();
		w = watch(page, `frame (${label})`);
		w.expect('/api/session', 401);
		await page.goto(`${BASE}/account.html`);
		await page.waitForURL(/\/login\.html/);
		eq(new URL(page.url()).pathname, '/login.html', `frame (${label}): without a session a page goes to the sign-in page`);
		w.check('no session');
		await page.close();

		// --- a signed-in page while the API cannot say who is signed in ---
		page = await ctx.newPage();
		w = watch(page, `frame (${label})`);
		w.expect('/api/session', 503);
		await page.route('**/api/session', (rt) => rt.fulfill({ status: 503,
			contentType: 'application/json',
			body: '{"error":{"status":503,"message":"the database is not available"}}' }));
		await page.goto(`${BASE}/account.html`);
		await page.waitForSelector('#frame-alert:not([hidden])');
		eq(new URL(page.url()).pathname, '/account.html', `frame (${label}): a failing session API keeps the page`);
		ok((await page.textContent('#frame-alert')).startsWith('The dashboard cannot start'),
			`frame (${label}): ... which says it cannot start`);
		ok(!(await page.isVisible('#main h1')), `frame (${label}): ... and shows no half page`);
		await shot(page, `frame-no-api-${label}`);
		w.check('session API failing');
		await page.close();
		await ctx.close();
	}
} catch (e) {
	ok(false, 'the suite runs', e.stack);
} finally {
	await browser.close();
}
done();
