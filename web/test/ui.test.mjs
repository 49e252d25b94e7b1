// ui.test.mjs — the web interface in a real browser (Debian's chromium,
// driven by playwright-core; no browser is ever downloaded) against a real
// `accord serve` that tests/web/test_web_ui.sh started on 127.0.0.1 with a
// seeded store.  Walks what an analyst and a diplomat do, checks that a
// user of another organisation cannot reach AMBER content through any page
// or through the API with the session cookie, that CSRF is enforced and
// that logout ends the session.  Screenshots go to ACC_WEB_ARTIFACTS.
//
// env: BASE (server URL), ACC_WEB_ARTIFACTS (screenshots), UPLOAD_BAD (a
// STIX file with one bad object), AMBER_ID, GREEN_ID, CHROMIUM (browser
// path, default /usr/bin/chromium), and the optional CASE_ID when the
// store has an attribution case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE;
const ART = process.env.ACC_WEB_ARTIFACTS || 'web-test-artifacts';
const AMBER_ID = process.env.AMBER_ID;
const GREEN_ID = process.env.GREEN_ID;
const AMBER_VALUE = '203.0.113.77';
mkdirSync(ART, { recursive: true });

let browser;
const shot = (page, name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox'],
  });
});
after(async () => { await browser?.close(); });

async function login(user, password, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  // The first GET /api/v1/session answers 401 before the login, which the
  // browser logs; any other failure counts.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
  });
  await page.goto(`${BASE}/ui/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.locator('main[data-ready="yes"]').waitFor();
  return { context, page, errors };
}

// GET (or other) through the page, so the session cookie goes along.
const inPage = (page, path, init = {}) => page.evaluate(async ([p, i]) => {
  const r = await fetch(p, { credentials: 'same-origin', ...i });
  return { status: r.status, text: await r.text() };
}, [path, init]);

test('login, dashboard, keyboard focus and a narrow window', async () => {
  const { context, page, errors } = await login('alice', 'alice-pw');
  await assert.doesNotReject(page.getByText('objects you may see').waitFor());
  await page.getByRole('heading', { name: 'Sightings over time' }).waitFor();
  assert.ok(await page.locator('svg[role="img"]').count() >= 1, 'the sightings chart is drawn');
  await shot(page, '01-dashboard');
  // Keyboard: a new view puts focus on its heading; from the top of the
  // page the first Tab reaches the skip link, which leads to the content;
  // the focused control shows an outline.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Dashboard');
  await page.evaluate(() => {
    // Back to the top of the page, as after a fresh load.
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'none');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const tag = await page.evaluate(() => document.activeElement?.tagName);
  assert.ok(['A', 'BUTTON', 'INPUT', 'SELECT'].includes(tag), `Tab moves through controls (${tag})`);
  // Narrow window: the navigation stacks above the content.
  await page.setViewportSize({ width: 420, height: 900 });
  await shot(page, '02-dashboard-narrow');
  const nav = await page.locator('nav.side').boundingBox();
  const main = await page.locator('main').boundingBox();
  assert.ok(nav.y + nav.height <= main.y + 1, 'navigation above content when narrow');
  assert.deepEqual(errors, []);
  await context.close();
});

test('search by value, open the object with its TLP badge, JSON, versions, relationships', async () => {
  const { context, page, errors } = await login('alice', 'alice-pw');
  await page.getByRole('link', { name: 'Search' }).click();
  await page.getByLabel('Observable value').fill(AMBER_VALUE);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('link', { name: 'Amber secret C2' }).waitFor();
  await shot(page, '03-search');
  await page.getByRole('link', { name: 'Amber secret C2' }).click();
  await page.getByRole('heading', { name: 'Amber secret C2' }).waitFor();
  await page.locator('main[data-ready="yes"]').waitFor();
  const badge = page.locator('.meta .tlp').first();
  assert.equal(await badge.textContent(), 'TLP:AMBER');
  const colour = await badge.evaluate((e) => getComputedStyle(e).color);
  const bg = await badge.evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(colour, 'rgb(255, 192, 0)', 'FIRST AMBER #FFC000');
  assert.equal(bg, 'rgb(0, 0, 0)', 'on black');
  await page.getByRole('heading', { name: 'STIX JSON' }).waitFor();
  assert.match(await page.locator('pre.json').textContent(), /"pattern": "\[ipv4-addr:value = '203\.0\.113\.77'\]"/);
  await page.getByRole('heading', { name: /Relationships from this object/ }).waitFor();
  await page.getByRole('link', { name: 'GreenWorm' }).waitFor();
  await shot(page, '04-object');
  // Follow the relationship to the malware: the way back is listed.
  await page.getByRole('link', { name: 'GreenWorm' }).click();
  await page.getByRole('heading', { name: 'GreenWorm' }).waitFor();
  await page.locator('main[data-ready="yes"]').waitFor();
  assert.equal(await page.locator('.meta .tlp').first().textContent(), 'TLP:GREEN');
  await page.getByRole('link', { name: 'Amber secret C2' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('import a file with a bad object: progress, then the object\'s error', async () => {
  const { context, page, errors } = await login('alice', 'alice-pw');
  await page.getByRole('link', { name: 'Import' }).click();
  await page.locator('main[data-ready="yes"]').waitFor();
  await page.getByLabel('Files').setInputFiles(process.env.UPLOAD_BAD);
  await page.getByRole('button', { name: /^Import/ }).click();
  const outcome = page.locator('.outcome');
  await outcome.waitFor();
  const text = await outcome.textContent();
  assert.match(text, /1\s*stored/);
  assert.match(text, /1\s*refused/);
  const row = page.locator('table.errors tbody tr');
  assert.equal(await row.count(), 1);
  const rowText = await row.textContent();
  assert.match(rowText, /indicator--9e3a4f5b-6c7d-4e8f-8a9b-1c2d3e4f5a02/);
  assert.match(rowText, /pattern/);
  await shot(page, '05-import');
  assert.deepEqual(errors, []);
  await context.close();
});

test('another organisation cannot reach AMBER content through any page or the API', async () => {
  const { context, page } = await login('bob', 'bob-pw');
  // Dashboard: no AMBER counted, the amber object not among arrivals.
  const dash = await page.locator('main').textContent();
  assert.ok(!dash.includes('Amber secret C2'), 'not in recent arrivals');
  // Counts are over what bob may see: the AMBER objects counted are
  // exactly those his search lists (what alice uploaded unmarked, shared
  // with the collection's readers), and acme's AMBER indicator is not one.
  const stats = JSON.parse((await inPage(page, '/api/v1/stats')).text);
  const amber = JSON.parse((await inPage(page, '/api/v1/search?tlp=amber&limit=200')).text);
  assert.equal(stats.by_tlp.find((t) => t.name === 'AMBER').count, amber.results.length, 'AMBER count = visible AMBER');
  assert.ok(!amber.results.some((o) => o.id === AMBER_ID));
  assert.ok(JSON.stringify(stats).indexOf('Amber secret') < 0);
  const alice = await browser.newContext();
  const ap = await alice.newPage();
  await ap.goto(`${BASE}/ui/`);
  const r = await ap.request.post(`${BASE}/api/v1/session`, { data: { user: 'alice', password: 'alice-pw' } });
  assert.equal(r.status(), 201);
  const astats = JSON.parse((await inPage(ap, '/api/v1/stats')).text);
  assert.equal(astats.by_tlp.find((t) => t.name === 'AMBER').count, stats.by_tlp.find((t) => t.name === 'AMBER').count + 2,
    'alice counts the AMBER indicator and its relationship, bob does not');
  await alice.close();
  // Search by value and by text: nothing.
  await page.goto(`${BASE}/ui/#/search?value=${AMBER_VALUE}`);
  await page.locator('main[data-ready="yes"]').waitFor();
  assert.match(await page.locator('.resultinfo').textContent(), /Nothing you may see matches/);
  await page.goto(`${BASE}/ui/#/search?q=Amber%20secret`);
  await page.locator('main[data-ready="yes"]').waitFor();
  assert.match(await page.locator('.resultinfo').textContent(), /Nothing you may see matches/);
  await shot(page, '06-other-org-search');
  // The object page: not found, exactly like an absent object.
  await page.goto(`${BASE}/ui/#/object/${AMBER_ID}`);
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /no object .* that you may see/);
  await shot(page, '07-other-org-object');
  // The GREEN malware: visible, but its AMBER relationship is not listed.
  await page.goto(`${BASE}/ui/#/object/${GREEN_ID}`);
  await page.locator('main[data-ready="yes"]').waitFor();
  const green = await page.locator('main').textContent();
  assert.ok(green.includes('GreenWorm'));
  assert.ok(!green.includes('Amber secret') && !green.includes(AMBER_ID), 'no trace of the AMBER indicator');
  // The API with the session cookie.
  for (const p of [`/api/v1/objects/${AMBER_ID}`, `/api/v1/search?value=${AMBER_VALUE}`, '/api/v1/search?q=Amber',
    `/api/v1/objects/${GREEN_ID}`, '/api/collections/default/objects/?limit=1000',
    `/api/collections/default/objects/${AMBER_ID}/`]) {
    const r = await inPage(page, p, { headers: { Accept: p.startsWith('/api/v1') ? 'application/json' : 'application/taxii+json;version=2.1' } });
    // A 404 may name the id that was asked for; nothing else may.
    const text = r.text.replaceAll(p.includes(AMBER_ID) ? AMBER_ID : '\u0000', 'ASKED');
    assert.ok(!text.includes(AMBER_ID) && !text.includes('Amber secret') && !text.includes(AMBER_VALUE), `${p} leaks AMBER (HTTP ${r.status})`);
  }
  // Invisible reads exactly like absent.
  const ghost = 'indicator--00000000-0000-4000-8000-000000000000';
  const a = await inPage(page, `/api/v1/objects/${AMBER_ID}`);
  const g = await inPage(page, `/api/v1/objects/${ghost}`);
  assert.equal(a.status, 404);
  assert.equal(g.status, 404);
  const strip = (t) => JSON.parse(t).description.replace(/indicator--[0-9a-f-]+/, 'ID');
  assert.equal(strip(a.text), strip(g.text), 'same answer as for an absent object');
  await context.close();
});

test('CSRF: a state-changing request with the cookie and no token is refused', async () => {
  const { context, page } = await login('alice', 'alice-pw');
  const body = JSON.stringify({ type: 'bundle', id: 'bundle--5b0d7f1c-3a52-4c1e-9d7e-0a1b2c3d4e09', objects: [] });
  const r = await inPage(page, '/api/v1/import', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 403);
  assert.match(r.text, /X-CSRF-Token/);
  const del = await inPage(page, '/api/v1/session', { method: 'DELETE' });
  assert.equal(del.status, 403, 'logout needs the token too');
  assert.equal((await inPage(page, '/api/v1/session')).status, 200, 'the session survives a refused request');
  await context.close();
});

test('logout ends the session on the server', async () => {
  const { context, page } = await login('alice', 'alice-pw');
  const cookies = await context.cookies();
  const sess = cookies.find((c) => c.name === 'accord_session');
  assert.ok(sess, 'session cookie set');
  assert.equal(sess.httpOnly, true);
  assert.equal(sess.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie.includes('accord_session')), false, 'invisible to script');
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { name: 'Log in to Accord' }).waitFor();
  await shot(page, '08-logged-out');
  // The old cookie, replayed, is refused: the session is gone server-side.
  const replay = await browser.newContext();
  await replay.addCookies([{ ...sess }]);
  const p2 = await replay.newPage();
  await p2.goto(`${BASE}/ui/`);
  await p2.getByRole('heading', { name: 'Log in to Accord' }).waitFor();
  const r = await inPage(p2, '/api/v1/whoami');
  assert.equal(r.status, 401);
  await replay.close();
  await context.close();
});

test('audit log for administrators only', async () => {
  const { context, page } = await login('root', 'root-pw');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.locator('main[data-ready="yes"]').waitFor();
  assert.ok(await page.locator('table.list tbody tr').count() > 0);
  await shot(page, '09-audit');
  await context.close();
  const b = await login('bob', 'bob-pw');
  assert.equal(await b.page.getByRole('link', { name: 'Audit log' }).count(), 0);
  assert.equal((await inPage(b.page, '/api/v1/audit')).status, 403);
  await b.context.close();
});
