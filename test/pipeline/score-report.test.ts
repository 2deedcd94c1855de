/**
 * The run report's numbers against an independent reference (python/report_reference.py: delta-rs + pandas/numpy
 * on the same tables): probability bands, deciles (users, mean/min/max, labelled users, buyers, rate, lift,
 * cumulative gain) and the PSI of the scores and of each feature against the previous date. Counts and min/max
 * must be equal; means, ratios and PSI equal to 1e-9. Then what the report says when a date has no labels or no
 * previous date, and a drifted feature flagged as drift.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { python } from '../../devkit';
import { scoreReport } from '../../pipeline/score-report';
import { DRIFTED_FEATURE, MODEL, MODEL_FEATURES, PREVIOUS_DAY, REPORT_DAY, reportWorld, ReportWorld } from '../support/report-tables';

const FEATURES = ['views_7d', 'carts_7d', 'spend_30d'];
const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) <= 1e-9, `${what}: ${actual} vs reference ${expected}`);

describe('the run report\'s numbers, against a pandas/numpy reference', function () {
  this.timeout(120_000);
  let dir: string;
  let world: ReportWorld;
  const sources = () => ({ silverTable: world.silver, labelsTable: world.labels });

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-report-'));
    world = await reportWorld(dir);
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('bands, deciles, lift, gain and PSI equal the reference', async () => {
    const report = await scoreReport(world.gold, REPORT_DAY, sources());
    const ref = JSON.parse(await python('report_reference.py', [world.gold, world.labels, world.silver, REPORT_DAY, PREVIOUS_DAY, FEATURES.join(',')]));
    assert.equal(report.users, 3_000);
    assert.equal(report.users, ref.users);
    assert.deepEqual(report.bands.map((b) => b.users), ref.bands);
    // Buyers at the top of the scale are there beside the mass near 0.
    assert.ok(report.bands[BANDS_TOP].users > 0 && report.bands[0].users > 1_000);

    assert.equal(report.deciles.length, 10);
    for (const [i, d] of report.deciles.entries()) {
      const r = ref.deciles[i];
      for (const k of ['decile', 'users', 'minProbability', 'maxProbability', 'labelled', 'buyers'] as const) assert.equal(d[k], r[k], `decile ${i + 1} ${k}`);
      for (const k of ['meanProbability', 'rate', 'lift', 'cumulativeGain', 'cumulativeUsers'] as const) close(d[k], r[k], `decile ${i + 1} ${k}`);
    }
    assert.equal(report.deciles[9].cumulativeGain, 1);
    assert.ok(report.deciles[0].lift! > 3, `top decile lift ${report.deciles[0].lift}`);
    assert.deepEqual({ ...report.labels, rate: undefined }, { table: world.labels, available: true, labelled: ref.labels.labelled, buyers: ref.labels.buyers, rate: undefined, unlabelled: 40 });
    close(report.labels.rate, ref.labels.rate, 'labels rate');

    const { drift } = report;
    assert.equal(drift.available, true);
    assert.equal(drift.previousDate, PREVIOUS_DAY);
    close(drift.scores?.psi, ref.scores.psi, 'scores PSI');
    assert.deepEqual(drift.scores?.bins.slice(0, -1).map((b) => b.upTo), ref.scores.edges);
    // The model's features, in the order its run recorded them.
    assert.deepEqual(drift.features.map((f) => f.name), MODEL_FEATURES);
    assert.equal(drift.featuresFrom, 'model');
    for (const f of drift.features) {
      close(f.psi, ref.features[f.name].psi, `${f.name} PSI`);
      assert.deepEqual(f.bins.slice(0, -1).map((b) => b.upTo), ref.features[f.name].edges, `${f.name} edges`);
    }
    const byName = Object.fromEntries(drift.features.map((f) => [f.name, f]));
    assert.equal(byName[DRIFTED_FEATURE].status, 'drift');
    assert.ok(byName[DRIFTED_FEATURE].psi! > 0.2);
    assert.equal(byName.carts_7d.status, 'stable');
    // carts_7d is 0 for ~85% of users: equal deciles are one edge, so fewer bins.
    assert.ok(byName.carts_7d.bins.length < 10, `carts_7d bins ${byName.carts_7d.bins.length}`);
    // spend_30d has nulls: left out of both sides.
    assert.equal(byName.spend_30d.currentRows, 3_000 - Math.ceil((3_000 - 3) / 97));

    assert.equal(report.lineage.length, 1);
    const [l] = report.lineage;
    assert.deepEqual([l.workflowId, l.runId, l.model, l.silver, l.goldVersion], [`score-users-${REPORT_DAY}`, `run-${REPORT_DAY}`, MODEL, { table: world.silver, version: 2 }, world.runs[REPORT_DAY].goldVersion]);
  });

  it('says why there is no drift (no earlier date) and no lift (no labels for the date)', async () => {
    const report = await scoreReport(world.gold, PREVIOUS_DAY, sources());
    assert.equal(report.users, 2_800);
    assert.equal(report.drift.available, false);
    assert.equal(report.drift.reason, `Gold table ${world.gold} (version ${world.runs[REPORT_DAY].goldVersion}) has no score date before ${PREVIOUS_DAY}`);
    assert.equal(report.labels.available, false);
    assert.equal(report.labels.reason, `${world.labels} (version 1) has no data for snapshot_date=${PREVIOUS_DAY}`);
    assert.equal(report.deciles.length, 10);
    assert.equal(report.deciles[0].lift, undefined);
    const noTable = await scoreReport(world.gold, REPORT_DAY, { silverTable: path.join(dir, 'nowhere'), labelsTable: path.join(dir, 'no-labels') });
    assert.match(noTable.labels.reason!, new RegExp(`^no Delta table at ${path.join(dir, 'no-labels')}`));
    assert.equal(noTable.drift.available, true);
    assert.ok(noTable.drift.scores!.psi! >= 0);
    assert.deepEqual(noTable.drift.features, []);
    assert.match(noTable.drift.featuresReason!, /^no Delta table at .*nowhere/);
  });

  it('compares Silver\'s numeric columns when the run recorded no features, and names a model feature Silver lacks', async () => {
    const unrecorded = await reportWorld(path.join(dir, 'unrecorded'), { users: 500, previousUsers: 400, features: null });
    const fromSilver = await scoreReport(unrecorded.gold, REPORT_DAY, { silverTable: unrecorded.silver, labelsTable: unrecorded.labels });
    assert.equal(fromSilver.drift.featuresFrom, 'silver');
    assert.deepEqual(fromSilver.drift.features.map((f) => f.name), FEATURES);
    const lacking = await reportWorld(path.join(dir, 'lacking'), { users: 500, previousUsers: 400, features: ['views_7d', 'sessions_90d'] });
    const missing = await scoreReport(lacking.gold, REPORT_DAY, { silverTable: lacking.silver, labelsTable: lacking.labels });
    assert.deepEqual(missing.drift.features, []);
    assert.equal(missing.drift.featuresReason, `${lacking.silver} (version 2) has no numeric column sessions_90d of the model's features`);
    assert.ok(missing.drift.scores!.psi! >= 0);
  });

  it('refuses a date Gold has no predictions for (NoGoldData), naming the dates it has; without a date, reports the latest', async () => {
    await assert.rejects(scoreReport(world.gold, '2026-11-30', sources()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NoGoldData');
      assert.equal(err.message, `Gold table ${world.gold} (version ${world.runs[REPORT_DAY].goldVersion}) has no predictions for score_date=2026-11-30; its dates: ${PREVIOUS_DAY}, ${REPORT_DAY}`);
      return true;
    });
    const latest = await scoreReport(world.gold, undefined, sources());
    const named = await scoreReport(world.gold, REPORT_DAY, sources());
    assert.equal(latest.scoreDate, REPORT_DAY);
    assert.deepEqual([latest.users, latest.predictedBuyers, latest.goldVersion], [named.users, named.predictedBuyers, named.goldVersion]);
  });
});

const BANDS_TOP = 49;
