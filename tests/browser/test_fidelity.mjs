// Meta's events in full, seen in a real browser: the fidelity payloads
// of tests/data are posted to the webhook (signed as Meta signs them),
// then the inbox shows an edited message marked "edited" with its
// earlier texts, a revoked one as deleted, a call entry, an order, a
// message Meta could not deliver, who answered from Meta's inbox or
// another app, the ad a conversation came from and that another app
// owns it; the channels page lists a WhatsApp number's account events;
// the events page marks the Test button's body as a test.
// Any script error, console error or dialog fails the suite.
// Screenshots at desktop and phone widths.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, signIn, fitsWidth } from './lib.mjs';

const DATA = process.env.HUBGATE_DATA;
const ADMIN = process.env.HUBGATE_ADMIN;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const env = { ...process.env, HUBGATE_CONFIG: process.env.HUBGATE_CONFIG };
const admin = (args, input) => execFileSync(ADMIN, args, { env, encoding: 'utf8', input }).trim();
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, 'hubgate.db'), q], { encoding: 'utf8' }).trim();
const OWNER = { name: 'Fi Delity', email: 'fi@example.com', password: 'every kind of event 42' };
const NAMES = ['messenger-edit', 'whatsapp-edit-revoke', 'messenger-handover', 'messenger-referral',
	'whatsapp-types', 'whatsapp-calls', 'whatsapp-account', 'instagram-standby', 'test-button-page',
	'whatsapp-history', 'messenger-calls'];

admin(['channel-add', 'page', '104857600000001', 'Shop']);
admin(['channel-add', 'instagram', '17841400000000001', 'IG']);
admin(['channel-add', 'whatsapp', '106540352242922', 'WA']);
sql("UPDATE channel SET parent_meta_id = '102290129340398' WHERE meta_id = '106540352242922'");
admin(['user-add', OWNER.email, '--role', 'owner'], `${OWNER.password}\n`);
// The operator sees events routed to no channel (the Test button's).
sql(`UPDATE user SET operator = 1 WHERE email = '${OWNER.email}'`);
// The last one after the workspace chose to keep what people take back.
for (const n of [...NAMES, 'messenger-unsend']) {
	if (n === 'messenger-unsend') sql(`UPDATE workspace SET retention = '{"keep_deleted_text":true}'`);
	const file = path.join(ROOT, 'tests/data', `${n}.json`);
	const sig = execFileSync(ADMIN, ['sign', file], { env: { ...env, HUBGATE_CONFIG: '/dev/null', HUBGATE_APP_SECRET: 'test-app-secret-0123456789' }, encoding: 'utf8' }).trim();
	const r = await fetch(`${BASE}/webhook`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': sig }, body: readFileSync(file) });
	eq(r.status, 200, `${n}.json accepted`);
}
const conv = (who) => sql(`SELECT v.id FROM conversation v JOIN contact c ON c.id = v.contact_id WHERE c.meta_user_id = '${who}'`);

const browser = await launch();
try {
	for (const [size, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
		const ctx = await newContext(browser, size);
		const page = await ctx.newPage();
		const w = watch(page, `fidelity (${label})`);
		// The WhatsApp conversations are older than 24 hours: the inbox
		// offers templates, which a number without a token cannot list.
		w.expect(`/api/channels/${sql("SELECT id FROM channel WHERE kind = 'whatsapp'")}/templates`, 409);
		await signIn(page, OWNER);
		const open = async (who) => {
			await page.goto(`${BASE}/inbox.html?c=${conv(who)}`);
			await page.waitForSelector('#thread li.msg');
			await page.waitForLoadState('networkidle');
		};

		// An edit: the newest text, marked, the earlier ones on hover.
		await open('7300000000000011');
		eq(await page.textContent('#thread li[data-kind="text"] .msg-text'), 'See you at 7', `edited (${label}): the newest text`);
		eq(await page.getAttribute('#thread .msg-edited', 'title'), 'Before: See you at 5 → See you at 6', `edited (${label}): marked, the earlier texts kept`);
		await shot(page, `fidelity-edited-${label}`);

		// A revoke, an order, an undeliverable message, a call.
		await open('16505550889');
		const texts = await page.$$eval('#thread li.msg .msg-text', (ns) => ns.map((n) => n.textContent));
		ok(texts.includes('Order: Please deliver Friday'), `types (${label}): an order`, texts.join(' | '));
		ok(texts.includes('Meta could not deliver this message: Message type unknown: Message type is currently not supported.'), `types (${label}): what Meta could not deliver`);
		ok(texts.includes('Shared contact: Bo Shop (+1 650 555 0100)'), `types (${label}): shared contacts, named with their number`);
		ok(texts.includes('This message was unsent.'), `types (${label}): a revoked message shown as deleted`);
		await shot(page, `fidelity-types-${label}`);
		await open('16505550999');
		eq(await page.textContent('#thread li[data-kind="call"] .msg-text'), 'Incoming call: terminate, COMPLETED, 58 s', `call (${label}): one call entry`);

		// Who answered, who owns the thread.
		await open('7300000000000041');
		eq(await page.textContent('#thread li.msg-out .msg-echo'), 'sent from Meta inbox', `echo (${label}): answered from Meta's inbox`);
		eq(await page.textContent('#t-referral'), 'Another app owns this conversation (Meta inbox)', `owner (${label}): another app owns the thread`);
		await open('7300000000000042');
		eq(await page.textContent('#thread li.msg-out .msg-echo'), 'sent by another app (555000000000001)', `echo (${label}): answered by another app`);
		await open('990000000000041');
		ok(await page.isVisible('#thread .msg-standby'), `standby (${label}): a standby copy is marked`);

		// A WhatsApp Business app's chat history; a Messenger call.
		await open('16505550721');
		eq(await page.$$eval('#thread li.msg .msg-history', (ns) => ns.length), 4, `history (${label}): the chat history's messages marked`);
		await shot(page, `fidelity-history-${label}`);
		await open('7300000000000061');
		eq(await page.textContent('#thread .msg-unsent .msg-text'), 'This message was unsent. It said: My card is 4111 ...', `retention (${label}): an unsent message's kept text shown as such`);
		await open('7300000000000051');
		eq(await page.textContent('#thread li[data-kind="call"] .msg-text'), 'Incoming call: terminate, 42 s', `call (${label}): a Messenger call entry`);

		// The ad a conversation came from.
		await open('7300000000000023');
		eq(await page.textContent('#t-referral'), 'Came from customer chat plugin (ref home)', `referral (${label}): the Chat Plugin`);
		ok(await fitsWidth(page), `inbox (${label}): fits the window's width`);
		await shot(page, `fidelity-referral-${label}`);

		// The channels page: the number's account events.
		await page.goto(`${BASE}/channels.html`);
		await page.waitForSelector('#channels tr');
		await page.waitForLoadState('networkidle');
		eq(await page.textContent('[data-account]'), 'account: FLAGGED', `channels (${label}): the account state threatening sending`);
		await page.click('.account-notices summary');
		eq(await page.$$eval('.account-notices li', (ns) => ns.length), 6, `channels (${label}): the account events listed`);
		ok((await page.textContent('.account-notices')).includes('template “order_update”: REJECTED'), `channels (${label}): a rejected template named`);
		ok(await fitsWidth(page), `channels (${label}): fits the window's width`);
		await shot(page, `fidelity-channels-${label}`);
		// The events page: the Test button's body marked as a test.
		await page.goto(`${BASE}/events.html`);
		await page.waitForSelector('[data-test]');
		eq(await page.$$eval('[data-test]', (ns) => ns.length), 1, `events (${label}): one event marked as a test`);
		await shot(page, `fidelity-events-${label}`);
		w.check(`fidelity (${label})`);
		await ctx.close();
	}
} finally {
	await browser.close();
}
done();
