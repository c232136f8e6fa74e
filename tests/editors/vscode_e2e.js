// Drive VS Code (code-server in Debian's Chromium, through playwright-core) with the citels
// extension installed: open paper.tex, type a citation query, pick the paper from the
// suggestion list, save, hover the key. Screenshots and a JSON report go to OUT.
// Usage: node vscode_e2e.js URL OUT   (NODE_PATH must reach playwright-core)
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [URL, OUT] = process.argv.slice(2);
const TITLE = 'Mirror Descent Policy Optimization';
const KEY = 'mirrorDescentPolicy2020';
fs.mkdirSync(OUT, { recursive: true });
const t0 = Date.now();
const log = (message) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s ${message}`);
// Monaco renders spaces as U+00A0
const editorLines = (page) => page.$$eval('.monaco-editor .view-line',
  (lines) => lines.map((l) => l.textContent.replace(/\u00a0/g, ' ')));

async function palette(page, title) {
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'citels-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const report = { ok: false };
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(60000);
  try {
    await page.goto(URL, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 90000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    log('workbench loaded');
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type('paper.tex');
    await page.waitForSelector('.quick-input-list .monaco-list-row');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('.monaco-editor .view-line')]
      .some((l) => l.textContent.includes('documentclass')));
    // The extension's status item says the server is up and how big its corpus is.
    const ready = page.locator('.statusbar-item', { hasText: 'citels: 400 papers' }).first();
    await ready.waitFor({ timeout: 90000 });
    report.status = await ready.innerText();
    log(`ready: ${report.status}`);
    await page.click('.monaco-editor .view-lines');
    await page.keyboard.press('Control+G');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type('3');
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.locator('#status\\.editor\\.selection', { hasText: 'Ln 3, Col 5' }).waitFor();
    // What a writer remembers of the paper, then "suggest" (Ctrl+Space).
    await page.keyboard.type('\\cite{mirror desc', { delay: 40 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+Space');
    const row = page.locator('.suggest-widget .monaco-list-row', { hasText: TITLE }).first();
    await row.waitFor({ state: 'visible', timeout: 30000 });
    report.suggestions = await page.$$eval('.suggest-widget .monaco-list-row',
      (rows) => rows.map((r) => r.getAttribute('aria-label') || r.textContent));
    log(`suggestions: ${report.suggestions.length}`);
    // The details pane shows the resolved documentation (summary and abstract).
    const details = page.locator('.suggest-details', { hasText: 'well-known first-order method' });
    if (!(await details.isVisible())) await page.keyboard.press('Control+Space');
    await details.first().waitFor({ state: 'visible', timeout: 15000 });
    await page.screenshot({ path: path.join(OUT, 'suggestions.png') });
    await page.keyboard.press('Enter');
    await page.waitForFunction((key) => [...document.querySelectorAll('.monaco-editor .view-line')]
      .some((l) => l.textContent.includes(key)), KEY);
    report.lines = await editorLines(page);
    log(`after accept: ${JSON.stringify(report.lines[2])}`);
    // The BibTeX entry arrives as a workspace edit: save everything to see it on disk.
    await page.waitForTimeout(1000);
    await palette(page, 'File: Save All');
    await page.waitForTimeout(1000);
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget input');
    await page.keyboard.type('paper.tex');
    await page.waitForSelector('.quick-input-list .monaco-list-row');
    await page.keyboard.press('Enter');
    const key = page.locator('.monaco-editor .view-line span', { hasText: KEY }).first();
    await key.waitFor();
    await key.hover();
    const hover = page.locator('.monaco-hover', { hasText: TITLE }).first();
    await hover.waitFor({ state: 'visible', timeout: 30000 });
    await page.waitForTimeout(500);
    report.hover = await hover.innerText();
    await page.screenshot({ path: path.join(OUT, 'hover.png') });
    report.ok = true;
    log('done');
  } catch (error) {
    report.error = String(error.stack || error);
    log(`ERROR ${report.error}`);
    await page.screenshot({ path: path.join(OUT, 'error.png') }).catch(() => {});
  } finally {
    fs.writeFileSync(path.join(OUT, 'report.json'), JSON.stringify(report, null, 2));
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(report.ok ? 0 : 1);
})();
