/**
 * The report page as a marketer sees it: `batch-score report` writes it, headless Chromium (Debian's, driven by
 * playwright-core; scripts/chromium.sh installs it, CHROMIUM_PATH overrides) opens it from disk with a new empty
 * profile, and the test checks that the charts are drawn (SVG of non-zero size, one bar per non-empty band, the
 * top band's few users included), every decile row, the lift values equal to `report --json`'s, the drift table
 * flagging the feature drifted on purpose, the page of a date without labels or earlier date saying so, and that
 * the page made no network request. A screenshot is left in the temp folder for a person to look at.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserContext, chromium } from 'playwright-core';
import type { ScoreReport } from '../../pipeline/score-report';
import { batchScore, REPO_ROOT } from '../support/processes';
import { DRIFTED_FEATURE, PREVIOUS_DAY, REPORT_DAY, reportWorld, TOP_BUYERS } from '../support/report-tables';

/** CHROMIUM_PATH, else Debian's chromium, installed by the script the first time (as `npm test` does MinIO). */
const chromiumPath = () => execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the report page in headless Chromium', function () {
  this.timeout(180_000);
  let dir: string;
  let profile: string;
  let browser: BrowserContext;
  /** Every URL the browser asked for. */
  const requests: string[] = [];

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-report-page-'));
    profile = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-chromium-profile-'));
    await reportWorld(dir);
    browser = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath(), headless: true, args: ARGS, viewport: { width: 1200, height: 900 } });
    browser.on('request', (r) => requests.push(r.url()));
  });
  after(async () => {
    await browser?.close();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(profile, { recursive: true, force: true });
  });

  /** The page of a date, opened from disk, with the report's --json numbers. */
  async function open(day: string): Promise<{ page: import('playwright-core').Page; report: ScoreReport & { html: string } }> {
    const report = JSON.parse(await batchScore(['report', '--date', day, '--data-dir', dir, '--json']));
    const page = await browser.newPage();
    await page.goto(pathToFileURL(report.html).href);
    return { page, report };
  }

  it('draws the histogram, deciles, lift and gain charts and the drift table, with the --json numbers, offline', async () => {
    const { page, report } = await open(REPORT_DAY);
    for (const id of ['histogram', 'lift', 'gain']) {
      const box = await page.locator(`svg#${id}`).boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `svg#${id} box ${JSON.stringify(box)}`);
    }
    // One bar per non-empty band, each at least a pixel tall: the dozen users near 1 show beside the thousands near 0.
    const bars = page.locator('svg#histogram rect.bar');
    const nonEmpty = report.bands.filter((b) => b.users > 0);
    assert.equal(await bars.count(), nonEmpty.length);
    assert.ok(report.bands[49].users > 0 && report.bands[49].users < 20, `top band ${report.bands[49].users}`);
    for (let i = 0; i < nonEmpty.length; i++) {
      const box = await bars.nth(i).boundingBox();
      assert.ok(box && box.width > 0 && box.height >= 5, `bar ${i} (${nonEmpty[i].users} users) box ${JSON.stringify(box)}`);
    }
    assert.equal(await page.locator('svg#lift rect.bar').count(), 10);
    assert.equal(await page.locator('svg#gain circle').count(), 10);

    const rows = await page.locator('table#deciles tr[data-decile]').evaluateAll((trs) => trs.map((tr) => ({
      decile: Number(tr.getAttribute('data-decile')),
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
      lift: tr.querySelector('td.lift')?.getAttribute('data-value'),
    })));
    assert.deepEqual(rows.map((r) => r.decile), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const [i, d] of report.deciles.entries()) {
      assert.equal(Number(rows[i].lift), d.lift, `decile ${d.decile} lift`);
      assert.equal(rows[i].cells[1], String(d.users));
      assert.equal(rows[i].cells[8], d.lift!.toFixed(2));
      assert.equal(rows[i].cells[9], d.cumulativeGain!.toFixed(3));
    }

    const drift = await page.locator('table#drift tr[data-feature]').evaluateAll((trs) => trs.map((tr) => ({
      name: tr.getAttribute('data-feature'), status: tr.querySelector('.status')?.textContent, flagged: tr.classList.contains('drift'),
      psi: Number(tr.querySelector('td[data-value]')?.getAttribute('data-value')),
    })));
    assert.deepEqual(drift.map((d) => d.name).sort(), ['carts_7d', 'purchase_probability', 'spend_30d', 'views_7d']);
    const drifted = drift.find((d) => d.name === DRIFTED_FEATURE)!;
    assert.deepEqual([drifted.status, drifted.flagged], ['drift', true]);
    assert.equal(drifted.psi, report.drift.features.find((f) => f.name === DRIFTED_FEATURE)!.psi);
    assert.deepEqual(drift.filter((d) => d.flagged).map((d) => d.name), [DRIFTED_FEATURE]);
    assert.match(await page.locator('#lineage').innerText(), /purchase_propensity v3/);
    assert.equal(await page.locator('table#top tr').count(), TOP_BUYERS + 1);

    // Self-contained: no script, stylesheet, image or font to fetch.
    assert.doesNotMatch(await fs.readFile(report.html, 'utf8'), /<script|<link|<img|src=|@import|url\(/i);
    const shot = path.join(os.tmpdir(), `batch-score-report-${REPORT_DAY}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await fs.stat(shot)).size > 10_000);
    const page_ = pathToFileURL(report.html).href;
    assert.deepEqual(requests.filter((u) => u !== page_), [], 'the page asked for nothing but itself');
    await page.close();
  });

  it('a date without labels or an earlier date says so instead of the charts', async () => {
    const { page } = await open(PREVIOUS_DAY);
    assert.match(await page.locator('#no-labels').innerText(), new RegExp(`No labels for ${PREVIOUS_DAY}.*has no data for snapshot_date=${PREVIOUS_DAY}`));
    assert.match(await page.locator('#no-drift').innerText(), new RegExp(`no score date before ${PREVIOUS_DAY}`));
    assert.equal(await page.locator('svg#lift, svg#gain, table#drift').count(), 0);
    assert.equal(await page.locator('table#deciles tr[data-decile]').count(), 10);
    await page.screenshot({ path: path.join(os.tmpdir(), `batch-score-report-${PREVIOUS_DAY}.png`), fullPage: true });
    assert.ok(requests.every((u) => u.startsWith('file://')), requests.join(', '));
    await page.close();
  });
});
