// The browser harness itself: chromium starts and reaches hubgate
// through lighttpd, a screenshot is written, and the watch that every
// suite relies on does catch a script error, a console error, a dialog
// and an error answer the test did not declare.
import fs from 'node:fs';
import { BASE, ok, eq, done, launch, newContext, watch, shot } from './lib.mjs';

const browser = await launch();
try {
	const ctx = await newContext(browser);
	const page = await ctx.newPage();
	const w = watch(page, 'harness');
	const r = await page.goto(`${BASE}/health`);
	eq(r.status(), 200, 'chromium reaches hubgate through lighttpd');
	const file = await shot(page, 'harness-health');
	ok(fs.statSync(file).size > 1000, `a screenshot is written (${file})`);
	w.check('/health');

	const has = (list, re) => list.some((l) => re.test(l));
	await page.evaluate(() => setTimeout(() => { throw new Error('boom'); }, 0));
	await page.waitForTimeout(200);
	ok(has(w.take(), /page error: .*boom/), 'a thrown error is caught');
	await page.evaluate(() => console.error('bad thing'));
	await page.waitForTimeout(200);
	ok(has(w.take(), /console error: bad thing/), 'an error on the console is caught');
	await page.evaluate(() => setTimeout(() => alert('xss'), 0));
	await page.waitForTimeout(300);
	ok(has(w.take(), /dialog \(alert\): xss/), 'a dialog is caught');
	await page.goto(`${BASE}/no-such-page.html`);
	await page.waitForTimeout(200);
	ok(has(w.take(), /unexpected answer 404 for \/no-such-page.html/),
		'an error answer nobody expected is caught');
	w.expect('/no-such-page.html', 404);
	await page.goto(`${BASE}/no-such-page.html`);
	await page.waitForTimeout(200);
	eq(w.take().length, 0, 'an expected error answer is not an error');
	eq(w.responses('/no-such-page.html').join(','), '404,404', 'answers are recorded');
} catch (e) {
	ok(false, 'the harness runs', e.stack);
} finally {
	await browser.close();
}
done();
