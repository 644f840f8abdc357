// suite: sandbox
// The inbox in a real browser against the real API and the fake of
// Meta (tests/browser/run-suite.sh starts both): the owner signs in →
// Messenger, WhatsApp and Instagram messages arrive and appear in the
// inbox without a reload → opening one marks it read → a reply with
// text and quick replies is queued, sent, and its tick moves to read
// when the fake sends the receipts → assign to me, close, reopen → a
// WhatsApp conversation whose last message is 25 hours old offers only
// templates and says so, and a template is sent → an image shows as a
// thumbnail, the contact's picture and profile name → a message whose text
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
	// An image: fetched in the background, shown as a thumbnail that
	// loaded, served by hubgate; the contact's picture in the list.
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'image' });
	await page.waitForFunction(() => {
		const i = document.querySelector('#thread img.att-thumb');
		return i && i.complete && i.naturalWidth > 0;
	}, null, { timeout: 20000 });
	ok(true, 'an image message shows a thumbnail that loaded (naturalWidth > 0)');
	ok(/^\/api\/media\/\d+$/.test(await page.getAttribute('#thread img.att-thumb', 'src')), '... from /api/media/ID');
	eq(await page.getAttribute('#thread a.att-image', 'target'), '_blank', '... a click opens it at full size');
	eq(await page.locator('#thread .att-none').count(), 0, '... nothing shown as unavailable');
	await page.waitForFunction(() => {
		const i = document.querySelector('#convs .conv[aria-current=true] img.avatar');
		return i && i.complete && i.naturalWidth > 0;
	}, null, { timeout: 20000 });
	ok(true, 'the contact\'s picture shows in the list');
	ok(/Pat Messenger/.test(await page.textContent('#t-name')), '... and the name from the profile in the header');
	await shot(page, 'inbox-media-desktop');
	w.check('media');

	// --- reply with text and quick replies; the ticks move
	await page.fill('#r-text', 'Yes, from 8 until noon.');
	ok(/^23 \/ 2000 characters/.test(await page.textContent('#r-count')), 'the count is against Messenger\'s limit', await page.textContent('#r-count'));
	await page.fill('#r-qr', 'Order, Ask again');
	await page.click('#r-send');
	await page.waitForSelector('#thread .msg-out');
	await until(() => sql(`SELECT count(*) FROM outbox WHERE state IN ('sent', 'delivered', 'read')`) === '1', 'the reply is sent');
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
	await until(() => sql(`SELECT state FROM outbox WHERE conversation_id = ${cw}`) === 'sent', 'the template is sent');
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

	// --- media states: a file is a download link; a picture that could
	// not be kept says so (never a broken image)
	await deliver({ platform: 'instagram', type: 'file' });
	await deliver({ platform: 'instagram', type: 'image', file: 'html' });
	const ci = sql(`SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'instagram'`);
	await until(() => sql(`SELECT count(*) FROM media m JOIN message g ON g.id = m.message_id WHERE g.conversation_id = ${ci} AND m.state <> 'pending'`) === '2', 'the Instagram media are fetched');
	await page.goto(`${BASE}/inbox.html?c=${ci}`);
	await page.waitForSelector('#thread .att a[download]');
	ok(/^File: /.test(await page.textContent('#thread .att a[download]')), 'a file is a download link');
	ok(/^\/api\/media\/\d+$/.test(await page.getAttribute('#thread .att a[download]', 'href')), '... to /api/media/ID');
	ok(/media unavailable/.test(await page.textContent('#thread .att-none')), 'a picture that could not be kept says "media unavailable"');
	eq(await page.evaluate(() => [...document.images].filter((i) => i.complete && i.naturalWidth === 0).length), 0, '... and no image is broken');
	await shot(page, 'inbox-media-states-desktop');
	w.check('media states');

	// --- markup is text
	await deliver({ platform: 'messenger', page: PAGE_ID, sender: '7300000000000009', text: HOSTILE });
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 4, null, { timeout: 15000 });
	await page.locator('#convs .conv').first().click();
	await page.waitForSelector('#thread .msg-in');
	eq(await page.textContent('#thread .msg-in .msg-text'), HOSTILE, 'markup in a message is shown as the very text');
	eq(await page.locator('main img:not(.avatar[src^="/api/media/"]), main script, main b, main a[href^="javascript:"]').count(), 0, 'no element came from it');
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
