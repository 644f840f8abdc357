// How long the overview takes to be drawn in Chromium, on the database
// bench/ops.sh filled: `node bench/overview.mjs BASE COOKIE ROUNDS`.
// Each round opens index.html in a fresh page of a signed-in browser
// and waits until the page says it has drawn its figures and charts
// (the performance mark overview-drawn, which index.js sets after the
// first complete draw).  Prints the median and the worst time, in ms,
// from the start of navigation.  With SHOT=FILE, the first load's
// page is saved there as a PNG (the README's picture of the overview).
import { launch } from '../tests/browser/lib.mjs';

const [base, cookie, rounds = '3'] = process.argv.slice(2);
const browser = await launch();
const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
await ctx.addCookies([{ name: 'hg_session', value: cookie, url: base }]);
const times = [];
let errors = 0;
for (let i = 0; i < Number(rounds); i++) {
	const page = await ctx.newPage();
	page.on('pageerror', () => errors++);
	page.on('console', (m) => { if (m.type() === 'error') errors++; });
	const t0 = Date.now();
	await page.goto(`${base}/index.html`);
	await page.waitForFunction(() => performance.getEntriesByName('overview-drawn').length > 0, null, { timeout: 30000 });
	times.push(Date.now() - t0);
	if (process.env.SHOT && i === 0)
		await page.screenshot({ path: process.env.SHOT, fullPage: true });
	await page.close();
}
await browser.close();
times.sort((a, b) => a - b);
const median = times[Math.floor((times.length - 1) / 2)];
console.log(`median ${median} ms, worst ${times[times.length - 1]} ms over ${times.length} loads (target < 1000 ms)${errors ? `; ${errors} page errors` : ''}`);
if (errors) process.exitCode = 1;
