/**
 * The HTML coverage page in a real headless Chromium (playwright-core drives the system's browser;
 * it downloads none). The binary is looked up in RULEPROOF_CHROME / CHROME_PATH, then the usual
 * Debian and GitHub-runner locations. Without one the test says so: in CI (CI=true) that is a
 * failure, since .ci/run installs Debian's chromium; on a developer machine it is a message.
 */
import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fixtureCoverage } from './helpers.js';
import { renderCoverageHtml } from '../../src/coverage/html.js';
import { loadAttackCatalogue } from '../../src/lint/attack/catalogue.js';

const CANDIDATES = [
  process.env.RULEPROOF_CHROME,
  process.env.CHROME_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
].filter((p): p is string => !!p);

const browserPath = CANDIDATES.find((p) => existsSync(p));

t.test('static page: self-contained, data escaped', async (t) => {
  const { coverage } = await fixtureCoverage();
  const html = renderCoverageHtml(coverage, loadAttackCatalogue('18.1'));
  t.notMatch(html, /<(script|link|img)[^>]+(src|href)=/i, 'no external script, stylesheet or image');
  t.notMatch(html, /https?:\/\/(?!attack\.mitre\.org)/, 'no network address the page could load');
  t.match(html, /Content-Security-Policy" content="default-src 'none'/);
  const hostile = { ...coverage, rules: coverage.rules.map((r, i) => (i === 0 ? { ...r, name: '</script><script>alert(1)</script>' } : r)) };
  const page = renderCoverageHtml(hostile, loadAttackCatalogue('18.1'));
  t.notMatch(page, /<\/script><script>alert/, 'a rule name cannot close the data script');
});

t.test('rendered in headless Chromium: matrix, filters and drill-down', async (t) => {
  if (!browserPath) {
    const message = `no Chromium or Chrome binary found (looked in: ${CANDIDATES.join(', ')}); install Debian's chromium (apt-get install chromium) or set RULEPROOF_CHROME`;
    if (process.env.CI) t.fail(message);
    else t.pass(`not rendered: ${message}`);
    return;
  }
  const fixture = await fixtureCoverage();
  // One rule in another format, so the format filter has something to tell apart.
  const coverage = { ...fixture.coverage, rules: fixture.coverage.rules.map((r) => (r.name === 'Coverage Fixture WMI Child' ? { ...r, format: 'elastic-toml' as const } : r)) };
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-html-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'coverage.html');
  writeFileSync(file, renderCoverageHtml(coverage, loadAttackCatalogue('18.1')));

  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu'] });
  } catch (err) {
    t.fail(`Chromium at ${browserPath} did not start: ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  t.teardown(() => browser.close());
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);

  t.same(errors, [], 'no script error');
  t.same(requests, [], 'no network request');
  t.equal(await page.locator('section.tactic').count(), 14, 'one column per Enterprise tactic');
  t.equal(await page.locator('section.tactic h2').first().innerText(), 'Reconnaissance\nTA0043');

  const annotated = await page.locator('.cell:not([data-status="none"])').evaluateAll((nodes) =>
    nodes.map((n) => `${n.getAttribute('data-technique')}|${n.getAttribute('data-tactic')}|${n.getAttribute('data-status')}|${n.getAttribute('data-score')}`).sort(),
  );
  t.same(annotated, [
    'T1021.003|lateral-movement|untested|0',
    'T1021.006|lateral-movement|failing|0',
    'T1047|execution|tested|100',
    'T1059.001|execution|untested|0',
    'T9999|lateral-movement|untested|0',
  ]);
  const tested = page.locator('.cell[data-technique="T1047"][data-tactic="execution"]');
  t.equal(await tested.evaluate((n) => getComputedStyle(n).backgroundColor), 'rgb(142, 200, 67)', 'full score is the gradient top');
  t.ok((await page.locator('.cell[data-status="none"]').count()) > 150, 'the whole matrix is drawn, not only mapped techniques');

  t.ok(await page.locator('#drilldown').isHidden(), 'no drill-down before a click');
  await tested.click();
  const panel = page.locator('#drilldown');
  t.ok(await panel.isVisible(), 'a click opens the drill-down');
  t.equal(await panel.locator('h2').innerText(), 'T1047 Windows Management Instrumentation');
  t.equal(await panel.locator('.rule').count(), 1);
  t.match(await panel.locator('.rule').innerText(), /Coverage Fixture WMI Child/);
  t.same(
    await panel.locator('tr.test').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))),
    ['pass', 'pass'],
    'its two tests with their results',
  );
  t.match(await panel.innerText(), /empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437\.json/);

  await page.locator('.cell[data-technique="T1021.006"]').click();
  t.match(await panel.locator('.rule').innerText(), /failing[\s\S]*Coverage Fixture WinRM Failing[\s\S]*expected the rule to fire, got no alert/);

  await page.selectOption('#filter-status', 'failing');
  t.same(
    await page.locator('.cell').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-technique'))),
    ['T1021', 'T1021.006'],
    'status filter: the failing sub-technique under its parent',
  );
  t.same(await page.locator('#filter-format option').evaluateAll((o) => o.map((x) => (x as HTMLOptionElement).value)), ['', 'elastic-toml', 'native']);
  await page.selectOption('#filter-status', 'mapped');
  await page.selectOption('#filter-format', 'elastic-toml');
  t.same(
    await page.locator('.cell:not([data-status="none"])').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-technique'))),
    ['T1047'],
    'format filter: only the Elastic TOML rule counts',
  );
  await page.selectOption('#filter-format', 'native');
  t.equal(await page.locator('.cell[data-technique="T1047"]').count(), 0, 'T1047 has no native rule');
  t.equal(await page.locator('.cell:not([data-status="none"])').count(), 4);
  await page.selectOption('#filter-status', '');
  await page.selectOption('#filter-platform', 'Linux');
  t.equal(await page.locator('.cell[data-technique="T1047"]').count(), 0, 'platform filter hides Windows-only techniques');
  t.ok((await page.locator('.cell[data-technique="T1059"]').count()) > 0, 'and keeps cross-platform ones');
  t.same(errors, [], 'still no script error');
});
