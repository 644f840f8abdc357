// suite: sandbox
// The Rules page in a real browser against the real API and the fake of
// Meta: an admin finds Rules in the navigation with the two default
// rules (off) → adds a keyword rule with the form, a button under its
// reply added with the keyboard → the test box says what it would do
// (and send) with a matching message and that nothing matches another
// → a group of people is added and offered to rules and the inbox's
// filter → a matching sandbox message arrives and the rule's reply shows in
// the conversation, its button as a label → the handover is turned on
// → "I want to talk to a person" escalates: the inbox shows it
// escalated, with the notice in the thread → a person answers and
// closes it → gives it a group from its header (the list labels it)
// and takes it back → keeps the text of messages people take back,
// saved and still set after a reload.  Any script error, console error or dialog fails the
// suite.
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth, setUp, signIn, CTL, sleep, admin, sql, ctl, deliver, until } from './lib.mjs';

const OWNER = { name: 'Rita Rules', email: 'rita@example.com', password: 'rules answer at once 42' };
const PAGE_ID = '104857600000001';
const REPLY = 'Yes, fresh croissants every morning, friend!';

admin(['channel-add', 'page', PAGE_ID, 'Sandbox Bakery']);
await fetch(`${CTL}/world`);
admin(['channel-token', 'page', PAGE_ID], `${(await ctl('token', { action: 'issue', kind: 'page', page: PAGE_ID })).access_token}\n`);
sql(`INSERT OR REPLACE INTO subscription VALUES ('${PAGE_ID}', 'messages,message_echoes,message_deliveries,message_reads')`, 'fakemeta.db');

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'rules');

	await setUp(page, admin(['setup-link']), OWNER);
	await signIn(page, OWNER);

	// --- the page, its default rules
	await page.click('nav a[href="rules.html"]');
	await page.waitForSelector('#content:not([hidden]) #rules tr td');
	eq(await page.title(), 'Rules · hubgate', 'Rules is in the navigation and opens');
	const names = await page.locator('#rules tr td:nth-child(2)').allTextContents();
	eq(names.join(','), 'Greeting,Away message', 'the default rules are listed');
	eq(await page.locator('#rules input[type=checkbox]:checked').count(), 0, '... both off');
	await shot(page, 'rules-defaults-desktop');
	w.check('open');

	// --- add a rule with the form
	await page.fill('#r-name', 'Croissants');
	await page.selectOption('#r-when', 'keywords');
	await page.fill('#r-value', 'croissant, croissants, pain au chocolat');
	await page.fill('#r-reply', 'Yes, fresh croissants every morning, {contact.first_name|friend}!');
	await page.fill('#r-tag', 'pastry');
	await page.check('#r-stop');
	// A button under the reply, with the keyboard only.
	await page.focus('#r-button-add');
	await page.keyboard.press('Enter');
	await page.keyboard.type('Order some');
	await page.keyboard.press('Tab');
	await page.keyboard.type('ORDER_CROISSANT');
	eq(await page.locator('#r-buttons .b-row').count(), 1, 'a button is added with the keyboard');
	await shot(page, 'rules-button-form-desktop');
	await page.click('#r-submit');
	await page.waitForSelector('#rules tr:has-text("Croissants")');
	ok(/any of: croissant, croissants, pain au chocolat/.test(await page.textContent('#rules tr:has-text("Croissants")')),
		'the new rule is listed with its keywords');
	eq(sql(`SELECT enabled || ' ' || json_extract(body, '$.then[0].reply.text') FROM rule WHERE name = 'Croissants'`),
		'1 Yes, fresh croissants every morning, {contact.first_name|friend}!', '... stored, on, with its reply');
	eq(sql(`SELECT json_extract(body, '$.then[0].reply.buttons') FROM rule WHERE name = 'Croissants'`),
		'[{"title":"Order some","payload":"ORDER_CROISSANT"}]', '... and its button');
	w.check('add');

	// --- the test box
	await page.fill('#test-text', 'Do you have CROISSANTS?');
	await page.click('#test-submit');
	await page.waitForSelector('#test-result .test-matches li');
	ok(/^Croissants: reply "Yes, fresh croissants/.test(await page.textContent('#test-result li')),
		'the test box: the rule would reply', await page.textContent('#test-result'));
	eq(await page.textContent('#test-result .test-send .btn-label'), 'Order some', '... and shows the button it would send');
	await page.fill('#test-text', 'Do you sell bread?');
	await page.click('#test-submit');
	await page.waitForSelector('#test-result .test-none');
	eq(await page.textContent('#test-result'), 'No rule matches: nothing is sent.', '... and nothing for another message');
	eq(sql('SELECT count(*) FROM outbox'), '0', 'testing sent nothing');
	await shot(page, 'rules-test-desktop');
	w.check('test box');

	// --- turn a rule on from the list, then delete it (confirmed in the row)
	const put = page.waitForResponse((r) => /\/api\/rules\/\d+$/.test(r.url()) && r.request().method() === 'PUT');
	await page.check('#rules tr:has-text("Away message") input[type=checkbox]');
	ok((await put).ok(), 'turning a rule on from the list is stored');
	eq(sql(`SELECT enabled FROM rule WHERE name = 'Away message'`), '1', '... on');
	await page.click('#rules tr:has-text("Away message") button:has-text("Delete")');
	ok(/Delete "Away message"\?/.test(await page.textContent('#rules tr:has-text("Away message") .confirm')), 'delete asks first, in the row');
	await page.click('#rules tr:has-text("Away message") .confirm-yes');
	await page.waitForFunction(() => ![...document.querySelectorAll('#rules tr')].some((tr) => tr.textContent.includes('Away message')));
	eq(sql(`SELECT count(*) FROM rule WHERE name = 'Away message'`), '0', '... and then deletes it');
	// Edit: the form takes the rule, a change is saved.
	await page.click('#rules tr:has-text("Croissants") button:has-text("Edit")');
	eq(await page.inputValue('#r-value'), 'croissant, croissants, pain au chocolat', 'Edit fills the form with the rule');
	eq(await page.textContent('#r-submit'), 'Save rule', '... to save it');
	await page.fill('#r-tag', 'bakery');
	await page.click('#r-submit');
	await page.waitForSelector('#rules tr:has-text("tag bakery")');
	eq(sql(`SELECT json_extract(body, '$.then[1].tag') || ' ' || count(*) FROM rule WHERE name = 'Croissants'`), 'bakery 1', '... and the change is saved, not a new rule');
	eq(sql(`SELECT json_extract(body, '$.then[0].reply.buttons[0].title') FROM rule WHERE name = 'Croissants'`), 'Order some', '... keeping its button');
	w.check('list actions');

	// --- a group of people: created from the Rules page, offered to rules
	await page.fill('#g-name', 'Bakers');
	await page.check('#g-people input[type=checkbox]');
	await page.click('#g-submit');
	await page.waitForSelector('#groups li:has-text("Bakers")');
	eq(await page.textContent('#groups li:has-text("Bakers") strong'), 'Bakers', 'a group is added from the Rules page');
	ok(/Rita Rules/.test(await page.textContent('#groups li:has-text("Bakers")')), '... with its member');
	eq(sql(`SELECT g.name || ' ' || count(m.user_id) FROM person_group g JOIN person_group_member m ON m.group_id = g.id`), 'Bakers 1', '... stored');
	eq(await page.locator('#r-group option', { hasText: 'Bakers' }).count(), 1, '... and offered to rules');
	await shot(page, 'rules-groups-desktop');
	w.check('groups');

	// --- a matching message gets the reply
	await deliver({ platform: 'messenger', page: PAGE_ID, sender: '5553000001', text: 'Any croissants today?' });
	await until(() => sql(`SELECT count(*) FROM outbox WHERE author_kind = 'rule' AND state IN ('sent', 'delivered', 'read')`) === '1',
		'the rule\'s reply is sent');
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForSelector('#convs .conv');
	eq(await page.locator('#f-assigned option', { hasText: 'Bakers' }).count(), 1, 'the inbox filters by the group');
	await page.click('#convs .conv');
	await page.waitForSelector('#thread .msg-out');
	eq(await page.textContent('#thread .msg-out .msg-text'), REPLY, 'the reply shows in the conversation');
	eq(await page.textContent('#thread .msg-out .msg-card .btn-label'), 'Order some', '... with its button as a label');
	const fake = await (await fetch(`${CTL}/outbox`)).json();
	eq(fake.data.filter((x) => JSON.stringify(x.body).includes(REPLY)).length, 1, 'the fake of Meta got it once');
	eq(JSON.stringify(fake.data.filter((x) => JSON.stringify(x.body).includes(REPLY)).map((x) => x.body.message.attachment.payload.buttons)),
		'[[{"type":"postback","title":"Order some","payload":"ORDER_CROISSANT"}]]', '... as a button template');
	await shot(page, 'rules-reply-inbox-desktop');
	w.check('reply');

	// --- the handover
	await page.goto(`${BASE}/rules.html`);
	await page.waitForSelector('#content:not([hidden])');
	await page.check('#h-enabled');
	ok(/person/.test(await page.inputValue('#h-phrases')), 'the default escalation phrases are shown');
	await page.click('#h-submit');
	await page.waitForSelector('#h-alert.alert-ok:not([hidden])');
	eq(sql(`SELECT json_extract(handover, '$.enabled') FROM automation_setting`), '1', 'the handover is on');
	await page.setViewportSize(PHONE);
	ok(await fitsWidth(page), 'the Rules page fits a phone\'s width');
	await shot(page, 'rules-phone');
	await page.setViewportSize(DESKTOP);
	w.check('handover settings');

	await deliver({ platform: 'messenger', page: PAGE_ID, sender: '5553000002', text: 'I want to talk to a person' });
	const conv = await (async () => {
		let id = '';
		await until(() => (id = sql(`SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '5553000002' AND v.status = 'escalated'`)) !== '', 'the escalation');
		return id;
	})();
	await until(() => sql(`SELECT count(*) FROM outbox WHERE conversation_id = ${conv} AND state IN ('sent', 'delivered', 'read')`) === '1', 'the notice is sent');
	await page.goto(`${BASE}/inbox.html`);
	await page.waitForSelector('#convs .conv .badge-off');
	eq((await page.locator('#convs .conv .badge-off').allTextContents()).join(','), 'escalated', 'the inbox shows the conversation escalated');
	await page.click('#convs .conv:has(.badge-off)');
	await page.waitForSelector('#thread .msg-out');
	ok(/connecting you with a person/.test(await page.textContent('#thread .msg-out .msg-text')), 'the thread has the notice');
	eq(await page.textContent('#t-status'), 'escalated', 'the conversation says escalated');
	eq(await page.textContent('#t-escalation'), 'Handed over: asked for a person ("person"). contact: I want to talk to a person',
		'... why, with its last messages');
	eq(await page.textContent('#convs .conv .conv-escalation'), 'asked for a person ("person")', 'the list says why too');
	await shot(page, 'rules-escalated-desktop');
	await page.fill('#r-text', 'Hello, I am Rita. How can I help?');
	await page.click('#r-send');
	await page.waitForFunction(() => document.querySelectorAll('#thread .msg-out').length === 2);
	await until(() => sql(`SELECT count(*) FROM outbox WHERE conversation_id = ${conv} AND author_kind = 'user' AND kind = 'text' AND state IN ('sent', 'delivered', 'read')`) === '1',
		'the person\'s answer is sent');
	ok(true, 'a person answers the escalated conversation');
	await page.click('#close');
	await page.waitForSelector('#reopen:not([hidden])');
	eq(sql(`SELECT status FROM conversation WHERE id = ${conv}`), 'closed', '... and closes it');
	ok(await page.isHidden('#t-escalation'), '... which no longer says it waits for a person');
	await page.waitForSelector('label.availability:not([hidden])');
	ok(await page.isChecked('#available'), 'the inbox says the person is available');
	const av = page.waitForResponse((r) => r.url().endsWith('/api/settings/availability') && r.request().method() === 'PUT');
	await page.uncheck('#available');
	ok((await av).ok(), '... and switching it off is stored');
	eq(sql(`SELECT available FROM membership`), '0', '... away');
	await shot(page, 'rules-closed-desktop');
	w.check('escalation');

	// --- the conversation's group, picked in its header with the keyboard
	const gb = sql(`SELECT id FROM person_group WHERE name = 'Bakers'`);
	ok(await page.isVisible('#t-group'), 'the header offers the groups');
	eq(await page.inputValue('#t-group'), '', '... showing "No group"');
	const picked = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${conv}/assign`));
	await page.focus('#t-group');
	await page.keyboard.press('ArrowDown');
	ok((await picked).ok(), 'picking a group with the keyboard is stored');
	await page.waitForFunction(() => document.querySelector('#t-assigned').textContent.includes('group Bakers'));
	eq(await page.textContent('#t-assigned'), 'Unassigned · group Bakers', 'the header says the group');
	eq((await page.locator('#convs .conv .conv-group').allTextContents()).join(','), 'Bakers', '... and so does the list');
	eq(sql(`SELECT assigned_group_id FROM conversation WHERE id = ${conv}`), gb, '... in the database');
	await shot(page, 'rules-inbox-group-desktop');
	await page.setViewportSize(PHONE);
	ok(await fitsWidth(page), 'the header with its group picker fits a phone\'s width');
	await shot(page, 'rules-inbox-group-phone');
	await page.setViewportSize(DESKTOP);
	const cleared = page.waitForResponse((r) => r.url().endsWith(`/api/conversations/${conv}/assign`));
	await page.selectOption('#t-group', '');
	ok((await cleared).ok(), '"No group" is stored');
	await page.waitForFunction(() => !document.querySelector('#t-assigned').textContent.includes('group'));
	eq(await page.locator('#convs .conv .conv-group').count(), 0, '... the list has no group label left');
	eq(sql(`SELECT coalesce(assigned_group_id, 0) FROM conversation WHERE id = ${conv}`), '0', '... and the conversation no group');
	w.check('inbox group');

	// --- what people take back: kept or not, from the Rules page
	const kept = (r) => r.url().endsWith('/api/settings/retention') && r.request().method() === 'GET';
	let got = page.waitForResponse(kept);
	await page.goto(`${BASE}/rules.html`);
	await page.waitForSelector('#content:not([hidden])');
	eq(JSON.stringify(await (await got).json()), '{"keep_deleted_text":false}', 'the Rules page reads what is kept');
	await page.waitForTimeout(200);
	ok(!(await page.isChecked('#k-keep')), 'the texts of messages taken back are not kept by default');
	await page.focus('#k-keep');
	await page.keyboard.press('Space');
	await page.click('#k-submit');
	await page.waitForSelector('#k-alert.alert-ok:not([hidden])');
	eq(await page.textContent('#k-alert'), 'Saved.', 'keeping them is saved');
	got = page.waitForResponse(kept);
	await page.reload();
	await page.waitForSelector('#content:not([hidden])');
	await got;
	await page.waitForFunction(() => document.querySelector('#k-keep').checked, null, { timeout: 5000 }).catch(() => {});
	ok(await page.isChecked('#k-keep'), '... and still set after a reload');
	eq(JSON.stringify(await page.evaluate(async () => (await fetch('/api/settings/retention')).json())),
		'{"keep_deleted_text":true}', '... which the API says too');
	await page.locator('#retention-h').scrollIntoViewIfNeeded();
	await shot(page, 'rules-retention-desktop');
	await page.setViewportSize(PHONE);
	ok(await fitsWidth(page), 'the Rules page with it fits a phone\'s width');
	await page.locator('#retention-h').scrollIntoViewIfNeeded();
	await shot(page, 'rules-retention-phone');
	await page.setViewportSize(DESKTOP);
	await page.uncheck('#k-keep');
	await page.click('#k-submit');
	await page.waitForFunction(() => document.querySelector('#k-alert').textContent === 'Saved.');
	await until(() => sql(`SELECT json_extract(retention, '$.keep_deleted_text') FROM workspace WHERE id = 1`) === '0', 'turned off again');
	ok(true, '... and turned off again');
	w.check('retention');
} catch (e) {
	ok(false, 'the suite ran to its end', e.stack);
} finally {
	await browser.close();
	done();
}
