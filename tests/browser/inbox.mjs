// suite: sandbox
// The inbox in a real browser against the real API and the fake of
// Meta (tests/browser/run-suite.sh starts both): the owner signs in →
// Messenger, WhatsApp and Instagram messages arrive and appear in the
// inbox without a reload → opening one marks it read → reactions,
// postbacks, quick-reply choices, locations, replies and unsends of
// each platform are drawn in the thread (reactions under the message
// they react to, unsent messages marked) → a reply with
// text and quick replies is queued, sent, and its tick moves to read
// when the fake sends the receipts → assign to me, close, reopen → a
// WhatsApp conversation whose last message is 25 hours old offers only
// the number's approved templates and says so, one is filled in
// (parameters, preview) and sent, and it reaches the fake's outbox →
// an image shows as a thumbnail, the contact's picture and profile
// name → a message whose text
// is markup is shown as text and runs nothing.  Any script error,
// console error or dialog fails the suite.  Screenshots at desktop and
// phone widths.
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth, setUp, signIn, CTL, sleep, admin, sql, ctl, deliver, until } from './lib.mjs';

const OWNER = { name: 'Ines Inbox', email: 'ines@example.com', password: 'inbox replies are fun 42' };
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script> <a href="javascript:alert(3)">click</a> <b>bold</b>';
const PAGE_ID = '104857600000001';
const WA = '106540352242922';


admin(['channel-add', 'page', PAGE_ID, 'Sandbox Bakery']);
admin(['channel-add', 'instagram', '17841400000000001', 'sandbox_page_01']);
admin(['channel-add', 'whatsapp', WA, '+1 555 078 3881']);
await fetch(`${CTL}/world`);
admin(['channel-token', 'page', PAGE_ID], `${(await ctl('token', { action: 'issue', kind: 'page', page: PAGE_ID })).access_token}\n`);
admin(['channel-token', 'whatsapp', WA], `${(await ctl('token', { action: 'issue', kind: 'user_long' })).access_token}\n`);
sql(`INSERT OR REPLACE INTO subscription VALUES ('${PAGE_ID}', 'messages,message_echoes,message_deliveries,message_reads,message_reactions')`, 'fakemeta.db');
// The number's business account (connecting it by form stores it).
sql(`UPDATE channel SET parent_meta_id = '102290129340398' WHERE meta_id = '${WA}'`);
const midOf = (j) => j.payload.entry[0].messaging[0].message.mid;

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'inbox');

	await setUp(page, admin(['setup-link']), OWNER);
	await signIn(page, OWNER);
	const navs = await page.locator('nav a').allTextContents();
	eq(navs.slice(0, 2).join(','), 'Overview,Inbox', 'the navigation has Inbox right after Overview');
	await page.click('nav a[href="inbox.html"]');
	await page.waitForSelector('#convs-empty:not([hidden])');
	ok(true, 'the inbox opens, empty');
	await page.evaluate(() => { window.stillHere = true; });
	w.check('signed in');

	// --- messages of three platforms appear without a reload
	const m1 = midOf(await deliver({ platform: 'messenger', page: PAGE_ID, text: 'Do you bake on Sundays?' }));
	const w1 = (await deliver({ platform: 'whatsapp', text: 'Hola from WhatsApp' })).payload.entry[0].changes[0].value.messages[0].id;
	const i1 = midOf(await deliver({ platform: 'instagram', text: 'Hi from Instagram' }));
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 3, null, { timeout: 15000 });
	ok(await page.evaluate(() => window.stillHere === true), 'three conversations appear without a reload');
	const plats = await page.locator('#convs .conv .badge').allTextContents();
	const order = sql(`SELECT group_concat(k, ',') FROM (SELECT CASE c.kind WHEN 'page' THEN 'Messenger' WHEN 'instagram' THEN 'Instagram' ELSE 'WhatsApp' END AS k FROM conversation v JOIN channel c ON c.id = v.channel_id ORDER BY v.last_message_ms DESC, v.id DESC)`);
	eq(plats.join(','), order, 'newest activity (Meta\'s time) first');
	eq(await page.locator('#convs .unread').count(), 3, 'each shows its unread count');
	eq(await page.getAttribute('nav a[href="inbox.html"]', 'data-badge'), '3', 'the navigation\'s Inbox badge counts the unread conversations');
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

	// --- each kind, drawn in its own way, without a reload
	const m2 = midOf(await deliver({ platform: 'messenger', page: PAGE_ID, text: 'Oops, wrong chat' }));
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'reaction', mid: m1, emoji: '😍' });
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'postback', text: 'Opening hours', payload: 'HOURS' });
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'quick_reply', text: 'Tomorrow', payload: 'DAY_TOMORROW' });
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'location', text: 'My place', lat: '52.52', long: '13.405' });
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'reply', mid: m1, text: 'About <i>Sundays</i>: 9?' });
	await deliver({ platform: 'messenger', page: PAGE_ID, type: 'unsend', mid: m2 });
	await page.waitForSelector('#thread .msg-unsent', { timeout: 15000 });
	await page.waitForSelector('#thread .msg-quote', { timeout: 15000 });
	const first = page.locator('#thread li.msg', { hasText: 'Do you bake on Sundays?' }).first();
	eq(await first.locator('.msg-reactions .reaction').allTextContents().then((x) => x.join('')), '😍', 'the reaction is drawn under the message it reacts to');
	eq(await page.locator('#thread li.msg').count(), 8, '... not as a message of its own (8 messages with the image)');
	eq(await page.textContent('#thread .msg-unsent .msg-text'), 'This message was unsent.', 'the unsent message is marked, its text gone');
	eq(await page.textContent('#thread li[data-kind="postback"] .chip'), 'Opening hours', 'a postback shows the button\'s title');
	eq(await page.getAttribute('#thread li[data-kind="postback"] .chip', 'title'), 'payload HOURS', '... and its payload on hover');
	eq(await page.textContent('#thread .msg-choice .chip'), 'Tomorrow', 'a quick-reply choice shows the button\'s title');
	eq(await page.textContent('#thread .msg-map'), '52.52, 13.405', 'a location shows its coordinates as text');
	ok(/^https:\/\/www\.openstreetmap\.org\/\?mlat=52\.52&mlon=13\.405/.test(await page.getAttribute('#thread .msg-map', 'href')), '... with a map link built from them');
	eq(await page.textContent('#thread .msg-quote q'), 'Do you bake on Sundays?', 'a reply quotes what it answers');
	eq(await page.textContent('#thread li.msg:has(.msg-quote) .msg-text'), 'About <i>Sundays</i>: 9?', '... its markup as text');
	// Instagram and WhatsApp reactions and an Instagram unsend, folded.
	await deliver({ platform: 'instagram', type: 'reaction', mid: i1, emoji: '🔥' });
	await deliver({ platform: 'instagram', type: 'postback', text: 'Menu', payload: 'MENU' });
	await deliver({ platform: 'instagram', type: 'unsend', mid: i1 });
	await deliver({ platform: 'whatsapp', type: 'reaction', mid: w1, emoji: '🙏' });
	const ci = sql(`SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'instagram'`);
	const cw0 = sql(`SELECT v.id FROM conversation v JOIN channel c ON c.id = v.channel_id WHERE c.kind = 'whatsapp'`);
	const im = (await (await ctx.request.get(`${BASE}/api/conversations/${ci}/messages`)).json()).messages;
	eq(JSON.stringify(im.map((m) => [m.kind, m.unsent, m.reactions.map((r) => r.emoji).join('')])), '[["text",true,"🔥"],["postback",false,""]]', 'Instagram: the reaction folded, the postback, the unsend marked');
	const wm = (await (await ctx.request.get(`${BASE}/api/conversations/${cw0}/messages`)).json()).messages;
	eq(JSON.stringify(wm.map((m) => m.reactions.map((r) => r.emoji).join(''))), '["🙏"]', 'WhatsApp: the reaction folded into its message');
	await shot(page, 'inbox-kinds-desktop');
	w.check('kinds');

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
	await deliver({ platform: 'whatsapp', sender: '16505550025', age_s: '90000', text: 'Is my cake ready?' });
	const cw = sql(`SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '16505550025'`);
	await page.goto(`${BASE}/inbox.html?c=${cw}`);
	await page.waitForSelector('#thread .msg-in');
	eq(await page.getAttribute('#window', 'data-window'), 'template_only', 'the 25-hour-old WhatsApp conversation: templates only');
	ok(/only an approved template/.test(await page.textContent('#window')), '... and it says so');
	ok(await page.isHidden('#reply'), '... no free text box');
	ok(await page.isVisible('#template'), '... a template form');
	await page.waitForSelector('#t-pick option[value="0"]', { state: 'attached' });
	const offered = await page.locator('#t-pick option').allTextContents();
	ok(offered.includes('order_update (es_ES)') && offered.includes('hello_world (en_US)'), 'the number\'s templates are offered, in their languages', offered.join(' | '));
	ok(!offered.some((o) => /spring_sale|new_menu/.test(o)), '... only approved ones');
	await page.selectOption('#t-pick', { label: 'order_update (en_US)' });
	eq(await page.locator('#t-params input').count(), 2, 'one input per parameter');
	await page.fill('#t-param-1', 'Ana');
	await page.fill('#t-param-2', '<b>A-17</b>');
	eq(await page.textContent('#t-preview'), 'Hi Ana, your order <b>A-17</b> is ready for pickup.', 'the preview shows the filled body, as text');
	await shot(page, 'inbox-template-picker-desktop');
	await page.click('#t-send');
	await page.waitForSelector('#thread .msg-out');
	await until(() => sql(`SELECT state FROM outbox WHERE kind = 'template' AND conversation_id = ${cw}`) === 'sent', 'the template is sent');
	ok(true, 'the template is sent');
	eq(await page.locator('#t-params input').count(), 0, 'the picker starts over: no template chosen, no parameters');
	ok(await page.isHidden('#t-preview-box'), '... and no preview');
	const tsent = (await (await fetch(`${CTL}/outbox`)).json()).data.filter((x) => x.body && x.body.type === 'template');
	eq(JSON.stringify(tsent.map((x) => [x.body.template.name, x.body.template.language.code, x.body.template.components[0].parameters.map((p) => p.text)])),
		'[["order_update","en_US",["Ana","<b>A-17</b>"]]]', 'it reached the fake\'s outbox with its parameters');
	await page.waitForFunction(() => [...document.querySelectorAll('#thread .msg-out .msg-text')].some((e) => e.textContent.includes('is ready for pickup')));
	const tmsg = await page.locator('#thread .msg-out .msg-text').last().textContent();
	eq(tmsg, 'Template Hi Ana, your order <b>A-17</b> is ready for pickup.', 'the thread shows the sent template\'s text with its parameters, as text');
	await shot(page, 'inbox-template-desktop');
	await page.setViewportSize(PHONE);
	await page.selectOption('#t-pick', { label: 'welcome_back (es_ES)' });
	await page.fill('#t-param-1', 'Ana');
	ok(await fitsWidth(page), 'the template picker fits a phone');
	await shot(page, 'inbox-template-phone');
	await page.selectOption('#t-pick', '');
	await page.setViewportSize(DESKTOP);
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
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 5, null, { timeout: 15000 });
	await page.locator('#convs .conv').first().click();
	await page.waitForSelector('#thread .msg-in');
	eq(await page.textContent('#thread .msg-in .msg-text'), HOSTILE, 'markup in a message is shown as the very text');
	eq(await page.locator('main img:not(.avatar[src^="/api/media/"]), main script, main b, main a[href^="javascript:"]').count(), 0, 'no element came from it');
	await shot(page, 'inbox-hostile-desktop');
	w.check('hostile');

	// --- the person of that conversation exports and is forgotten
	const exportHref = await page.getAttribute('#t-contact a', 'href');
	ok(/^\/api\/contacts\/\d+\/export$/.test(exportHref || ''), 'an admin is offered the export of the person\'s data');
	const exported = await page.evaluate(async (h) => (await fetch(h)).json(), exportHref);
	ok(JSON.stringify(exported).includes('onerror=alert(1)'), '... which holds their message');
	await page.click('#t-contact button:has-text("Forget this person")');
	await page.waitForSelector('#t-contact input');
	ok(await page.isDisabled('#t-contact button[type="submit"]'), 'forgetting waits for the word FORGET');
	await page.fill('#t-contact input', 'FORGET');
	await shot(page, 'inbox-forget-desktop');
	await page.click('#t-contact button[type="submit"]');
	await page.waitForSelector('#alert.alert-ok:has-text("Forgotten")');
	await page.waitForFunction(() => document.querySelectorAll('#convs .conv').length === 4, null, { timeout: 15000 });
	eq(sql("SELECT count(*) FROM contact WHERE meta_user_id = '7300000000000009'"), '0', 'the person is forgotten: the list has one conversation less');
	eq(sql("SELECT count(*) FROM webhook_event WHERE instr(CAST(body AS TEXT), 'onerror=alert(1)') > 0"), '0', '... and no raw event holds their message');
	w.check('forget');

	// --- the phone
	await page.setViewportSize(PHONE);
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForSelector('#convs .conv');
	ok(await fitsWidth(page), 'the list fits a phone');
	await shot(page, 'inbox-list-phone');
	await page.locator('#convs .conv:has(.badge-messenger)').last().focus();
	await page.keyboard.press('Enter');
	await page.waitForSelector('#thread .msg-out');
	await page.waitForSelector('#thread .msg-reactions');
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
