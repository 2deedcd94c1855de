/**
 * `train`'s honest numbers: AUC and log loss equal scikit-learn's on the same held-out predictions, the held-out
 * users are the ones the hash says, the registered model reproduces those predictions, features come from the
 * Silver table's schema (an events-style Silver trains too), a missing labels partition is named, a table larger
 * than --max-rows is sampled by a hash over the whole id range, impute values come from training users only, and
 * non-finite values and duplicate users are refused.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openTable, replacePartition, scanTable, StructType, writeDataFile } from '../../delta';
import { classifierMetrics, generateSilver, inTrainingSample, isHeldOut, readTrainingSet, SILVER_LABELS_SCHEMA, trainDemoModel } from '../../demo';
import { Random } from '../../demo/random';
import { listModels, readOnnxInfo, resolveModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { python, tempDir } from '../support/processes';
import { logistic, readLogistic } from '../support/reference';

interface SklearnMetrics {
  auc: number;
  log_loss: number;
  rows: number;
  positive_rate: number;
}

async function sklearn(dir: string, labels: ArrayLike<number>, probabilities: ArrayLike<number>): Promise<SklearnMetrics> {
  const file = path.join(dir, `metrics-${Date.now()}-${Math.random()}.json`);
  await fs.writeFile(file, JSON.stringify({ labels: Array.from(labels), probabilities: Array.from(probabilities) }));
  return JSON.parse(await python('metrics/classifier_metrics.py', [file])) as SklearnMetrics;
}

function assertClose(actual: number, expected: number, what: string, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ours ${actual}, reference ${expected}`);
}

/** The events-derived Silver's columns (features --date D), in contract order. */
const EVENTS_FEATURES: [string, 'integer' | 'double'][] = [
  ['views_7d', 'integer'], ['views_30d', 'integer'], ['carts_7d', 'integer'], ['carts_30d', 'integer'],
  ['purchases_7d', 'integer'], ['purchases_30d', 'integer'], ['sessions_30d', 'integer'],
  ['distinct_products_30d', 'integer'], ['spend_30d', 'double'], ['avg_price_30d', 'double'],
  ['days_since_last_event', 'integer'], ['cart_to_view_ratio', 'double'],
];
const EVENTS_SILVER: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: false, metadata: {} },
    ...EVENTS_FEATURES.map(([name, type]) => ({ name, type, nullable: false, metadata: {} })),
    { name: 'snapshot_date', type: 'date', nullable: false, metadata: {} },
  ],
};

/** A small Silver + labels in the events layout: users with views, carts and purchases; buyers are the active ones. */
async function writeEventsSilver(silverPath: string, labelsPath: string, day: string, users: number): Promise<void> {
  const rng = new Random(11);
  const columns: Record<string, Int32Array | Float64Array> = Object.fromEntries(
    EVENTS_FEATURES.map(([name, type]) => [name, type === 'double' ? new Float64Array(users) : new Int32Array(users)]),
  );
  const bought = new Array<boolean>(users);
  for (let i = 0; i < users; i++) {
    const views30 = rng.poisson(12 * rng.logNormal(0, 0.8));
    const views7 = Math.min(views30, rng.poisson(views30 / 4));
    const carts30 = rng.poisson(views30 * 0.03);
    const purchases30 = rng.poisson(carts30 * 0.5);
    const spend = Math.round(purchases30 * rng.logNormal(3.5, 0.7) * 100) / 100;
    const row: Record<string, number> = {
      views_7d: views7, views_30d: views30, carts_7d: Math.min(carts30, rng.poisson(carts30 / 4)), carts_30d: carts30,
      purchases_7d: Math.min(purchases30, rng.poisson(purchases30 / 4)), purchases_30d: purchases30,
      sessions_30d: Math.max(1, rng.poisson(views30 / 5)), distinct_products_30d: Math.max(1, rng.poisson(views30 * 0.7)),
      spend_30d: spend, avg_price_30d: purchases30 ? Math.round((spend / purchases30) * 100) / 100 : 0,
      days_since_last_event: Math.min(29, Math.floor(rng.exponential(30 / (views7 + 1)))),
      cart_to_view_ratio: views30 ? carts30 / views30 : 0,
    };
    for (const [name] of EVENTS_FEATURES) columns[name][i] = row[name];
    const z = -3.5 + 0.8 * Math.log1p(carts30) + 0.9 * Math.log1p(purchases30) + 0.3 * Math.log1p(views7) - 0.05 * row.days_since_last_event;
    bought[i] = rng.uniform() < 1 / (1 + Math.exp(-z));
  }
  const userIds = BigInt64Array.from({ length: users }, (_, i) => BigInt(1000 + 3 * i));
  const partition = { snapshot_date: day };
  const write = async (table: string, schema: StructType, batchColumns: Record<string, ArrayLike<unknown>>) => {
    const add = await writeDataFile(table, { schema, partitionColumns: ['snapshot_date'], partitionValues: partition, batch: { numRows: users, columns: batchColumns } });
    await replacePartition(table, partition, [add], { createWith: { schema, partitionColumns: ['snapshot_date'] } });
  };
  await write(silverPath, EVENTS_SILVER, { user_id: userIds, ...columns });
  await write(labelsPath, SILVER_LABELS_SCHEMA, { user_id: userIds, purchased_next_7d: bought });
}

/** Rewrites partition `day` of a table with its own rows after `edit` changed their columns in place. */
async function rewritePartition(tablePath: string, schema: StructType, day: string, edit: (columns: Record<string, unknown[]>) => void): Promise<void> {
  const columns: Record<string, unknown[]> = {};
  const names = schema.fields.map((f) => f.name).filter((name) => name !== 'snapshot_date');
  for await (const b of scanTable(await openTable(tablePath), { columns: names, partition: { snapshot_date: day } })) {
    for (const [name, col] of Object.entries(b.columns)) (columns[name] ??= []).push(...Array.from(col as ArrayLike<unknown>));
  }
  edit(columns);
  const add = await writeDataFile(tablePath, {
    schema,
    partitionColumns: ['snapshot_date'],
    partitionValues: { snapshot_date: day },
    batch: { numRows: columns['user_id'].length, columns },
  });
  await replacePartition(tablePath, { snapshot_date: day }, [add]);
}

/** Largest |onnxruntime − float64 reference| over a Silver table scored by the champion; and the rows scored. */
async function worstOnnxDifference(silverPath: string, registryDir: string): Promise<{ worst: number; rows: number }> {
  const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir });
  const reference = readLogistic(pinned.localPath);
  const scorer = await loadScorer(pinned);
  let worst = 0;
  let rows = 0;
  for await (const b of scanTable(await openTable(silverPath), { columns: ['user_id', ...reference.features] })) {
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    for (let i = 0; i < b.numRows; i++) {
      const row = Object.fromEntries(reference.features.map((f) => [f, b.columns[f][i]]));
      worst = Math.max(worst, Math.abs(out.probabilities[i] - logistic(reference, row)));
    }
    rows += b.numRows;
  }
  return { worst, rows };
}

describe('demo: train metrics', () => {
  let dir: string;
  const day = '2026-11-23';
  before(async () => (dir = await tempDir('train-metrics')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('AUC (ties by average rank) and log loss equal scikit-learn on tie-heavy predictions', async () => {
    const rng = new Random(5);
    const n = 3000;
    const labels = new Uint8Array(n);
    const probabilities = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // 21 distinct values only: most predictions tie, with buyers and non-buyers on the same value.
      probabilities[i] = Math.round(rng.uniform() * 20) / 20 * 0.98 + 0.01;
      labels[i] = rng.uniform() < probabilities[i] ? 1 : 0;
    }
    const ours = classifierMetrics(labels, probabilities);
    const ref = await sklearn(dir, labels, probabilities);
    assertClose(ours.auc, ref.auc, 'AUC');
    assertClose(ours.logLoss, ref.log_loss, 'log loss');
    assert.equal(ours.rows, ref.rows);
    assertClose(ours.positiveRate, ref.positive_rate, 'positive rate', 0);
    // Ties matter here: ranking tied pairs by order instead of as one half would move the AUC by far more than 1e-9.
    assert.ok(Math.abs(ours.auc - 0.5) > 0.1, `AUC ${ours.auc}`);
  });

  it('stores held-out metrics equal to scikit-learn on the registered model’s own predictions', async () => {
    const paths = { silverPath: path.join(dir, 'demo', 'features'), labelsPath: path.join(dir, 'demo', 'labels') };
    const registryDir = path.join(dir, 'demo', 'models');
    await generateSilver({ tablePath: paths.silverPath, labelsPath: paths.labelsPath, users: 20_000, seed: 9, snapshotDate: day });
    const m = await trainDemoModel({ ...paths, snapshotDate: day, registryDir });

    // The split is the hash's, user by user: 20,000 users, about 20% held out.
    let expectedHeld = 0;
    for (let id = 1n; id <= 20_000n; id++) if (isHeldOut(id, 1)) expectedHeld++;
    assert.equal(m.holdout.rows, expectedHeld);
    assert.equal(m.train.rows, 20_000 - expectedHeld);
    assert.ok(expectedHeld > 3800 && expectedHeld < 4200, `${expectedHeld} held out`);
    assert.ok(Array.from(m.holdoutPredictions.userIds).every((id) => isHeldOut(id, 1)));

    // scikit-learn on the held-out predictions train used.
    const p = m.holdoutPredictions;
    const ref = await sklearn(dir, p.labels, p.probabilities);
    assertClose(m.metrics.holdout_auc, ref.auc, 'held-out AUC');
    assertClose(m.metrics.holdout_log_loss, ref.log_loss, 'held-out log loss');
    assert.equal(m.metrics.holdout_rows, ref.rows);
    assertClose(m.metrics.holdout_positive_rate, ref.positive_rate, 'held-out positive rate', 1e-15);

    // The registered model (onnxruntime) gives the held-out users the same probabilities, so the same numbers.
    const pinned = await resolveModel(`models:/purchase_propensity/${m.version}`, { registryDir });
    const scorer = await loadScorer(pinned);
    const heldIndex = new Map(Array.from(p.userIds, (id, k) => [id, k]));
    const onnx = new Float64Array(p.probabilities.length);
    for await (const b of scanTable(await openTable(paths.silverPath), { columns: ['user_id', ...m.features] })) {
      const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
      for (let i = 0; i < b.numRows; i++) {
        const k = heldIndex.get(BigInt(out.userIds[i] as bigint));
        if (k !== undefined) onnx[k] = out.probabilities[i];
      }
    }
    let worst = 0;
    onnx.forEach((q, k) => (worst = Math.max(worst, Math.abs(q - p.probabilities[k]))));
    assert.ok(worst < 1e-12, `max |onnxruntime - train's prediction| = ${worst}`);
    const fromOnnx = await sklearn(dir, p.labels, onnx);
    assertClose(m.metrics.holdout_auc, fromOnnx.auc, 'held-out AUC of the ONNX model');
    assertClose(m.metrics.holdout_log_loss, fromOnnx.log_loss, 'held-out log loss of the ONNX model');

    // The training part's numbers are there too, and a honest held-out AUC is far from both 0.5 and 1.
    assert.equal(m.metrics.train_rows, m.train.rows);
    assert.ok(m.metrics.holdout_auc > 0.85 && m.metrics.holdout_auc < 0.99, `held-out AUC ${m.metrics.holdout_auc}`);
    assert.deepEqual((await resolveModel('models:/purchase_propensity@champion', { registryDir })).version, m.version);
  });

  it('trains on an events-style Silver: features from its schema, named in the model, scored by onnxruntime', async () => {
    const silverPath = path.join(dir, 'events', 'user_features');
    const labelsPath = path.join(dir, 'events', 'purchase_labels');
    const registryDir = path.join(dir, 'events', 'models');
    await writeEventsSilver(silverPath, labelsPath, day, 3000);
    const m = await trainDemoModel({ silverPath, labelsPath, snapshotDate: day, registryDir });
    const names = EVENTS_FEATURES.map(([name]) => name);
    assert.deepEqual(m.features, names);
    assert.deepEqual(m.logScale, names.map(() => true), 'every events feature is non-negative');
    assert.equal(m.train.rows + m.holdout.rows, 3000);

    const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir });
    assert.deepEqual(pinned.features, names, 'the ONNX metadata names the events features');
    const { worst, rows } = await worstOnnxDifference(silverPath, registryDir);
    assert.equal(rows, 3000);
    assert.ok(worst < 1e-12, `max |onnxruntime - float64 reference| = ${worst}`);
    const ref = await sklearn(dir, m.holdoutPredictions.labels, m.holdoutPredictions.probabilities);
    assertClose(m.metrics.holdout_auc, ref.auc, 'events held-out AUC');
    assert.ok(m.metrics.holdout_auc > 0.6, `events held-out AUC ${m.metrics.holdout_auc}`);
  });

  it('a column with negative values stays on the raw scale, in training and in the ONNX graph', async () => {
    const silverPath = path.join(dir, 'signed', 'user_features');
    const labelsPath = path.join(dir, 'signed', 'purchase_labels');
    const registryDir = path.join(dir, 'signed', 'models');
    await writeEventsSilver(silverPath, labelsPath, day, 1000);
    // Shift one column below zero: the same data, now signed.
    await rewritePartition(silverPath, EVENTS_SILVER, day, (c) => (c['avg_price_30d'] = c['avg_price_30d'].map((v) => Number(v) - 50)));
    const m = await trainDemoModel({ silverPath, labelsPath, snapshotDate: day, registryDir });
    assert.deepEqual(
      m.features.filter((_, j) => !m.logScale[j]),
      ['avg_price_30d'],
    );
    const reference = readLogistic((await resolveModel('models:/purchase_propensity@champion', { registryDir })).localPath);
    assert.deepEqual(Array.from(reference.logMask!), m.logScale.map((l) => (l ? 1 : 0)));
    const { worst } = await worstOnnxDifference(silverPath, registryDir);
    assert.ok(worst < 1e-12, `max |onnxruntime - float64 reference| = ${worst}`);
  });

  it('refuses a date without labels, naming the labels table and the date (SilverNoData)', async () => {
    const paths = { silverPath: path.join(dir, 'nolabels', 'features'), labelsPath: path.join(dir, 'nolabels', 'labels') };
    const registryDir = path.join(dir, 'nolabels', 'models');
    // Silver has 2026-11-23 and 2026-11-30, the labels table only 2026-11-23 (the week after has not happened yet).
    await generateSilver({ tablePath: paths.silverPath, labelsPath: paths.labelsPath, users: 500, seed: 1, snapshotDate: day });
    await generateSilver({ tablePath: paths.silverPath, labelsPath: path.join(dir, 'nolabels', 'elsewhere'), users: 500, seed: 2, snapshotDate: '2026-11-30' });
    await assert.rejects(trainDemoModel({ ...paths, snapshotDate: '2026-11-30', registryDir }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SilverNoData');
      assert.equal(e.message, `labels table ${paths.labelsPath} has no partition snapshot_date=2026-11-30 (its dates: ${day})`);
      return true;
    });
    // Nothing was registered.
    await assert.rejects(fs.access(registryDir));
  });

  it('a Silver sorted by user_id with more users than --max-rows: a hash sample over the whole id range, recorded in params', async () => {
    const paths = { silverPath: path.join(dir, 'sample', 'features'), labelsPath: path.join(dir, 'sample', 'labels') };
    const registryDir = path.join(dir, 'sample', 'models');
    // generate writes users 1..3000 in id order: the first 1000 rows would be ids 1..1000 only.
    await generateSilver({ tablePath: paths.silverPath, labelsPath: paths.labelsPath, users: 3000, seed: 3, snapshotDate: day });
    const expected: bigint[] = [];
    for (let id = 1n; id <= 3000n; id++) if (inTrainingSample(id, 1000, 3000)) expected.push(id);
    const inRange = (lo: bigint, hi: bigint) => expected.filter((id) => id >= lo && id <= hi).length;
    const set = await readTrainingSet({ ...paths, snapshotDate: day, maxRows: 1000 });
    assert.deepEqual(Array.from(set.userIds), expected);
    assert.equal(set.rowsAvailable, 3000);
    // Both the lowest and the highest tenth of ids are in the sample, about a third of each.
    const lowest = inRange(1n, 300n);
    const highest = inRange(2701n, 3000n);
    assert.equal(Array.from(set.userIds).filter((id) => id <= 300n).length, lowest);
    assert.equal(Array.from(set.userIds).filter((id) => id > 2700n).length, highest);
    assert.ok(lowest > 70 && lowest < 130 && highest > 70 && highest < 130, `lowest tenth ${lowest}, highest tenth ${highest}`);
    assert.ok(expected.length > 900 && expected.length < 1100, `${expected.length} sampled`);

    const m = await trainDemoModel({ ...paths, snapshotDate: day, registryDir, maxRows: 1000 });
    assert.equal(m.train.rows + m.holdout.rows, expected.length);
    assert.equal(m.params.max_rows, '1000');
    assert.equal(m.params.rows_available, '3000');
    assert.equal(m.params.rows_used, String(expected.length));
    const record = (await listModels(registryDir))[0].versions.find((v) => v.version === m.version) as { params?: Record<string, string> };
    assert.deepEqual([record.params?.max_rows, record.params?.rows_available, record.params?.rows_used], ['1000', '3000', String(expected.length)]);

    // The impute values are the means of the training users only, not of the held-out ones.
    const width = set.features.length;
    const sums = new Float64Array(width);
    let trainUsers = 0;
    set.userIds.forEach((id, r) => {
      if (isHeldOut(id, 1)) return;
      trainUsers++;
      for (let j = 0; j < width; j++) sums[j] += set.x[r * width + j];
    });
    const impute = JSON.parse((await readOnnxInfo(m.localPath)).metadata['impute_values']) as Record<string, number>;
    set.features.forEach((f, j) => assertClose(impute[f], sums[j] / trainUsers, `impute value of ${f}`));

    // Without --max-rows below the table's size every user is read, and the params say so.
    const all = await trainDemoModel({ ...paths, snapshotDate: day, registryDir });
    assert.equal(all.train.rows + all.holdout.rows, 3000);
    assert.deepEqual([all.params.max_rows, all.params.rows_available, all.params.rows_used], ['200000', '3000', '3000']);
  });

  for (const [bad, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
    it(`refuses a feature value ${shown} with FeatureNotFinite naming the column, the user and the value`, async () => {
      const silverPath = path.join(dir, `nonfinite-${shown}`, 'user_features');
      const labelsPath = path.join(dir, `nonfinite-${shown}`, 'purchase_labels');
      const registryDir = path.join(dir, `nonfinite-${shown}`, 'models');
      await writeEventsSilver(silverPath, labelsPath, day, 500);
      await rewritePartition(silverPath, EVENTS_SILVER, day, (c) => (c['spend_30d'][5] = bad));
      await assert.rejects(trainDemoModel({ silverPath, labelsPath, snapshotDate: day, registryDir }), (e: Error & { code?: string }) => {
        assert.equal(e.code, 'FeatureNotFinite');
        assert.equal(e.message, `Silver table ${silverPath} snapshot_date=${day}: column "spend_30d" is ${shown} for user 1015; training needs finite feature values`);
        return true;
      });
      await assert.rejects(fs.access(registryDir));
    });
  }

  it('refuses a user_id twice in Silver or in the labels with SilverDuplicateUser naming the table, the date and the user', async () => {
    const silverPath = path.join(dir, 'duplicates', 'user_features');
    const labelsPath = path.join(dir, 'duplicates', 'purchase_labels');
    const registryDir = path.join(dir, 'duplicates', 'models');
    await writeEventsSilver(silverPath, labelsPath, day, 500);
    // Labels: user 1018 (row 6) labelled twice, the second time on row 7.
    await rewritePartition(labelsPath, SILVER_LABELS_SCHEMA, day, (c) => (c['user_id'][7] = c['user_id'][6]));
    await assert.rejects(trainDemoModel({ silverPath, labelsPath, snapshotDate: day, registryDir }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SilverDuplicateUser');
      assert.equal(e.message, `labels table ${labelsPath} snapshot_date=${day}: user_id 1018 is on more than one row; training needs one label per user`);
      return true;
    });
    // Silver: user 1018 on rows 6 and 7.
    await rewritePartition(silverPath, EVENTS_SILVER, day, (c) => (c['user_id'][7] = c['user_id'][6]));
    await assert.rejects(trainDemoModel({ silverPath, labelsPath, snapshotDate: day, registryDir }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'SilverDuplicateUser');
      assert.equal(e.message, `Silver table ${silverPath} snapshot_date=${day}: user_id 1018 is on more than one row; training needs one row per user`);
      return true;
    });
    await assert.rejects(fs.access(registryDir));
  });
});
