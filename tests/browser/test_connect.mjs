// suite: sandbox
// conf: instagram_app_id = 990000000000001
// conf: instagram_app_secret = test-instagram-secret-0123456789
// Connecting accounts as a business would, in a real browser against
// the fake of Meta: the owner signs in → Channels → Connect with
// Facebook → the fake's consent page → Continue → the picker: two
// Pages and an Instagram account chosen → the result page → back on
// Channels they are listed with valid tokens → a message delivered to
// each shows on the overview → Connect with Instagram (Instagram
// Login) → the fake's Instagram dialog → Allow → the account is listed
// → one Page disconnected after an in-page confirmation, another with
// its conversations deleted after its name is typed.  Any script
// error, console error or dialog fails; screenshots at desktop and
// phone widths.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth, setUp, signIn } from './lib.mjs';

const CTL = process.env.CTL || `${BASE}/_meta/_control`;
const DATA = process.env.HUBGATE_DATA;
const ADMIN = process.env.HUBGATE_ADMIN;
const env = { ...process.env, HUBGATE_CONFIG: process.env.HUBGATE_CONFIG };
const admin = (...a) => execFileSync(ADMIN, a, { env, encoding: 'utf8' }).trim();
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, 'hubgate.db'), q], { encoding: 'utf8' }).trim();
const OWNER = { name: 'Bea Baker', email: 'bea@example.com', password: 'connect the bakery 42' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function deliver(params) {
	const r = await fetch(`${CTL}/deliver`, { method: 'POST', body: new URLSearchParams(params) });
	const j = await r.json();
	if (!j.delivered) throw new Error(`delivery failed: ${JSON.stringify(j).slice(0, 300)}`);
	return j;
}

const world = await (await fetch(`${CTL}/world`)).json();
const [P1, P2] = [world.pages[0].id, world.pages[1].id];
const IG1 = world.pages[0].instagram_id;
const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'connect');

	await setUp(page, admin('setup-link'), OWNER);
	await signIn(page, OWNER);

	// --- Facebook Login
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#connect-facebook:not([hidden])');
	await page.waitForSelector('#connect-instagram:not([hidden])');
	ok(true, 'Channels offers Connect with Facebook and Connect with Instagram');
	await shot(page, 'connect-channels-empty');
	await page.click('#connect-facebook');
	await page.waitForSelector('button[value="continue"]');
	ok((await page.textContent('body')).includes('Sandy Sandbox'), "the fake's consent page names the person");
	await page.click('button[value="continue"]');
	await page.waitForSelector(`input[name="page"][value="${P1}"]`);
	eq(await page.locator('input[name="page"]').count(), 30, 'the picker lists all 30 Pages');
	await page.check(`input[name="page"][value="${P1}"]`);
	await page.check(`input[name="page"][value="${P2}"]`);
	await page.check(`input[name="instagram"][value="${IG1}"]`);
	await shot(page, 'connect-picker');
	await page.click('button[type="submit"]');
	await page.waitForSelector('text=connected');
	const result = await page.textContent('body');
	ok(result.includes(P1) && result.includes(P2) && result.includes(IG1), 'the result page names what was connected', result.slice(0, 400));
	await shot(page, 'connect-result');
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector(`#channels tr:has-text("${P2}")`);
	eq(await page.locator('#channels tr').count(), 3, 'Channels lists the two Pages and the Instagram account');
	eq(await page.locator('#channels tr:has-text("valid")').count(), 3, '... each with a valid token');
	w.check('Facebook Login');

	// --- a message to each shows on the overview
	await deliver({ platform: 'messenger', page: P1, text: 'Fresh bread today?' });
	await deliver({ platform: 'messenger', page: P2, text: 'Do you repair bikes?' });
	await deliver({ platform: 'instagram', page: P1, text: 'Love the croissants' });
	for (let i = 0; i < 50 && sql('SELECT count(*) FROM message') !== '3'; i++) await sleep(100);
	eq(sql('SELECT count(*) FROM message'), '3', 'three messages stored');
	await page.goto(`${BASE}/index.html`);
	await page.waitForFunction(() => document.getElementById('ev-today').textContent.trim() === '3');
	ok(true, 'the overview counts three events today');
	eq(await page.locator('#channels li').count(), 3, '... and lists the three channels');
	ok(!(await page.textContent('#channels')).includes('no event yet'), '... each with a last event');
	await shot(page, 'connect-overview');
	w.check('overview');

	// --- Instagram Login
	await page.goto(`${BASE}/channels.html`);
	await page.click('#connect-instagram');
	await page.waitForSelector('button[value="continue"]');
	await shot(page, 'connect-instagram-dialog');
	await page.click('button[value="continue"]');
	await page.waitForSelector('text=connected');
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#channels tr:nth-child(4)');
	eq(sql("SELECT count(*) FROM channel WHERE token_kind = 'instagram_login'"), '1', 'the Instagram-Login account is connected');
	eq(await page.locator('#channels tr').count(), 4, '... and listed');
	w.check('Instagram Login');

	// --- disconnect one, after the in-page confirmation
	const row = page.locator(`#channels tr:has-text("${P2}")`);
	await row.locator('summary:has-text("Manage")').click();
	await row.locator('button:has-text("Disconnect")').click();
	await row.locator('.confirm-yes').click();
	await page.waitForSelector(`#channels tr:has-text("${P2}"):has-text("revoked")`);
	eq(sql(`SELECT token_status || ':' || (token_sealed IS NULL) FROM channel WHERE meta_id = '${P2}'`), 'revoked:1', 'disconnected: token erased');
	await shot(page, 'connect-channels');
	w.check('disconnect');

	// --- disconnect another and delete its conversations: its name typed
	const row1 = page.locator(`#channels tr:has-text("${P1}")`);
	await row1.locator('summary:has-text("Manage")').click();
	await row1.locator('button:has-text("Delete conversations")').click();
	await row1.locator('form.confirm input').fill('Sandbox Bake');
	ok(await row1.locator('button:has-text("Disconnect and delete")').isDisabled(), 'deleting waits for the channel\'s whole name');
	await row1.locator('form.confirm input').fill('Sandbox Bakery');
	await shot(page, 'connect-delete-conversations');
	await row1.locator('button:has-text("Disconnect and delete")').click();
	await page.waitForSelector('#alert.alert-ok:has-text("messages deleted")');
	eq(sql(`SELECT count(*) FROM message m JOIN channel c ON c.id = m.channel_id WHERE c.meta_id = '${P1}'`), '0', 'its messages are deleted');
	eq(sql(`SELECT count(*) FROM message`), '2', '... the other channels\' stay');
	w.check('disconnect and delete');

	// --- the Manage menu by keyboard: Escape closes a form, then the menu
	await page.goto(`${BASE}/channels.html`);
	const krow = page.locator('#channels tr:has-text("17841400000000901")');
	await krow.locator('summary').focus();
	await page.keyboard.press('Enter');
	ok(await krow.locator('details').evaluate((d) => d.open), 'Enter on Manage opens the menu');
	await krow.locator('button:has-text("Rename")').focus();
	await page.keyboard.press('Enter');
	await krow.locator('input[aria-label^="New name"]').waitFor();
	await page.keyboard.press('Escape');
	ok(await krow.locator('button:has-text("Rename")').evaluate((b) => b === document.activeElement), 'Escape closes the rename form, the focus back on Rename');
	ok(await krow.locator('details').evaluate((d) => d.open), '... the menu still open');
	await page.keyboard.press('Escape');
	ok(await krow.locator('details').evaluate((d) => !d.open && d.querySelector('summary') === document.activeElement), 'Escape again closes the menu, the focus on Manage');

	// --- the operator moves the Instagram-Login account to another workspace
	sql("INSERT INTO workspace (name, created_at) VALUES ('Second <i>shop</i>', 0)");
	const ws2 = sql("SELECT id FROM workspace WHERE name = 'Second <i>shop</i>'");
	await page.goto(`${BASE}/channels.html`);
	const row2 = page.locator('#channels tr:has-text("17841400000000901")');
	await row2.locator('summary:has-text("Manage")').click();
	await row2.locator('button:has-text("Move to workspace")').click();
	await row2.locator('select').waitFor();
	eq(JSON.stringify(await row2.locator('select option').allTextContents()), '["Second <i>shop</i>"]',
		'Move offers the other workspaces, by name, as text');
	await row2.locator('button:has-text("Move…")').click();
	const moveName = sql("SELECT name FROM channel WHERE meta_id = '17841400000000901'");
	ok(await row2.locator('button[type=submit]:has-text("Move")').isDisabled(), 'moving waits for the channel\'s name');
	await row2.locator('form.confirm input').fill(moveName);
	await shot(page, 'connect-move');
	await row2.locator('button:has-text("Cancel")').click();
	ok(await row2.locator('select').evaluate((e) => e === document.activeElement), 'Cancel brings the workspace choice back, focused');
	await row2.locator('button:has-text("Move…")').click();
	await row2.locator('form.confirm input').fill(moveName);
	await row2.locator('button[type=submit]:has-text("Move")').click();
	await page.waitForSelector('#alert.alert-ok:has-text("Moved")');
	eq(sql("SELECT workspace_id FROM channel WHERE meta_id = '17841400000000901'"), ws2, 'moved to the other workspace');
	await page.waitForFunction(() => !document.querySelector('#channels').textContent.includes('17841400000000901'));
	ok(true, '... and no longer listed here');
	w.check('move');

	// --- the pages at phone width
	const pctx = await newContext(browser, PHONE);
	await pctx.addCookies(await ctx.cookies());
	const phone = await pctx.newPage();
	const pw = watch(phone, 'connect-phone');
	await phone.goto(`${BASE}/channels.html`);
	await phone.waitForSelector(`#channels tr:has-text("${P1}")`);
	ok(await phone.isVisible('#connect-facebook') && await phone.isVisible('#connect-instagram'), 'phone: the connect buttons are visible');
	ok(await fitsWidth(phone) || await phone.evaluate(() => !!document.querySelector('.table-wrap')), 'phone: the page fits (tables scroll in their box)');
	await shot(phone, 'connect-channels-phone');
	pw.check('phone');
	await pctx.close();
} catch (e) {
	ok(false, 'the flow ran to its end', e.stack);
} finally {
	await browser.close();
}
done();
