// suite: sandbox
// WhatsApp Embedded Signup in a real browser, against the fake of Meta
// (tests/browser/run-suite.sh starts it beside the gateway): an admin
// signs in → Channels → "Connect WhatsApp with Meta" with a PIN → the
// popup (Meta's signup, played by the fake) → Cancel: a friendly
// message, nothing connected → again → Finish: the popup posts Meta's
// message, lands on hubgate's callback, hands over its one-time pick
// and closes → the Channels page connects the number with the ids of
// Meta's message (messages from any other window are ignored) → it is
// listed.
// Any script error, console error or dialog, in the page or the
// popup, fails the suite.  Screenshots of each step.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BASE, DESKTOP, ok, eq, done, launch, newContext, watch, shot, signIn } from './lib.mjs';

const DATA = process.env.HUBGATE_DATA;
const CONFIG = process.env.HUBGATE_CONFIG;
const ADMIN = process.env.HUBGATE_ADMIN;
const PERSON = { email: 'wanda@example.com', password: 'whatsapp signup 2026' };
const PHONE_ID = '106540352242922';
const WABA_ID = '102290129340398';

const env = { ...process.env, HUBGATE_CONFIG: CONFIG };
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, 'hubgate.db'), q], { encoding: 'utf8' }).trim();
execFileSync(ADMIN, ['user-add', PERSON.email, '--role', 'admin'], { env, input: `${PERSON.password}\n` });

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'channels');

	await signIn(page, PERSON);
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#signup-box:not([hidden])');
	eq(await page.textContent('#signup-start'), 'Connect WhatsApp with Meta', 'an admin is offered "Connect WhatsApp with Meta"');
	await shot(page, 'signup-1-channels');
	w.check('channels page');

	// No PIN: asked for first, no popup.
	await page.click('#signup-start');
	ok(/six-digit PIN/.test(await page.textContent('#signup-result')), 'without a PIN the page asks for one first');
	eq(await page.getAttribute('#signup-pin', 'aria-invalid'), 'true', '... marking the field');
	eq(ctx.pages().length, 1, '... and opens no popup');

	// Cancel in the popup.
	await page.fill('#signup-pin', '123456');
	let popupP = ctx.waitForEvent('page');
	await page.click('#signup-start');
	let popup = await popupP;
	let pw = watch(popup, 'popup');
	await popup.waitForSelector('#signup');
	ok(/WhatsApp Business signup/.test(await popup.title()), 'the popup shows Meta\'s signup (the fake\'s)');
	ok(new URL(popup.url()).searchParams.get('config_id') === 'sandbox', '... with the configuration id');
	await shot(popup, 'signup-2-popup');
	const closed = popup.waitForEvent('close');
	await popup.click('#cancel');
	await closed;
	ok(true, 'Cancel: the popup closes itself');
	await page.waitForFunction(() => /nothing was connected/i.test(document.getElementById('signup-result').textContent));
	ok(/You left the WhatsApp signup/.test(await page.textContent('#signup-result')), '... and the page says, kindly, that nothing was connected');
	eq(sql('SELECT count(*) FROM channel'), '0', '... nothing was');
	await shot(page, 'signup-3-cancelled');
	pw.check('cancel');
	w.check('after cancel');

	// Finish.
	popupP = ctx.waitForEvent('page');
	const connected = page.waitForResponse((r) => r.url().endsWith('/api/channels/whatsapp/signup') && r.request().method() === 'POST');
	await page.click('#signup-start');
	popup = await popupP;
	pw = watch(popup, 'popup');
	await popup.waitForSelector('#signup');
	// A message that is not the popup's is ignored (another window
	// could post anything).
	await page.evaluate(() => {
		window.postMessage({ type: 'hubgate-signup', result: 'ok', pick: 'A'.repeat(43) }, window.location.origin);
		window.postMessage(JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: { waba_id: '1', phone_number_id: '2' } }), '*');
	});
	await page.waitForTimeout(300);
	eq(w.responses('/api/channels/whatsapp/signup').join(','), '200', 'messages from another window than the popup are ignored (nothing posted)');
	const closed2 = popup.waitForEvent('close');
	await popup.check(`input[value="${PHONE_ID}"]`);
	await popup.click('#finish');
	await closed2;
	ok(true, 'Finish: the popup goes through hubgate\'s callback and closes itself');
	const res = await connected;
	eq(res.status(), 201, 'the page posts the pick, the ids and the PIN: 201');
	const sent = JSON.parse(res.request().postData() || '{}');
	eq(`${sent.waba_id} ${sent.phone_number_id} ${sent.pin}`, `${WABA_ID} ${PHONE_ID} 123456`, '... with the ids of Meta\'s message');
	ok(/^[A-Za-z0-9_-]{43}$/.test(sent.pick || ''), '... and the popup\'s one-time pick');
	ok(!JSON.stringify(sent).includes('EAA'), '... and no token');
	await page.waitForSelector(`#channels td code:text("${PHONE_ID}")`);
	ok(/Connected Sandy's Bakery \(15550783881\)/.test(await page.textContent('#signup-result')), 'the page says the number is connected');
	ok(/Sandy's Bakery/.test(await page.textContent('#channels')), 'the number is listed on the Channels page');
	eq(sql(`SELECT token_kind || ' ' || typeof(token_sealed) FROM channel WHERE meta_id = '${PHONE_ID}'`), 'system_user blob', 'stored with its token sealed');
	eq(await page.inputValue('#signup-pin'), '', 'the PIN field is emptied');
	await shot(page, 'signup-4-connected');
	pw.check('finish');
	w.check('after finish');
} catch (e) {
	ok(false, 'the signup suite runs', e.stack);
} finally {
	await browser.close();
}
done();
