// suite: sandbox
// conf: outbox_grace_s = 2
// The Page Inbox handover in a real browser against the real API and the
// fake of Meta: an admin turns on the handover with "pass to Meta's Page
// Inbox" on the Rules page → "I want to talk to a person" escalates and
// the conversation's header says Meta's inbox owns it → the fake's Page
// has no default app, so closing it is refused by Meta: the header says
// so, and the thread stays Meta's inbox's.  Any script error, console
// error or dialog fails the suite.
import { BASE, DESKTOP, ok, eq, done, launch, newContext, watch, shot, setUp, signIn, CTL, admin, sql, ctl, deliver, until } from './lib.mjs';

const OWNER = { name: 'Hana Handover', email: 'hana@example.com', password: 'the page inbox answers too 7' };
const PAGE_ID = '104857600000001';
const SENDER = '5554000001';

admin(['channel-add', 'page', PAGE_ID, 'Sandbox Bakery']);
await fetch(`${CTL}/world`);
admin(['channel-token', 'page', PAGE_ID], `${(await ctl('token', { action: 'issue', kind: 'page', page: PAGE_ID })).access_token}\n`);
sql(`INSERT OR REPLACE INTO subscription VALUES ('${PAGE_ID}', 'messages,message_echoes,messaging_handovers')`, 'fakemeta.db');

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'handover-inbox');

	await setUp(page, admin(['setup-link']), OWNER);
	await signIn(page, OWNER);

	// --- the setting on the Rules page
	await page.goto(`${BASE}/rules.html`);
	await page.waitForSelector('#content:not([hidden])');
	ok(!(await page.isChecked('#h-page-inbox')), 'passing to Meta\'s Page Inbox is off at first');
	await page.check('#h-enabled');
	await page.check('#h-page-inbox');
	await page.click('#h-submit');
	await page.waitForSelector('#h-alert.alert-ok:not([hidden])');
	eq(sql(`SELECT json_extract(handover, '$.page_inbox') FROM automation_setting`), '1', '... and on once saved');
	await page.reload();
	await page.waitForSelector('#content:not([hidden])');
	await page.waitForFunction(() => document.getElementById('h-page-inbox').checked);
	ok(true, '... as the page shows again');
	await shot(page, 'handover-inbox-setting');
	w.check('setting');

	// --- an escalation passes the thread
	const refused = await ctl('routing', { default_app: '0' });
	eq(refused.default_app, false, 'the fake\'s Page has no default app');
	await deliver({ platform: 'messenger', page: PAGE_ID, sender: SENDER, text: 'I want to talk to a person' });
	let conv = '';
	await until(() => (conv = sql(`SELECT v.id FROM conversation v JOIN contact k ON k.id = v.contact_id WHERE k.meta_user_id = '${SENDER}' AND v.thread_owner = 'other'`)) !== '',
		'the thread passed to the Page Inbox');
	await page.goto(`${BASE}/inbox.html`);
	await page.click('#convs .conv:has(.badge-off)');
	await page.waitForSelector('#t-referral:not([hidden])');
	eq(await page.textContent('#t-referral'), 'Another app owns this conversation (Meta inbox)', 'the header says Meta\'s inbox owns it');
	await shot(page, 'handover-inbox-passed');
	w.check('passed');

	// --- closing: Meta refuses to give it back
	await page.click('#close');
	await page.waitForSelector('#reopen:not([hidden])');
	await until(() => sql(`SELECT thread_control_error IS NOT NULL FROM conversation WHERE id = ${conv}`) === '1', 'the refusal');
	await page.reload();
	await page.click(`#convs .conv`);
	await page.waitForFunction(() => /Meta refused/.test(document.getElementById('t-referral')?.textContent || ''));
	const text = await page.textContent('#t-referral');
	ok(text.startsWith('Another app owns this conversation (Meta inbox) · Meta refused to move the conversation: take_thread_control: '),
		'the header says Meta refused to give the thread back', text);
	eq((await (await fetch(`${CTL}/routing`)).json()).refused, 1, '... asked once');
	await shot(page, 'handover-inbox-refused');
	w.check('refused');
} catch (e) {
	ok(false, 'the suite ran to its end', e.stack);
} finally {
	await browser.close();
	done();
}
