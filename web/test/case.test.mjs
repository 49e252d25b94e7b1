// case.test.mjs — correlation graph, attribution case, endorsement and
// evidence pack in a real browser (Debian's chromium via playwright-core)
// against the `accord serve` that tests/web/test_web_ui_case.sh started on
// the case scenario.  env: BASE, CASE, C2_VALUE, ACC_WEB_ARTIFACTS,
// CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.BASE;
const CASE = process.env.CASE;
const ART = process.env.ACC_WEB_ARTIFACTS || 'web-test-artifacts';
mkdirSync(ART, { recursive: true });
let browser;
const shot = (page, name) => page.screenshot({ path: join(ART, `${name}.png`), fullPage: true });

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
});
after(async () => { await browser?.close(); });

async function login(user) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${BASE}/ui/`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill('pw');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  return { context, page, errors };
}

test('the correlation graph links objects through a shared value', async () => {
  const { context, page, errors } = await login('bob');
  await page.getByRole('link', { name: 'Correlation' }).click();
  await page.getByLabel('Value or object id').fill(process.env.C2_VALUE);
  await page.getByRole('button', { name: 'Correlate' }).click();
  await page.locator('main[data-ready="yes"]').waitFor();
  const graph = page.locator('figure.graph svg[role="img"]');
  await graph.waitFor();
  assert.ok(await page.locator('.n-value').count() >= 1, 'value nodes drawn');
  assert.ok(await page.locator('.n-object').count() >= 1, 'object nodes drawn');
  assert.match(await page.locator('main').textContent(), /value\(s\) matched/);
  await shot(page, '10-correlation-graph');
  // Keyboard: an object node is reachable and opens its own correlation.
  const node = page.locator('.n-object').first();
  await node.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.hash.includes('id='));
  await page.locator('main[data-ready="yes"]').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a partner reads the case and records its endorsement', async () => {
  const { context, page, errors } = await login('bob');
  await page.getByRole('link', { name: 'Attribution cases' }).click();
  await page.getByRole('link', { name: 'GLASS FROST attribution' }).click();
  await page.getByRole('heading', { name: 'GLASS FROST attribution' }).waitFor();
  await page.locator('main[data-ready="yes"]').waitFor();
  const main = page.locator('main');
  assert.match(await main.textContent(), /Analytic confidence:/);
  assert.ok(await page.locator('table.evidence abbr.grade').count() >= 1, 'Admiralty grades shown');
  assert.match(await page.locator('table.evidence').textContent(), /A2/);
  assert.match(await main.textContent(), /Norms violated/);
  assert.match(await main.textContent(), /system interference/);
  assert.match(await main.textContent(), /rule not met/);
  await page.getByRole('radio', { name: 'concur' }).check();
  await page.getByLabel('Statement').fill('CERT-B concurs on the technical evidence.');
  await page.getByRole('button', { name: 'Record endorsement' }).click();
  await page.getByRole('status').filter({ hasText: 'Recorded' }).waitFor();
  await page.getByRole('cell', { name: 'CERT-B concurs on the technical evidence.' }).waitFor();
  await shot(page, '11-case-endorsed');
  // Bob is not the owner: no pack building for him.
  assert.equal(await page.getByRole('button', { name: 'Build pack' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the owner builds, downloads and verifies a pack; a tampered copy fails', async () => {
  const { context, page, errors } = await login('alice');
  await page.goto(`${BASE}/ui/#/cases/${CASE}`);
  await page.locator('main[data-ready="yes"]').waitFor();
  await page.getByLabel('Release level').selectOption('clear');
  await page.getByLabel(/Draft/).check();
  await page.getByRole('button', { name: 'Build pack' }).click();
  await page.getByRole('cell', { name: 'MANIFEST', exact: true }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download and verify' }).click(),
  ]);
  const saved = join(ART, download.suggestedFilename());
  await download.saveAs(saved);
  await page.getByText('The pack verifies').waitFor();
  await shot(page, '12-pack-verified');
  // Change one byte of statement.html inside the archive and verify that.
  const tar = readFileSync(saved);
  const at = tar.indexOf(Buffer.from('<html'));
  assert.ok(at > 0, 'statement.html in the archive');
  tar[at + 1] = tar[at + 1] === 0x68 ? 0x48 : 0x68;
  const bad = join(ART, 'tampered.tar');
  writeFileSync(bad, tar);
  await page.getByLabel('Verify a pack file (.tar)').setInputFiles(bad);
  await page.getByText('The pack does NOT verify').waitFor();
  assert.match(await page.locator('.verify').textContent(), /statement\.html — SHA-256 differs/);
  await shot(page, '13-pack-tampered');
  assert.deepEqual(errors, []);
  await context.close();
});
