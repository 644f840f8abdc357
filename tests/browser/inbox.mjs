// suite: sandbox
// The inbox in a real browser against the real API and the fake of
// Meta (tests/browser/run-suite.sh starts both): the owner signs in →
// Messenger, WhatsApp and Instagram messages arrive and appear in the
// inbox without a reload → opening one marks it read → a reply with
// text and quick replies is queued, sent, and its tick moves to read
// when the fake sends the receipts → assign to me, close, reopen → a
// WhatsApp conversation whose last message is 25 hours old offers only
// templates and says so, and a template is sent → a message whose text
// is markup is shown as text and runs nothing.  Any script error,
// console error or dialog fails the suite.  Screenshots at desktop and
// phone widths.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth } from './lib.mjs';

const CTL = process.env.CTL || `${BASE}/_meta/_control`;
const DATA = process.env.HUBGATE_DATA;
const CONFIG = process.env.HUBGATE_CONFIG;
const ADMIN = process.env.HUBGATE_ADMIN;
const OWNER = { name: 'Ines Inbox', email: 'ines@example.com', password: 'inbox replies are fun 42' };
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script> <a href="javascript:alert(3)">click</a> <b>bold</b>';
const PAGE_ID = '104857600000001';
const WA = '106540352242922';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const env = { ...process.env, HUBGATE_CONFIG: CONFIG };
const admin = (args, input) => execFileSync(ADMIN, args, { env, encoding: 'utf8', input }).trim();
const sql = (q, db = 'hubgate.db') => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, db), q], { encoding: 'utf8' }).trim();
async function ctl(what, params) {
	const r = await fetch(`${CTL}/${what}`, { method: 'POST', body: new URLSearchParams(params) });
	return r.json();
}
async function deliver(params) {
	const j = await ctl('deliver', params);
	if (!j.delivered) throw new Error(`delivery failed: ${JSON.stringify(j).slice(0, 300)}`);
	return j;
}
async function until(fn, what, ms = 15000) {
	for (let t = 0; t < ms; t += 200) {
		if (await fn()) return true;
		await sleep(200);
	}
	throw new Error(`timed out waiting for ${what}`);
}

admin(['channel-add', 'page', PAGE_ID, 'Sandbox Bakery']);
admin(['channel-add', 'instagram', '17841400000000001', 'sandbox_page_01']);
admin(['channel-add', 'whatsapp', WA, '+1 555 078 3881']);
await fetch(`${CTL}/world`);
admin(['channel-token', 'page', PAGE_ID], `${(await ctl('token', { action: 'issue', kind: 'page', page: PAGE_ID })).access_token}\n`);
admin(['channel-token', 'whatsapp', WA], `${(await ctl('token', { action: 'issue', kind: 'user_long' })).access_token}\n`);
sql(`INSERT OR REPLACE INTO subscription VALUES ('${PAGE_ID}', 'messages,message_echoes,message_deliveries,message_reads')`, 'fakemeta.db');

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'inbox');

	const link = admin(['setup-link']);
	await page.goto(link);
	await page.fill('#name', OWNER.name);
	await page.fill('#email', OWNER.email);
	await page.fill('#password', OWNER.password);
	await page.fill('#password2', OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForSelector('#done:not([hidden])');
	await page.goto(`${BASE}/login.html`);
	await page.fill('#email', OWNER.email);
	await page.fill('#password', OWNER.password);
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/index\.html$/);
	const navs = await page.locator('nav a').allTextContents();
	eq(navs.slice(0, 2).join(','), 'Overview,Inbox', 'the navigation has Inbox right after Overview');
	await page.click('nav a[href="inbox.html"]');
	await page.waitForSelector('#convs-empty:not([hidden])');
	ok(true, 'the inbox opens, empty');
	await page.evaluate(() => { window.stillHere = true; });
	w.check('signed in');

	// --- messages of three platforms appear without a reload
	await deliver({ platform: 'messenger', page: PAGE_ID, text: 'Do you bake on Sundays?' });
	await deliver({ platform: 'whatsapp', text: 'Hola from WhatsApp' });
	await deliver({ platform: 'instagram', text: 'Hi from Instagram' });
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 3, null, { timeout: 15000 });
	ok(await page.evaluate(() => window.stillHere === true), 'three conversations appear without a reload');
	const plats = await page.locator('#convs .conv .badge').allTextContents();
	const order = sql(`SELECT group_concat(k, ',') FROM (SELECT CASE c.kind WHEN 'page' THEN 'Messenger' WHEN 'instagram' THEN 'Instagram' ELSE 'WhatsApp' END AS k FROM conversation v JOIN channel c ON c.id = v.channel_id ORDER BY v.last_message_ms DESC, v.id DESC)`);
	eq(plats.join(','), order, 'newest activity (Meta\'s time) first');
	eq(await page.locator('#convs .unread').count(), 3, 'each shows its unread count');
	ok(/Inbox \(3\)/.test(await page.textContent('nav a[href="inbox.html"]')), 'the navigation counts the unread conversations');
	await shot(page, 'inbox-list-desktop');
	w.check('arrive');

	// --- open the Messenger one: its thread, read, its window
	await page.click('#convs .conv:has(.badge-messenger)');
	await page.waitForSelector('#thread .msg-in');
	eq(await page.textContent('#thread .msg-in .msg-text'), 'Do you bake on Sundays?', 'the thread shows the message');
	eq(await page.getAttribute('#window', 'data-window'), 'open', 'the window is open');
	ok(/any reply/.test(await page.textContent('#window')), '... and says what it allows');
	await page.waitForFunction(() => !document.querySelector('.conv[aria-current=true] .unread'));
	const cm = sql(`SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'page'`);
	eq(sql(`SELECT unread FROM conversation WHERE id = ${cm}`), '0', 'opening it marks it read');
	ok(!(await page.isHidden('#r-qr-box')), 'Messenger offers quick replies');
	// A new message in the open thread, without a reload.
	await deliver({ platform: 'messenger', page: PAGE_ID, text: 'And on Mondays?' });
	await page.waitForFunction(() => document.querySelectorAll('#thread .msg-in').length === 2, null, { timeout: 15000 });
	ok(true, 'a new message appears in the open thread');

	// --- reply with text and quick replies; the ticks move
	await page.fill('#r-text', 'Yes, from 8 until noon.');
	ok(/^23 \/ 2000 characters/.test(await page.textContent('#r-count')), 'the count is against Messenger\'s limit', await page.textContent('#r-count'));
	await page.fill('#r-qr', 'Order, Ask again');
	await page.click('#r-send');
	await page.waitForSelector('#thread .msg-out');
	await until(() => sql(`SELECT count(*) FROM outbox WHERE kind = 'text' AND state IN ('sent', 'delivered', 'read')`) === '1', 'the reply is sent');
	const fake = await (await fetch(`${CTL}/outbox`)).json();
	const sent = fake.data.filter((x) => JSON.stringify(x.body).includes('Yes, from 8 until noon.'));
	eq(sent.length, 1, 'the fake of Meta got the reply once');
	eq(JSON.stringify(sent[0].body.message.quick_replies.map((q) => q.title)), '["Order","Ask again"]', '... with its quick replies');
	await page.waitForSelector('#thread .msg-out .tick-sent', { timeout: 15000 });
	ok(true, 'its tick shows sent');
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'read' });
	await page.waitForSelector('#thread .msg-out .tick-read', { timeout: 15000 });
	ok(true, 'the read receipt moves the tick to read without a reload');
	eq(await page.locator('#thread .msg-out').count(), 1, 'one message in the thread for the reply (the echo did not add one)');
	await shot(page, 'inbox-thread-desktop');
	w.check('reply');

	// --- compose.js: typing went out while the reply was written; an
	// image by URL, quick-reply chips, a reaction from the picker
	await until(() => sql(`SELECT count(*) FROM outbox WHERE kind = 'action' AND json_extract(body, '$.action') = 'typing_on' AND state = 'sent'`) === '1',
		'typing_on is sent while writing');
	ok(true, 'writing a reply sent typing_on once (throttled)');
	await page.fill('#r-qr', 'Small, Medium, A title far too long for Meta');
	eq(await page.locator('#c-qr-chips .chip').count(), 3, 'quick replies show as chips');
	eq(await page.locator('#c-qr-chips .chip-bad').count(), 1, '... the one over 20 characters marked');
	await page.fill('#r-qr', '');
	await page.click('#c-attach-toggle');
	eq(JSON.stringify(await page.locator('#c-type option').evaluateAll((os) => os.map((o) => o.value))), '["image","video","audio","file"]',
		'Messenger: image, video, audio or file');
	ok(await page.isHidden('#c-caption-box'), '... without a caption');
	await page.fill('#c-url', 'http://cdn.example.org/cake.png');
	await page.click('#c-send');
	await page.waitForSelector('#r-alert:not([hidden])');
	ok(/https/.test(await page.textContent('#r-alert')), 'a plain http URL is refused in the page, saying https');
	await page.fill('#c-url', 'https://cdn.example.org/cake.png');
	await shot(page, 'inbox-attach-desktop');
	await page.click('#c-send');
	await page.waitForFunction(() => document.querySelectorAll('#thread .msg-out').length === 2);
	await until(async () => (await (await fetch(`${CTL}/outbox`)).json()).data.filter((x) =>
		JSON.stringify(x.body).includes('"attachment":{"type":"image","payload":{"url":"https://cdn.example.org/cake.png"')).length === 1,
	'the image reaches the fake of Meta');
	ok(true, 'an image by URL reaches the fake of Meta, once');
	ok(await page.isHidden('#c-attach'), '... and the attachment box closes');
	await page.locator('#thread .msg-in .react-open').first().click();
	await page.click('#thread .msg-in .react-pick:not([hidden]) button[aria-label="React 👍"]');
	await until(async () => (await (await fetch(`${CTL}/outbox`)).json()).data.filter((x) =>
		JSON.stringify(x.body).includes('"sender_action":"react"')).length === 1, 'the reaction reaches the fake of Meta');
	ok(true, 'a reaction picked on the person\'s message reaches the fake of Meta');
	await shot(page, 'inbox-compose-desktop');
	w.check('compose');

	// --- assign, close, reopen
	await page.click('#assign-me');
	await page.waitForSelector('#assign-me[hidden]', { state: 'attached' });
	eq(await page.textContent('#t-assigned'), 'Assigned to you', 'assigned to me');
	await page.click('#close');
	await page.waitForSelector('#reopen:not([hidden])');
	eq(sql(`SELECT status FROM conversation WHERE id = ${cm}`), 'closed', 'closed');
	await page.click('#reopen');
	await page.waitForSelector('#close:not([hidden])');
	eq(sql(`SELECT status || ':' || (assigned_user_id IS NOT NULL) FROM conversation WHERE id = ${cm}`), 'open:1', 'reopened, still mine');
	await page.selectOption('#f-assigned', 'me');
	await page.click('#apply');
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 1);
	ok(true, 'the filter "assigned to me" lists only it');
	await page.selectOption('#f-assigned', '');
	await page.click('#apply');
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 3);
	w.check('actions');

	// --- WhatsApp, 25 hours after the person's message: templates only
	const cw = sql(`SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'`);
	sql(`UPDATE conversation SET last_inbound_ms = last_inbound_ms - 90000000 WHERE id = ${cw}`);
	await page.goto(`${BASE}/inbox.html?c=${cw}`);
	await page.waitForSelector('#thread .msg-in');
	eq(await page.getAttribute('#window', 'data-window'), 'template_only', 'the 25-hour-old WhatsApp conversation: templates only');
	ok(/only an approved template/.test(await page.textContent('#window')), '... and it says so');
	ok(await page.isHidden('#reply'), '... no free text box');
	ok(await page.isVisible('#template'), '... a template form');
	await page.fill('#t-tname', 'hello_world');
	await page.click('#t-send');
	await page.waitForSelector('#thread .msg-out');
	await until(() => sql(`SELECT state FROM outbox WHERE kind = 'template' AND conversation_id = ${cw}`) === 'sent', 'the template is sent');
	ok(true, 'the template is sent');
	await shot(page, 'inbox-template-desktop');
	// The refusal in words: free text through the API at 25 h.
	// (outside the page, whose console must stay clean)
	const csrf = (await (await ctx.request.get(`${BASE}/api/session`)).json()).csrf_token;
	const refused = await ctx.request.post(`${BASE}/api/conversations/${cw}/messages`,
		{ data: { text: 'free' }, headers: { 'X-CSRF-Token': csrf, Origin: BASE } });
	const why = `${refused.status()} ${JSON.stringify(await refused.json())}`;
	ok(/^422 .*template/.test(why), 'free text there is refused with the reason in words', why);
	w.check('template');

	// --- markup is text
	await deliver({ platform: 'messenger', page: PAGE_ID, sender: '7300000000000009', text: HOSTILE });
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 4, null, { timeout: 15000 });
	await page.locator('#convs .conv').first().click();
	await page.waitForSelector('#thread .msg-in');
	eq(await page.textContent('#thread .msg-in .msg-text'), HOSTILE, 'markup in a message is shown as the very text');
	eq(await page.locator('main img, main script, main b, main a[href^="javascript:"]').count(), 0, 'no element came from it');
	await shot(page, 'inbox-hostile-desktop');
	w.check('hostile');

	// --- the phone
	await page.setViewportSize(PHONE);
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForSelector('#convs .conv');
	ok(await fitsWidth(page), 'the list fits a phone');
	await shot(page, 'inbox-list-phone');
	await page.locator('#convs .conv:has(.badge-messenger)').last().focus();
	await page.keyboard.press('Enter');
	await page.waitForSelector('#thread .msg-out');
	ok(await page.isHidden('#list-pane'), 'on a phone the thread replaces the list');
	ok(await fitsWidth(page), 'the thread fits a phone');
	await shot(page, 'inbox-thread-phone');
	await page.click('#back');
	await page.waitForSelector('#list-pane:not([hidden])');
	ok(await page.isVisible('#convs'), 'Back shows the list again');
	w.check('phone');
	await ctx.close();
} catch (e) {
	ok(false, 'the inbox flow runs', e.stack);
} finally {
	await browser.close();
}
done();
