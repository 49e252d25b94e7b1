// bench.mjs — driven by bench/web/run: logs in to the interface at BASE in
// Debian's chromium and measures, from the browser, how long each view's
// data takes to be ready (window.__accordViews, recorded by the
// interface's data hook: request, answer, JSON parsed) over ROUNDS rounds,
// and what the first load costs (script and style bytes on the wire).
import { chromium } from 'playwright-core';

const BASE = process.env.BASE;
const ROUNDS = Number(process.env.ROUNDS || 20);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();

// First load: what travels (gzip) before the login form is usable.
const wire = { script: 0, style: 0, other: 0 };
page.on('requestfinished', async (req) => {
  const url = req.url();
  if (!url.includes('/ui/')) return;
  const sizes = await req.sizes().catch(() => null);
  const n = sizes && sizes.responseBodySize > 0 ? sizes.responseBodySize : 0;
  if (url.endsWith('.js')) wire.script += n; else if (url.endsWith('.css')) wire.style += n; else wire.other += n;
});
const t0 = Date.now();
await page.goto(`${BASE}/ui/`);
await page.getByLabel('User name').waitFor();
const firstLoadMs = Date.now() - t0;
await page.getByLabel('User name').fill('admin');
await page.getByLabel('Password').fill('bench-pw');
await page.getByRole('button', { name: 'Log in' }).click();
await page.locator('main[data-ready="yes"]').waitFor();

// Targets: ATT&CK's most connected technique, a value of the scenario.
const api = (p) => page.evaluate(async (u) => (await fetch(u, { headers: { Accept: 'application/json' } })).json(), p);
const t1059 = (await api('/api/v1/search?q=%22T1059%22&type=attack-pattern&limit=5')).results.find((r) => r.name === 'Command and Scripting Interpreter')
  || (await api('/api/v1/search?type=attack-pattern&limit=1')).results[0];
const ip = (await api('/api/v1/search?type=ipv4-addr&limit=1')).results[0];
const cases = await api('/api/v1/cases').catch(() => ({ cases: [] }));

const views = [
  ['dashboard', '#/'],
  ['search: text', '#/search?q=credential'],
  ['search: value', `#/search?value=${encodeURIComponent(ip ? ip.name : '198.51.100.1')}`],
  ['search: type+TLP', '#/search?type=indicator&tlp=amber'],
  ['search: newest', '#/search'],
  ['object page', `#/object/${encodeURIComponent(t1059.id)}`],
  ['correlation', `#/correlate?value=${encodeURIComponent(ip ? ip.name : '198.51.100.1')}`],
  ['cases', '#/cases'],
  ['audit log', '#/audit'],
];
if (cases.cases && cases.cases.length) views.push(['case page', `#/cases/${encodeURIComponent(cases.cases[0].id)}`]);

const times = Object.fromEntries(views.map(([n]) => [n, []]));
await page.evaluate(() => { location.hash = '#/nowhere'; });
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, hash] of views) {
    const before = await page.evaluate(() => (window.__accordViews || []).length);
    // Leave for an empty page first, so each visit fetches afresh.
    await page.evaluate((h) => { location.hash = h; }, hash);
    try {
      await page.waitForFunction((n) => (window.__accordViews || []).length > n, before, { timeout: 30000 });
    } catch (e) {
      const text = await page.locator('main').textContent().catch(() => '?');
      throw new Error(`view ${name} (${hash}) did not get its data: ${text.slice(0, 300)}`);
    }
    const ms = await page.evaluate(() => window.__accordViews[window.__accordViews.length - 1].ms);
    times[name].push(ms);
    await page.evaluate(() => { location.hash = '#/nowhere'; });
  }
}
const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
console.log(`first load: script ${(wire.script / 1024).toFixed(1)} KiB, style ${(wire.style / 1024).toFixed(1)} KiB, other ${(wire.other / 1024).toFixed(1)} KiB on the wire (gzip); login form after ${firstLoadMs} ms`);
console.log('view                 p50 ms   p95 ms   max ms   (data ready, measured in the browser)');
let worst = 0;
for (const [name] of views) {
  const a = times[name];
  const p95 = pct(a, 95);
  worst = Math.max(worst, p95);
  console.log(`${name.padEnd(20)} ${pct(a, 50).toFixed(1).padStart(6)}   ${p95.toFixed(1).padStart(6)}   ${Math.max(...a).toFixed(1).padStart(6)}`);
}
console.log(`worst p95: ${worst.toFixed(1)} ms (target 200 ms); script on first load ${(wire.script / 1024).toFixed(1)} KiB (target < 300 KiB)`);
await browser.close();
