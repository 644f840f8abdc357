// suite: sandbox
// The operations pages in a real browser against the real API, with
// the fake of Meta delivering signed webhooks (tests/browser/
// run-suite.sh starts both): the owner (and operator) signs in →
// Messenger, Instagram and WhatsApp messages and a batch arrive, and
// one for a Page nobody connected → the overview counts them and its
// chart draws them, and refreshes in place (or not, when paused) →
// an event found by its Meta id shows its messages → an event whose
// processing fails (a trigger of the test refuses its message) is
// retried by the queue until it is a dead letter → the dead-letters
// page groups it → "Retry now" on its page → it is processed →
// connecting the unrouted Page by hand re-routes its event → a
// WhatsApp number is connected by form (a bad token named first),
// renamed and disconnected after an in-page confirmation.  An event
// whose text is markup, javascript: URLs, RTL and emoji is shown as
// text and runs nothing.  Any script error, console error or dialog
// fails the suite.  Screenshots of every page at desktop and phone
// widths; the time the overview takes to be fully drawn is printed.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth, setUp, signIn } from './lib.mjs';

const CTL = process.env.CTL || `${BASE}/_meta/_control`;
const DATA = process.env.HUBGATE_DATA;
const CONFIG = process.env.HUBGATE_CONFIG;
const ADMIN = process.env.HUBGATE_ADMIN;
const BUILD = process.env.HUBGATE_BUILD || path.resolve('build-san');
const OWNER = { name: 'Olga Operator', email: 'olga@example.com', password: 'operations are fun 42' };
const HOSTILE = '<img src=x onerror=alert(1)><script>alert(2)</script> <a href="javascript:alert(3)">click</a> \u202eRTL مرحبا بالعالم 👋🏽 שלום';
const FAILING = 'This message is refused by the test';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const env = { ...process.env, HUBGATE_CONFIG: CONFIG };
const admin = (...a) => execFileSync(ADMIN, a, { env, encoding: 'utf8' }).trim();
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, 'hubgate.db'), q], { encoding: 'utf8' }).trim();
// The webhook-retry cron, with a retry schedule of one step: the next
// failure after the first makes a dead letter.
const cron = () => execFileSync(path.join(BUILD, 'cron/webhook-retry'), [],
	{ env: { ...env, HUBGATE_RETRY_SCHEDULE: '1' }, encoding: 'utf8' });

// deliver(params): the fake of Meta signs and posts a webhook; its
// answer (delivered, payload).
async function deliver(params) {
	const r = await fetch(`${CTL}/deliver`, { method: 'POST', body: new URLSearchParams(params) });
	const j = await r.json();
	if (!j.delivered) throw new Error(`delivery failed: ${JSON.stringify(j).slice(0, 300)}`);
	return j;
}
const midOf = (j) => j.payload.entry[0].messaging[0].message.mid;
const eventOf = (needle) => Number(sql(`SELECT id FROM webhook_event WHERE instr(CAST(body AS TEXT), '${needle.replace(/'/g, "''")}') > 0 ORDER BY id DESC LIMIT 1`));

admin('channel-add', 'page', '104857600000001', 'Sandbox Bakery');
admin('channel-add', 'instagram', '17841400000000001', 'sandbox_page_01');
admin('channel-add', 'whatsapp', '106540352242922', '+1 555 078 3881');

const PAGES = ['index.html', 'channels.html', 'events.html', 'event.html', 'dead-letters.html', 'unhandled.html'];
const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'ops');

	// --- the owner, who is the operator, sets up and signs in
	const link = admin('setup-link');
	await setUp(page, link, OWNER);
	await signIn(page, OWNER);
	for (const [href, label] of [['events.html', 'Events'], ['dead-letters.html', 'Dead letters'], ['unhandled.html', 'Unhandled']])
		eq(await page.textContent(`nav a[href="${href}"]`), label, `the navigation has ${label}`);
	w.check('signed in');

	// --- deliveries of the three platforms, a batch, a hostile text and
	// one for a Page that is not connected
	const text = await deliver({ platform: 'messenger', text: 'Hello from the operations test' });
	await deliver({ platform: 'instagram', text: 'Hello from Instagram' });
	await deliver({ platform: 'whatsapp', text: 'Hello from WhatsApp' });
	await deliver({ platform: 'messenger', type: 'batch', count: '5' });
	await deliver({ platform: 'messenger', text: HOSTILE });
	await deliver({ platform: 'messenger', page: '104857600000002', text: 'For a Page nobody connected' });
	eq(sql("SELECT count(*) FROM webhook_event"), '6', 'six events stored');
	for (let i = 0; i < 50 && sql("SELECT count(*) FROM webhook_event WHERE state = 'processed'") !== '6'; i++) await sleep(100);
	eq(sql("SELECT count(*) FROM webhook_event WHERE state = 'processed'"), '6', '... and processed');

	// --- the overview: counts and chart, timed
	await page.goto(`${BASE}/index.html`);
	await page.waitForFunction(() => performance.getEntriesByName('overview-drawn').length > 0, null, { timeout: 10000 });
	const drawnMs = await page.evaluate(() => performance.getEntriesByName('overview-drawn')[0].startTime);
	console.log(`# the overview was fully drawn ${Math.round(drawnMs)} ms after navigation started`);
	ok(drawnMs < 5000, `the overview is fully drawn within 5 s (${Math.round(drawnMs)} ms)`);
	eq(await page.textContent('#ev-today'), '6', 'the overview counts the six events of today');
	eq(await page.textContent('#ev-hour'), '6', '... all in the last hour');
	eq(await page.textContent('#ev-p-messenger td:nth-child(2)'), '4', '... four from Messenger (the unrouted one too, for the operator)');
	eq(await page.textContent('#ev-p-instagram td:nth-child(2)'), '1', '... one from Instagram');
	eq(await page.textContent('#ev-p-whatsapp td:nth-child(2)'), '1', '... one from WhatsApp');
	eq(await page.textContent('#r-unrouted'), '1', '... one unrouted in the last 24 h');
	ok(/^6 events in the last 24 hours/.test(await page.textContent('#hourly-cap')), 'the chart\'s caption counts them',
		await page.textContent('#hourly-cap'));
	// The chart drew bars of the "processed" color in its canvas.
	const painted = await page.evaluate(() => {
		const c = document.querySelector('#chart-hourly canvas');
		if (!c) return -1;
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 0; i < d.length; i += 4) if (d[i] === 0x0f && d[i + 1] === 0x76 && d[i + 2] === 0x6e) n++;
		return n;
	});
	ok(painted > 20, `the hourly chart draws the processed events' bar (${painted} pixels)`);
	eq(await page.locator('#channels a').count(), 3, 'the three channels are listed');
	await shot(page, 'ops-overview-desktop');
	await page.click('#by-platform');
	eq(await page.getAttribute('#by-platform', 'aria-pressed'), 'true', 'the chart stacks by platform on request');
	await page.click('#range-7d');
	await page.waitForFunction(() => /7 days/.test(document.getElementById('hourly-cap').textContent));
	ok(true, 'the chart switches to 7 days');
	await shot(page, 'ops-overview-7d-platform');
	await page.click('#range-24h');
	await page.click('#by-state');
	w.check('overview');

	// Auto-refresh, in place: a new event shows within 10 s without a
	// reload; paused, nothing changes.
	await page.evaluate(() => { window.stillHere = true; });
	await deliver({ platform: 'whatsapp', text: 'A seventh one' });
	await page.waitForFunction(() => document.getElementById('ev-today').textContent === '7', null, { timeout: 15000 });
	ok(await page.evaluate(() => window.stillHere === true), 'the overview refreshes itself without reloading the page');
	await page.click('#pause');
	eq(await page.getAttribute('#pause', 'aria-pressed'), 'true', 'Pause is pressed');
	const loads = await page.evaluate(() => document.getElementById('main').dataset.loads);
	await deliver({ platform: 'instagram', text: 'An eighth one' });
	await sleep(11000);
	eq(await page.evaluate(() => document.getElementById('main').dataset.loads), loads, 'paused, it does not ask again');
	eq(await page.textContent('#ev-today'), '7', '... and its figures stay');
	await page.click('#pause');
	await page.waitForFunction(() => document.getElementById('ev-today').textContent === '8');
	ok(true, 'resumed, it refreshes at once');
	w.check('refresh');

	// --- an event found by its Meta id, with its message
	await page.goto(`${BASE}/events.html`);
	await page.waitForSelector('#events tr[data-id]');
	eq(await page.locator('#events tr[data-id]').count(), 8, 'the list shows the eight events');
	const ids = await page.locator('#events tr[data-id]').evaluateAll((rs) => rs.map((r) => Number(r.dataset.id)));
	ok(ids.every((v, i) => i === 0 || v < ids[i - 1]), 'newest first', ids.join(','));
	await page.fill('#f-q', midOf(text));
	await page.click('#apply');
	await page.waitForFunction(() => document.querySelectorAll('#events tr[data-id]').length === 1);
	ok(new URL(page.url()).searchParams.get('q') === midOf(text), 'the filter is kept in the URL');
	await page.click('#events tr[data-id] a');
	await page.waitForSelector('#content:not([hidden])');
	eq(await page.locator('#messages td', { hasText: 'Hello from the operations test' }).count(), 1, 'the event\'s page shows its message');
	ok((await page.textContent('#body')).includes('"Hello from the operations test"'), 'and its body, pretty-printed');
	await shot(page, 'ops-event-desktop');
	w.check('event');

	// Filters from the URL.
	await page.goto(`${BASE}/events.html?platform=whatsapp`);
	await page.waitForSelector('#events tr[data-id]');
	eq(await page.inputValue('#f-platform'), 'whatsapp', 'a filter in the URL is shown in the form');
	eq(await page.locator('#events tr[data-id]').count(), 2, '... and applied (two WhatsApp events)');
	w.check('filter');

	// --- the hostile event: text, nothing run
	const hid = eventOf('javascript:alert(3)');
	await page.goto(`${BASE}/event.html?id=${hid}`);
	await page.waitForSelector('#content:not([hidden])');
	const msgText = await page.textContent('#messages .msg-text');
	eq(msgText, HOSTILE, 'markup, javascript: URLs, RTL and emoji in a message are shown as the very text');
	ok((await page.textContent('#body')).includes('<script>alert(2)</script>'), 'the body shows the markup as text');
	ok((await page.textContent('#body')).includes('\\u202e'), 'the RTL override in the body is shown as an escape');
	eq(await page.locator('main img, main script, main a[href^="javascript:"]').count(), 0, 'no element came from the body');
	await shot(page, 'ops-event-hostile');
	w.check('hostile event');

	// --- a failing event becomes a dead letter
	sql(`CREATE TRIGGER refuse BEFORE INSERT ON message WHEN NEW.text = '${FAILING}' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;`);
	await deliver({ platform: 'messenger', text: FAILING });
	const fid = eventOf(FAILING);
	let st = '';
	for (let i = 0; i < 20; i++) {
		st = sql(`SELECT state FROM webhook_event WHERE id = ${fid}`);
		if (st === 'dead_letter') break;
		await sleep(1100);
		cron();
	}
	eq(st, 'dead_letter', 'the refused event ends as a dead letter');
	await page.goto(`${BASE}/dead-letters.html`);
	await page.waitForSelector('#groups td');
	ok((await page.textContent('#groups')).includes('refused by the test'), 'the dead-letters page groups it by its error');
	await shot(page, 'ops-dead-letters-desktop');
	await page.goto(`${BASE}/events.html?state=dead_letter`);
	await page.waitForSelector('#events tr[data-id]');
	eq(await page.locator('#events tr[data-id]').count(), 1, 'the list of dead letters has it');
	w.check('dead letter');

	// --- retried from its page, it is processed
	sql('DROP TRIGGER refuse');
	await page.goto(`${BASE}/event.html?id=${fid}`);
	await page.waitForSelector('#retry-box:not([hidden])');
	const rr = page.waitForResponse((r) => r.url().endsWith(`/api/events/${fid}/retry`));
	await page.click('#retry');
	eq((await rr).status(), 200, 'Retry now is POST /api/events/ID/retry');
	cron();   // in case the API left it to the queue
	await page.waitForFunction(() => /processed/.test(document.getElementById('status').textContent), null, { timeout: 25000 });
	eq(sql(`SELECT state FROM webhook_event WHERE id = ${fid}`), 'processed', 'the retried event is processed');
	eq(await page.locator('#messages td', { hasText: FAILING }).count(), 1, 'and its page shows the message it became');
	await shot(page, 'ops-event-retried');
	w.check('retry');

	// --- the unrouted event's Page, connected by hand
	await page.goto(`${BASE}/events.html?routing=unrouted`);
	await page.waitForSelector('#connect-box:not([hidden])');
	eq(await page.locator('#events tr[data-id]').count(), 1, 'the operator sees the unrouted event');
	await page.selectOption('#c-kind', 'page');
	await page.fill('#c-meta', '104857600000002');
	await page.fill('#c-name', 'Second Shop');
	await page.click('#c-submit');
	await page.waitForSelector('#connect-result:not([hidden])');
	eq(await page.textContent('#connect-result'), 'Connected Second Shop. 1 earlier event was routed and processed again.',
		'connecting the Page says its earlier event was re-routed');
	await page.waitForFunction(() => !document.querySelector('#events tr[data-id]'));
	ok(true, 'the event is no longer unrouted');
	w.check('connect');

	// --- the channels, the new one among them
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#channels tr td');
	const names = await page.locator('#channels tr td:first-child').allTextContents();
	ok(names.includes('Second Shop') && names.includes('Sandbox Bakery'),
		'the channels page lists the Page connected by hand beside the others', names.join(', '));
	// A channel whose breaker is open (as the worker writes it): its
	// sends are shown held back, with the time they are tried again.
	const bakery = sql("SELECT id FROM channel WHERE name = 'Sandbox Bakery' ORDER BY id LIMIT 1");
	sql(`INSERT OR REPLACE INTO channel_breaker (channel_id, state, until_ms, updated_ms) VALUES (${bakery}, 'open', ${Date.now() + 600000}, ${Date.now()})`);
	await page.reload();
	await page.waitForSelector('#channels [data-sending="open"]');
	ok(/sends held back until .*Meta keeps failing/.test(await page.textContent('#channels [data-sending="open"]')),
		'a channel whose breaker is open says its sends are held back, and until when');
	await shot(page, 'ops-channels-breaker');
	sql(`DELETE FROM channel_breaker WHERE channel_id = ${bakery}`);
	ok(await page.isVisible('#connect-facebook'), 'an admin is offered Facebook Login');
	eq(await page.getAttribute('#connect-facebook', 'href'), '/oauth/login?platform=facebook',
		'... which starts at /oauth/login');
	w.check('channels');

	// --- a WhatsApp number by form, renamed, then disconnected
	const issue = async (params) => (await (await fetch(`${CTL}/token`, { method: 'POST',
		body: new URLSearchParams({ action: 'issue', ...params }) })).json()).access_token;
	const waTok = await issue({ kind: 'system_user', waba: '102290129340398' });
	ok(await page.isVisible('#wa'), 'an admin is offered the WhatsApp form');
	eq(await page.getAttribute('#wa-token', 'type'), 'password', '... whose token field is a password field');
	await page.fill('#wa-waba', '102290129340398');
	await page.fill('#wa-phone', '106540352242922');
	await page.fill('#wa-token', 'EAASnot-a-token');
	w.expect('/api/channels/whatsapp', 422);
	await page.click('#wa-submit');
	await page.waitForSelector('#wa-result.alert-error:not([hidden])');
	eq(await page.textContent('#wa-result'), 'token: Meta says this token is not valid (mistyped, expired or revoked)',
		'a bad token: the form says which part is wrong');
	await page.fill('#wa-token', waTok);
	await page.click('#wa-submit');
	await page.waitForSelector('#wa-result.alert-ok:not([hidden])');
	eq(await page.textContent('#wa-result'), "Connected Sandy's Bakery (15550783881). No earlier event was waiting for it.",
		'the number is connected, named after its verified name');
	eq(await page.inputValue('#wa-token'), '', '... and the token field is emptied');
	await page.waitForSelector('#channels td:text-is("Sandy\'s Bakery")');
	await page.click('summary[aria-label="Manage Sandy\'s Bakery"]');
	await page.click('button[aria-label="Rename Sandy\'s Bakery"]');
	await page.fill('input[aria-label="New name of Sandy\'s Bakery"]', 'Bakery <b>WhatsApp</b>');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#channels td:text-is("Bakery <b>WhatsApp</b>")');
	ok(true, 'renamed in the row, the name shown as text');
	// Its sending settings: no HUMAN_AGENT for WhatsApp; Sandbox
	// Bakery (a Page) gets the tag, a rate, and no mark-as-read.
	eq(await page.textContent('#channels tr:has(td:text-is("Bakery <b>WhatsApp</b>")) .sending-summary'), 'default rate · mark read on',
		'a WhatsApp number\'s sending settings: the default rate, mark read on');
	await page.click('summary[aria-label="Manage Sandbox Bakery"]');
	await page.click('button[aria-label="Sending settings of Sandbox Bakery"]');
	ok(!(await page.isChecked('input[aria-label="HUMAN_AGENT for Sandbox Bakery"]')), 'a new Page: HUMAN_AGENT off');
	await page.check('input[aria-label="HUMAN_AGENT for Sandbox Bakery"]');
	await page.fill('input[aria-label="Messages per second for Sandbox Bakery"]', '25');
	await page.uncheck('input[aria-label="Mark read for Sandbox Bakery"]');
	await shot(page, 'ops-channels-sending');
	await page.keyboard.press('Enter');
	await page.waitForSelector('#alert.alert-ok:not([hidden]):has-text("Sending settings")');
	eq(await page.textContent('#alert'), 'Sending settings of Sandbox Bakery saved.', 'the settings are saved');
	await page.waitForSelector('#channels tr:has(td:text-is("Sandbox Bakery")) .sending-summary:text-is("HUMAN_AGENT on · 25/s · mark read off")', { state: 'attached' });
	ok(true, '... and shown in the row');
	eq(sql("SELECT human_agent || ':' || send_rate || ':' || mark_read FROM channel WHERE name = 'Sandbox Bakery'"), '1:25:0',
		'... and stored');
	await page.click('summary[aria-label="Manage Bakery <b>WhatsApp</b>"]');
	await page.click('button[aria-label="Disconnect Bakery <b>WhatsApp</b>"]');
	await page.waitForSelector('.confirm-yes');
	ok((await page.textContent('.confirm-text')).startsWith('Disconnect Bakery <b>WhatsApp</b>?'), 'disconnecting asks first, in the page');
	await shot(page, 'ops-channels-disconnect-confirm');
	await page.click('.confirm-yes');
	// The rename's alert may still show: wait for this answer's.
	await page.waitForSelector('#alert.alert-ok:not([hidden]):has-text("Disconnected")');
	eq(await page.textContent('#alert'), 'Disconnected Bakery <b>WhatsApp</b>: unsubscribed at Meta, token erased.',
		'disconnected: unsubscribed at Meta, token erased');
	eq(sql("SELECT token_status || ':' || (token_sealed IS NULL) FROM channel WHERE meta_id = '106540352242922'"), 'revoked:1',
		'... the token is gone from the database');
	ok(!(await page.content()).includes(waTok), 'the token appears nowhere in the page');
	w.check('whatsapp form');

	// --- an admin who is not the operator: Login only, no form by hand
	sql(`UPDATE user SET operator = 0 WHERE email = '${OWNER.email}'`);
	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#channels tr td');
	await page.waitForSelector('#connect-facebook:not([hidden])');
	ok(await page.isHidden('#connect-box'), 'not the operator: no form to connect by hand on the channels page');
	await page.goto(`${BASE}/events.html?routing=unrouted`);
	await page.waitForLoadState('networkidle');
	ok(await page.isHidden('#connect-box'), '... nor on the events page');
	sql(`UPDATE user SET operator = 1 WHERE email = '${OWNER.email}'`);
	w.check('not the operator');

	// --- every page, desktop and phone
	const shown = { 'event.html': `event.html?id=${hid}` };
	for (const [size, label] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
		await page.setViewportSize(size);
		for (const p of PAGES) {
			await page.goto(`${BASE}/${shown[p] || p}`);
			await page.waitForLoadState('networkidle');
			if (p === 'index.html') await page.waitForFunction(() => performance.getEntriesByName('overview-drawn').length > 0);
			ok(await fitsWidth(page), `${p} (${label}) fits the window's width`);
			if (label === 'phone' && p !== 'event.html') {
				const nav = await page.evaluate(() => {
					const n = document.querySelector('nav.nav').getBoundingClientRect();
					const c = document.querySelector('nav.nav a[aria-current=page]').getBoundingClientRect();
					return { h: n.height, inView: c.left >= n.left - 1 && c.right <= n.right + 1 };
				});
				ok(nav.h < 60 && nav.inView, `${p} (phone): the navigation is one row with the page's own link in view`, JSON.stringify(nav));
			}
			await shot(page, `ops-${p.replace('.html', '')}-${label}`);
		}
	}
	w.check('every page');
	await ctx.close();
} catch (e) {
	ok(false, 'the operations flow runs', e.stack);
} finally {
	await browser.close();
}
done();
