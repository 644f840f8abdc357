// Shared helpers of the browser suites: TAP-like checks, Debian's
// chromium driven headless by playwright-core, and a watch on every
// page that fails the suite on a script error, an error on the console
// or a dialog (alert, confirm, prompt: a script someone injected).
//
// Chromium reports every answer of 400 and above on the console as
// "Failed to load resource: the server responded with a status of N";
// such a line is not an error of the page when the test expected that
// answer: declare it with watch.expect(path, status) before it comes.
//
// Environment (tests/browser/run-suite.sh): BASE, the server's URL;
// HUBGATE_TEST_TMP, where screenshots/ go.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const BASE = process.env.BASE || 'http://127.0.0.1:8080';
const SHOTS = path.join(process.env.HUBGATE_TEST_TMP || '/tmp', 'screenshots');

// The window sizes every page is checked at.
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 740 };

let n = 0;
let failed = 0;

// ok(cond, name [, detail]): one TAP line; returns cond.
export function ok(cond, name, detail) {
	n++;
	if (cond) {
		console.log(`ok ${n} - ${name}`);
	} else {
		failed++;
		console.log(`not ok ${n} - ${name}`);
		if (detail !== undefined)
			for (const l of String(detail).split('\n').slice(0, 20))
				console.log(`#   ${l}`);
	}
	return !!cond;
}

// eq(got, want, name): ok() with both values shown on failure.
export function eq(got, want, name) {
	return ok(got === want, name, `got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

// done(): the summary line; the exit status says whether all passed.
export function done() {
	console.log(`# ${n} checks, ${failed} failed`);
	process.exitCode = failed ? 1 : 0;
}

// The flags of a headless chromium on a machine without network or
// GPU (and run as root); playwright gives it a fresh profile.
export async function launch() {
	return chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic',
			'--no-first-run', '--disable-background-networking',
			'--disable-component-update', '--disable-sync'],
	});
}

// newContext(browser, size): a context of that window size, phone-like
// (touch, mobile viewport) below 600 pixels.
export async function newContext(browser, size = DESKTOP) {
	const phone = size.width < 600;
	return browser.newContext({ viewport: size, isMobile: phone, hasTouch: phone });
}

const STATUS_LINE = /^Failed to load resource: the server responded with a status of (\d+)/;

// watch(page, label): record what would be a failure of the page.
// Returns { expect(path, status), check(name) }: check() reports one
// TAP line "label: name: no script error, console error or dialog"
// and forgets what it reported.
export function watch(page, label) {
	const problems = [];
	const expected = [];   // [path, status]
	const answers = [];    // [path, status] of every response
	const pathOf = (u) => { try { const x = new URL(u); return x.pathname; } catch { return u; } };
	page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
	page.on('dialog', (d) => {
		problems.push(`dialog (${d.type()}): ${d.message()}`);
		d.dismiss().catch(() => {});
	});
	page.on('response', (r) => answers.push([pathOf(r.url()), r.status()]));
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		const s = STATUS_LINE.exec(m.text());
		if (!s) { problems.push(`console error: ${m.text()}`); return; }
		const p = pathOf(m.location().url || '');
		const st = Number(s[1]);
		if (!expected.some(([ep, es]) => ep === p && es === st))
			problems.push(`unexpected answer ${st} for ${p}`);
		else if (!answers.some(([ap, as]) => ap === p && as === st))
			problems.push(`console says ${st} for ${p}, no such response seen`);
	});
	return {
		expect(p, status) { expected.push([p, status]); },
		// responses(p): the statuses seen for path p, in order.
		responses(p) { return answers.filter(([ap]) => ap === p).map(([, s]) => s); },
		// take(): what was recorded so far, forgotten (for the harness's
		// own test, which provokes them).
		take() { return problems.splice(0); },
		check(name) {
			const got = problems.splice(0);
			return ok(got.length === 0, `${label}: ${name}: no script error, console error or dialog`,
				got.join('\n'));
		},
	};
}

// shot(page, name): a full-page screenshot in the logs' screenshots/
// (named -cgi when the programs run as plain CGI: LIGHTTPD_MODE).
const MODE = process.env.LIGHTTPD_MODE === 'cgi' ? '-cgi' : '';
export async function shot(page, name) {
	fs.mkdirSync(SHOTS, { recursive: true });
	const file = path.join(SHOTS, `${name}${MODE}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// focusOrder(page, count): the ids (or names) of the next `count`
// elements Tab reaches, starting from the top of the page.
export async function focusOrder(page, count) {
	const seen = [];
	for (let i = 0; i < count; i++) {
		await page.keyboard.press('Tab');
		seen.push(await page.evaluate(() => {
			const e = document.activeElement;
			return e ? (e.id || e.getAttribute('name') || e.tagName.toLowerCase()) : '';
		}));
	}
	return seen;
}

// noHorizontalScroll(page): whether the page fits its window's width.
export async function fitsWidth(page) {
	return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

// setUp(page, link, who): follow a one-time link (the first setup's or
// an invitation) and set who's {name, email, password}: the fields the
// page asks for (an invitation knows the e-mail already).
export async function setUp(page, link, who) {
	await page.goto(link);
	await page.waitForSelector('#password');
	if (await page.isVisible('#name')) await page.fill('#name', who.name);
	if (await page.isVisible('#email')) await page.fill('#email', who.email);
	await page.fill('#password', who.password);
	await page.fill('#password2', who.password);
	await page.keyboard.press('Enter');
	await page.waitForSelector('#done:not([hidden])');
}

// signIn(page, who): sign in on the sign-in page of the server the page
// is on (BASE when on none yet); waits for the overview.
export async function signIn(page, who) {
	const at = page.url().startsWith('http') ? new URL(page.url()).origin : BASE;
	await page.goto(`${at}/login.html`);
	await page.fill('#email', who.email);
	await page.fill('#password', who.password);
	await page.keyboard.press('Enter');
	await page.waitForURL(/\/index\.html$/);
}

// --- the sandbox suites' tools (run-suite.sh sets CTL, HUBGATE_DATA,
// HUBGATE_CONFIG and HUBGATE_ADMIN).
export const CTL = process.env.CTL || `${BASE}/_meta/_control`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// admin(args, input): hubgate-admin on the suite's configuration.
export function admin(args, input) {
	const env = { ...process.env, HUBGATE_CONFIG: process.env.HUBGATE_CONFIG };
	return execFileSync(process.env.HUBGATE_ADMIN, args, { env, encoding: 'utf8', input }).trim();
}
// sql(q, db): a query on the gateway's (or the fake's) database.
export function sql(q, db = 'hubgate.db') {
	return execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(process.env.HUBGATE_DATA, db), q], { encoding: 'utf8' }).trim();
}
// ctl(what, params): a POST to the fake's control API, its JSON.
export async function ctl(what, params) {
	const r = await fetch(`${CTL}/${what}`, { method: 'POST', body: new URLSearchParams(params) });
	return r.json();
}
// deliver(params): the fake delivers a webhook; throws when it did not.
export async function deliver(params) {
	const j = await ctl('deliver', params);
	if (!j.delivered) throw new Error(`delivery failed: ${JSON.stringify(j).slice(0, 300)}`);
	return j;
}
// until(fn, what, ms): wait for fn() to be true (15 s), else throw.
export async function until(fn, what, ms = 15000) {
	for (let t = 0; t < ms; t += 200) {
		if (await fn()) return true;
		await sleep(200);
	}
	throw new Error(`timed out waiting for ${what}`);
}
