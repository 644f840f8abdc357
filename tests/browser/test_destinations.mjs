// suite: sandbox
// conf: forward_schedule = 1,1
// The Destinations page in a real browser against the real API, the
// delivery worker and a local test receiver (tests/tools/fwdrecv): an
// admin adds a destination (its secret shown once), sends a test event
// and sees its attempt (200, the answer's first bytes); the receiver
// breaks (500): the retries show in the attempts until a dead letter;
// fixed, "Resend all failed" delivers it.  A private address, and a
// custom header hubgate sets itself, are refused with the reason in
// words; the more options (a custom header, a rate) reach the API and
// the receiver; a replay of a time range sends a message's events again
// with the same ids.  Any script error, console error
// or dialog fails the suite.  Screenshots at desktop and phone widths.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth, setUp, signIn, deliver, sql } from './lib.mjs';

const DATA = process.env.HUBGATE_DATA;
const CONFIG = process.env.HUBGATE_CONFIG;
const ADMIN = process.env.HUBGATE_ADMIN;
const ROOT = process.env.HUBGATE_ROOT || path.resolve('.');
const OWNER = { name: 'Dana Dest', email: 'dana@example.com', password: 'destinations are fun 42' };
const env = { ...process.env, HUBGATE_CONFIG: CONFIG };
const admin = (args) => execFileSync(ADMIN, args, { env, encoding: 'utf8' }).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The receiver.
const R = path.join(DATA, 'recv');
fs.mkdirSync(R, { recursive: true });
const recv = spawn(path.join(ROOT, 'build/tests/tools/fwdrecv'),
	[path.join(R, 'port'), path.join(R, 'log'), path.join(R, 'control')], { stdio: 'ignore' });
for (let i = 0; i < 50 && !fs.existsSync(path.join(R, 'port')); i++) await sleep(100);
const port = fs.readFileSync(path.join(R, 'port'), 'utf8').trim();
const URL_ = `http://127.0.0.1:${port}/hook`;
const answer = (s) => fs.writeFileSync(path.join(R, 'control'), `${s}\n`);
const lines = () => (fs.existsSync(path.join(R, 'log'))
	? fs.readFileSync(path.join(R, 'log'), 'utf8').split('\n').filter(Boolean) : []);

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'destinations');
	await setUp(page, admin(['setup-link']), OWNER);
	await signIn(page, OWNER);
	await page.goto(`${BASE}/destinations.html`);
	await page.waitForSelector('#content:not([hidden])');
	ok(await page.isVisible('nav a[href="destinations.html"]'), 'the navigation links the Destinations page');

	// --- a private address is refused, in words
	w.expect('/api/destinations', 422);
	await page.fill('#add-url', 'https://10.1.2.3/hook');
	await page.click('#add-submit');
	await page.waitForSelector('#alert:not([hidden])');
	ok(/private|loopback|reserved/.test(await page.textContent('#alert')), 'a private address is refused, in words',
		await page.textContent('#alert'));

	// --- a header hubgate sets itself is refused, in words
	w.expect('/api/destinations', 422);
	await page.fill('#add-url', URL_);
	await page.click('#add-more summary');
	await page.fill('#add-headers', 'Host: evil.example');
	await page.click('#add-submit');
	await page.waitForFunction(() => /Host cannot be set/.test(document.querySelector('#alert').textContent));
	ok(/hubgate sets/.test(await page.textContent('#alert')), 'a header hubgate sets itself is refused, in words',
		await page.textContent('#alert'));
	await page.fill('#add-headers', 'no colon here');
	await page.click('#add-submit');
	await page.waitForFunction(() => /Name: value/.test(document.querySelector('#alert').textContent));
	ok(true, 'a header line without a colon is explained before sending');

	// --- add one: the secret once; a custom header and a rate
	answer('200');
	await page.fill('#add-url', URL_);
	await page.fill('#add-desc', 'Order system');
	await page.check('#ev-meta-event');
	await page.fill('#add-headers', 'X-Api-Key: from-the-page');
	await page.fill('#add-rate', '5');
	await page.click('#add-submit');
	await page.waitForSelector('#add-result:not([hidden])');
	const secret = (await page.textContent('#add-secret')).trim();
	ok(/^whsec_/.test(secret), 'the new destination\'s secret is shown once', secret.slice(0, 8));
	await page.waitForSelector('#dests .dest-url');
	eq(await page.textContent('#dests .dest-url'), URL_, 'the destination is listed');
	await shot(page, 'destinations-added');
	await page.reload();
	await page.waitForSelector('#dests .dest-url');
	ok(!(await page.content()).includes(secret), 'after a reload the secret is nowhere on the page');

	// --- a test event and its attempt
	await page.click('#dests button.dest-test');
	for (let i = 0; i < 50 && lines().length < 1; i++) await sleep(100);
	eq(lines().length, 1, 'the receiver got the test event');
	eq(lines()[0].split('\t')[3], 'from-the-page', '... with the custom header');
	const opts = await page.textContent('#dests .dest-options');
	ok(/at most 5 a second/.test(opts) && /custom headers/.test(opts), 'the list shows the rate and that it has headers', opts);
	await page.click('#dests button.dest-deliveries');
	await page.waitForSelector('#deliveries .delivery-state');
	for (let i = 0; i < 30; i++) {
		if (await page.getAttribute('#deliveries .delivery-state', 'data-state') === 'delivered') break;
		await page.click('#deliv-refresh');
		await sleep(200);
	}
	eq(await page.getAttribute('#deliveries .delivery-state', 'data-state'), 'delivered', 'the delivery shows delivered');
	await page.click('#deliveries button.delivery-attempts');
	await page.waitForSelector('#attempts .attempt-status');
	eq(await page.textContent('#attempts .attempt-status'), '200', 'its attempt: 200');
	ok((await page.textContent('#attempts')).includes('answer'), '... with the answer\'s first bytes');
	await shot(page, 'destinations-attempt');
	w.check('add and test');

	// --- change it: the form filled in; a refused header; a new rate,
	// the headers kept
	const destId = sql('SELECT id FROM fwd_destination').trim();
	await page.click('#dests tr:first-child button.dest-edit');
	eq(await page.inputValue('#add-url'), URL_, 'Change fills the form with the destination');
	eq(await page.inputValue('#add-rate'), '5', '... its rate');
	eq(await page.inputValue('#add-headers'), '', '... never its headers\' values');
	w.expect(`/api/destinations/${destId}`, 422);
	await page.fill('#add-headers', 'Connection: close');
	await page.click('#add-submit');
	await page.waitForFunction(() => /Connection cannot be set/.test(document.querySelector('#alert').textContent));
	ok(true, 'changing to a header of the connection is refused, in words');
	await page.fill('#add-headers', '');
	await page.fill('#add-rate', '2');
	await page.fill('#add-desc', 'Orders v2');
	await page.click('#add-submit');
	await page.waitForFunction(() => /was changed/.test(document.querySelector('#alert').textContent));
	await page.waitForFunction(() => /at most 2 a second/.test(document.querySelector('#dests .dest-options').textContent));
	ok(/custom headers/.test(await page.textContent('#dests .dest-options')), 'the new rate shows, the headers kept');
	ok((await page.textContent('#dests')).includes('Orders v2'), '... and the new description');
	eq(await page.textContent('#add-submit'), 'Add destination', 'the form adds again');
	await page.click('#dests button.dest-test');
	for (let i = 0; i < 50 && lines().length < 2; i++) await sleep(100);
	eq((lines()[1] || '').split('\t')[3], 'from-the-page', 'a test event still carries the header');
	await shot(page, 'destinations-changed');
	w.check('change');

	// --- the receiver breaks: retries, a dead letter; fixed: resend
	answer('500');
	await page.click('#dests button.dest-test');
	for (let i = 0; i < 60 && lines().length < 5; i++) await sleep(100);
	eq(lines().length, 5, 'a failing receiver gets the first attempt and two retries');
	await sleep(300);
	await page.click('#deliv-refresh');
	await page.waitForSelector('#deliveries [data-state="dead"]');
	ok(true, 'the delivery shows dead');
	await page.click('#deliveries tr:first-child button.delivery-attempts');
	await page.waitForFunction(() => document.querySelectorAll('#attempts .attempt-status').length === 3);
	eq((await page.$$eval('#attempts .attempt-status', (n) => n.map((x) => x.textContent))).join(' '), '500 500 500',
		'its three attempts show 500');
	ok(/failed/.test(await page.textContent('#dests .dest-backlog')), 'the destination shows a failed delivery');
	ok(/HTTP 500/.test(await page.textContent('#dests .dest-error')), '... and its last error');
	await shot(page, 'destinations-dead');
	answer('200');
	await page.click('#deliv-resend-dead');
	for (let i = 0; i < 50 && lines().length < 6; i++) await sleep(100);
	eq(lines().length, 6, 'fixed, "Resend all failed" sends it again');
	eq(lines()[5].split('\t')[0], lines()[2].split('\t')[0], '... with the same webhook-id');
	for (let i = 0; i < 30; i++) {
		await page.click('#deliv-refresh');
		await sleep(200);
		if (await page.getAttribute('#deliveries tr:first-child .delivery-state', 'data-state') === 'delivered') break;
	}
	eq(await page.getAttribute('#deliveries tr:first-child .delivery-state', 'data-state'), 'delivered', '... and it shows delivered');
	await shot(page, 'destinations-resent');
	w.check('retries and resend');

	// --- replay a time range: a message's events again, the same ids
	const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 19);
	const since = new Date(Date.now() - 60000);
	admin(['channel-add', 'page', '104857600000001', 'Sandbox Bakery']);
	await deliver({ platform: 'messenger', page: '104857600000001', text: 'Replay me' });
	for (let i = 0; i < 100 && lines().length < 8; i++) await sleep(100);
	eq(lines().length, 8, 'a message\'s two events are delivered');
	const ids = lines().slice(6).map((l) => l.split('\t')[0]);
	await page.fill('#replay-since', local(since));
	await page.fill('#replay-until', local(new Date(Date.now() + 60000)));
	await page.click('#replay-submit');
	await page.waitForFunction(() => /sent again/.test(document.querySelector('#alert').textContent));
	for (let i = 0; i < 50 && lines().length < 10; i++) await sleep(100);
	eq(lines().slice(8).map((l) => l.split('\t')[0]).join(' '), ids.join(' '), 'a replay sends them again, same ids, in order');
	await shot(page, 'destinations-replay');
	w.check('options and replay');

	// --- a destination for one channel
	await page.reload();
	await page.waitForSelector('#dests .dest-url');
	await page.click('#add-more summary');
	const box = await page.waitForSelector('#add-channels input[type="checkbox"]');
	ok(/Sandbox Bakery \(messenger\)/.test(await page.textContent('#add-channels')), 'the channels are listed to choose from',
		await page.textContent('#add-channels'));
	await box.check();
	await page.fill('#add-url', `http://127.0.0.1:${port}/bakery`);
	await page.click('#add-submit');
	await page.waitForSelector('#add-result:not([hidden])');
	await page.waitForFunction(() => document.querySelectorAll('#dests .dest-url').length === 2);
	const texts = await page.$$eval('#dests .dest-options', (n) => n.map((x) => x.textContent));
	ok(texts.some((t) => /only Sandbox Bakery/.test(t)), 'a destination for that channel alone', texts.join(' | '));
	await shot(page, 'destinations-channel');
	w.check('channel filter');

	const phone = await newContext(browser, PHONE);
	const pp = await phone.newPage();
	const wp = watch(pp, 'destinations phone');
	await signIn(pp, OWNER);
	await pp.goto(`${BASE}/destinations.html`);
	await pp.waitForSelector('#dests .dest-url');
	ok(await fitsWidth(pp), 'the Destinations page fits a phone\'s width');
	await shot(pp, 'destinations-phone');
	wp.check('phone');
} finally {
	await browser.close();
	recv.kill();
}
done();
