// suite: sandbox
// Token levels on the Channels page, in a real browser against the
// real API and the fake of Meta: channels whose tokens are ok, expire
// in 20 days (notice), lack a permission (warning), expire in 2 days
// (critical) and were revoked (invalid) are checked by
// cron/token-refresh; the page shows each level as a badge with its
// words and its action (a Reconnect or Grant link); a token revoked
// after the check still shows ok until an admin presses "Check now",
// which shows it invalid at once.  Any script error, console error or
// dialog fails the suite.  Screenshots at desktop and phone widths.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BASE, DESKTOP, PHONE, ok, eq, done, launch, newContext, watch, shot, fitsWidth } from './lib.mjs';

const CTL = process.env.CTL || `${BASE}/_meta/_control`;
const DATA = process.env.HUBGATE_DATA;
const CONFIG = process.env.HUBGATE_CONFIG;
const ADMIN = process.env.HUBGATE_ADMIN;
const BUILD = process.env.HUBGATE_BUILD || path.resolve('build-san');
const OWNER = { name: 'Tom Tokens', email: 'tom@example.com', password: 'tokens are fun 42' };
const env = { ...process.env, HUBGATE_CONFIG: CONFIG };
const admin = (args, input) => execFileSync(ADMIN, args, { env, encoding: 'utf8', input }).trim();
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(DATA, 'hubgate.db'), q], { encoding: 'utf8' }).trim();
const cron = () => execFileSync(path.join(BUILD, 'cron/token-refresh'), [], { env, encoding: 'utf8' }).trim();

async function ctl(what, params) {
	const r = await fetch(`${CTL}/${what}`, { method: 'POST', body: new URLSearchParams(params) });
	return r.json();
}
const FIELDS = 'messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,messaging_handovers,standby,message_reactions,feed';

// page(n, name, token options): a Page connected by hand with a token
// of the fake, subscribed as hubgate needs; the token.
async function pageChannel(n, name, opts = {}) {
	const id = `1048576000000${String(n).padStart(2, '0')}`;
	admin(['channel-add', 'page', id, name]);
	const t = (await ctl('token', { action: 'issue', kind: 'page', page: id, ...(opts.scopes ? { scopes: opts.scopes } : {}) })).access_token;
	admin(['channel-token', 'page', id], `${t}\n`);
	execFileSync('sqlite3', [path.join(DATA, 'fakemeta.db'), `INSERT OR REPLACE INTO subscription VALUES ('${id}', '${FIELDS}')`]);
	if (opts.expiresIn) await ctl('token', { action: 'times', token: t, issued_ago: '3600', expires_in: String(opts.expiresIn) });
	return { id, token: t, channel: Number(sql(`SELECT id FROM channel WHERE meta_id = '${id}'`)) };
}

const okPage = await pageChannel(1, 'Fine Bakery');
const notice = await pageChannel(2, 'Twenty Days Cafe', { expiresIn: 20 * 86400 });
const warn = await pageChannel(3, 'Narrow Grants Shop', { scopes: 'pages_show_list,pages_manage_metadata' });
const crit = await pageChannel(4, 'Two Days Deli', { expiresIn: 2 * 86400 });
const dead = await pageChannel(5, 'Changed Password Inn');
await ctl('token', { action: 'revoke', token: dead.token, subcode: '460' });
const later = await pageChannel(6, 'Later Revoked Bar');
const summary = cron();
ok(/^token-refresh: checked=6 .*invalid=1 /.test(summary), 'the cron checked the six tokens, one invalid', summary);

const browser = await launch();
try {
	const ctx = await newContext(browser, DESKTOP);
	const page = await ctx.newPage();
	const w = watch(page, 'tokens');
	await page.goto(admin(['setup-link']));
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

	await page.goto(`${BASE}/channels.html`);
	await page.waitForSelector('#channels .token-cell');
	const row = (name) => page.locator('#channels tr', { hasText: name });
	const levelOf = async (name) => row(name).locator('.token-cell .badge').getAttribute('data-level');
	const cellText = async (name) => (await row(name).locator('.token-cell').textContent()).replace(/\s+/g, ' ');
	eq(await levelOf('Fine Bakery'), 'ok', 'a valid Page token: ok');
	ok(/the token is valid and does not expire/.test(await cellText('Fine Bakery')), '... in words', await cellText('Fine Bakery'));
	eq(await levelOf('Twenty Days Cafe'), 'notice', '20 days left: notice');
	ok(/expires in (19|20) days.*Plan to reconnect.*Reconnect/.test(await cellText('Twenty Days Cafe')),
		'... in days, with what to do and a Reconnect link', await cellText('Twenty Days Cafe'));
	eq(await levelOf('Narrow Grants Shop'), 'warning', 'a permission missing: warning');
	ok(/pages_messaging is not granted.*Grant permissions/.test(await cellText('Narrow Grants Shop')),
		'... naming it, with a Grant link', await cellText('Narrow Grants Shop'));
	eq(await row('Narrow Grants Shop').locator('a', { hasText: 'Grant permissions' }).getAttribute('href'),
		'/oauth/login?platform=facebook', '... to Meta\'s Login');
	eq(await levelOf('Two Days Deli'), 'critical', '2 days left: critical');
	eq(await levelOf('Changed Password Inn'), 'invalid', 'revoked: invalid');
	ok(/password of the account was changed \(code 190, subcode 460\).*Reconnect/.test(await cellText('Changed Password Inn')),
		'... the subcode in words, with a Reconnect link', await cellText('Changed Password Inn'));
	eq(await levelOf('Later Revoked Bar'), 'ok', 'a token still fine at the last check: ok');
	await shot(page, 'tokens-channels');
	w.check('channels');

	// --- revoked after the check: "Check now" shows it at once
	await ctl('token', { action: 'revoke', token: later.token, subcode: '458' });
	await page.reload();
	await page.waitForSelector('#channels .token-cell');
	eq(await levelOf('Later Revoked Bar'), 'ok', 'revoked at Meta since: the page does not know yet');
	await row('Later Revoked Bar').locator('button.token-check').click();
	await page.waitForFunction(() => [...document.querySelectorAll('#channels tr')].some((tr) =>
		tr.textContent.includes('Later Revoked Bar') && tr.querySelector('.badge[data-level="invalid"]')), null, { timeout: 15000 });
	ok(/the app was removed from the account/.test(await cellText('Later Revoked Bar')), '"Check now": invalid, in words',
		await cellText('Later Revoked Bar'));
	eq(sql(`SELECT token_status FROM channel WHERE id = ${later.channel}`), 'invalid', '... and its sends are paused');
	await shot(page, 'tokens-checked-now');
	w.check('check now');

	const phone = await newContext(browser, PHONE);
	const pp = await phone.newPage();
	const wp = watch(pp, 'tokens phone');
	await pp.goto(`${BASE}/login.html`);
	await pp.fill('#email', OWNER.email);
	await pp.fill('#password', OWNER.password);
	await pp.keyboard.press('Enter');
	await pp.waitForURL(/\/index\.html$/);
	await pp.goto(`${BASE}/channels.html`);
	await pp.waitForSelector('#channels .token-cell');
	ok(await fitsWidth(pp), 'the Channels page fits a phone\'s width');
	await shot(pp, 'tokens-channels-phone');
	wp.check('phone');
	void okPage; void notice; void warn; void crit; void dead;
} finally {
	await browser.close();
}
done();
