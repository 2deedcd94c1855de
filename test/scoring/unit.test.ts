import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { dataFileRowGroups, openTable, readDataFile, replacePartition, StructType, writeDataFile } from '../../delta';
import { FEATURE_NAMES, generateSilver } from '../../demo';
import { resolveModel } from '../../registry';
import { loadScorer, scoreUnit } from '../../scoring';
import { logistic, readLogistic } from '../support/reference';
import { tempDir, writeLogisticModel } from '../registry/helpers';

describe('scoring: scoreUnit', () => {
  let dir: string;
  let table: string;
  const date = '2026-11-23';
  before(async () => {
    dir = await tempDir('unit');
    table = path.join(dir, 'features');
    // files of 140,000 users; row groups of 131,072 → one row group per file, plus a small last file.
    await generateSilver({ tablePath: table, labelsPath: path.join(dir, 'labels'), users: 300_000, seed: 5, snapshotDate: date, fileRows: 140_000 });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('scores the chosen row groups, one at a time, reporting progress', async () => {
    const snapshot = await openTable(table);
    const files = snapshot.files({ snapshot_date: date });
    assert.equal(files.length, 3);
    const groups = await Promise.all(files.map((f) => dataFileRowGroups(table, f)));
    assert.deepEqual(groups, [[131072, 8928], [131072, 8928], [20000]]);

    const modelFile = await writeLogisticModel(path.join(dir, 'lr.onnx'), {
      features: FEATURE_NAMES,
      weights: [0.06, 0.002, 0.3, 0.55, -0.04, 0.02, 0.1, 1.2, 0.12, 0.0003],
      intercept: -5.3,
    });
    const pinned = await resolveModel(modelFile, { registryDir: dir });
    const scorer = await loadScorer(pinned);
    const progress: number[] = [];
    const batches = [];
    // A unit: the second row group of file 0, all of file 2.
    for await (const b of scoreUnit({
      silverTablePath: table,
      schema: snapshot.schema,
      segments: [{ file: files[0], rowGroups: [1] }, { file: files[2], rowGroups: [0] }],
      scorer,
      nullPolicy: 'error',
      onProgress: (n) => progress.push(n),
    })) {
      batches.push(b);
    }
    assert.deepEqual(progress, [8928, 28928]);
    assert.deepEqual(batches.map((b) => [b.userIds.length, b.skipped]), [[8928, 0], [20000, 0]]);
    assert.equal(batches[0].userIds[0], 131073n);
    assert.equal(batches[0].userIds[8927], 140000n);
    assert.equal(batches[1].userIds[0], 280001n);
    assert.equal(batches[1].userIds[19999], 300000n);

    // Against the float64 logistic of the model file, on the rows as the Delta reader returns them.
    const reference = readLogistic(modelFile);
    let i = 0;
    for await (const rows of readDataFile(table, files[2], { schema: snapshot.schema })) {
      for (let r = 0; r < rows.numRows; r++, i++) {
        const row: Record<string, unknown> = {};
        for (const f of FEATURE_NAMES) row[f] = rows.columns[f][r];
        assert.ok(Math.abs(batches[1].probabilities[i] - logistic(reference, row)) < 1e-12);
      }
    }
    assert.equal(i, 20000);
  });

  it('a missing Silver column is a non-retryable error naming the column and the table', async () => {
    const snapshot = await openTable(table);
    const modelFile = await writeLogisticModel(path.join(dir, 'tier.onnx'), { features: ['sessions_30d', 'loyalty_tier'] });
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
    const unit = scoreUnit({ silverTablePath: table, schema: snapshot.schema, segments: [{ file: snapshot.files()[0], rowGroups: [0] }], scorer, nullPolicy: 'error' });
    await assert.rejects(unit.next(), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'SilverMissingColumn');
      assert.equal(e.retryable, false);
      assert.equal(
        e.message,
        `Silver table ${table} has no column "loyalty_tier" (needed by model tier version ${scorer.pinned.version}); ` +
          `its columns: user_id, ${FEATURE_NAMES.join(', ')}, snapshot_date`,
      );
      return true;
    });
  });

  it('a non-numeric feature column is refused, naming its type', async () => {
    const snapshot = await openTable(table);
    const modelFile = await writeLogisticModel(path.join(dir, 'date.onnx'), { features: ['sessions_30d', 'snapshot_date'] });
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
    const unit = scoreUnit({ silverTablePath: table, schema: snapshot.schema, segments: [], scorer, nullPolicy: 'error' });
    await assert.rejects(unit.next(), {
      name: 'SilverColumnType',
      message: `column "snapshot_date" of Silver table ${table} has type date; features must be numeric or boolean (model date version ${scorer.pinned.version})`,
    });
  });

  /** A one-file Delta table of two features (an int and a double) and a logistic model over them. */
  async function twoFeatureUnit(name: string, sessions: (number | null)[], discount: number[]) {
    const t = path.join(dir, name);
    const schema: StructType = {
      type: 'struct',
      fields: [
        { name: 'user_id', type: 'long', nullable: false, metadata: {} },
        { name: 'sessions_30d', type: 'integer', nullable: true, metadata: {} },
        { name: 'discount_usage_rate', type: 'double', nullable: true, metadata: {} },
        { name: 'snapshot_date', type: 'date', nullable: false, metadata: {} },
      ],
    };
    const userIds = sessions.map((_, i) => BigInt(11 + i));
    const add = await writeDataFile(t, {
      schema,
      partitionColumns: ['snapshot_date'],
      partitionValues: { snapshot_date: date },
      batch: { numRows: sessions.length, columns: { user_id: userIds, sessions_30d: sessions, discount_usage_rate: discount } },
    });
    await replacePartition(t, { snapshot_date: date }, [add], { createWith: { schema, partitionColumns: ['snapshot_date'] } });
    const snapshot = await openTable(t);
    const file = snapshot.files()[0];
    const modelFile = await writeLogisticModel(path.join(dir, `${name}.onnx`), {
      features: ['sessions_30d', 'discount_usage_rate'],
      weights: [0.1, 2],
      intercept: -1,
      imputeValues: [4, 0.5],
    });
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
    const unit = (nullPolicy: 'error' | 'impute' | 'skip') =>
      scoreUnit({ silverTablePath: t, schema: snapshot.schema, segments: [{ file, rowGroups: [0] }], scorer, nullPolicy });
    return { source: `${t}/${file.path}`, unit };
  }
  const p = (s: number, d: number) => 1 / (1 + Math.exp(-(-1 + 0.1 * s + 2 * d)));

  it('nulls and NaN read from a real Delta file follow the null policy, naming feature, user and file', async () => {
    const { source, unit } = await twoFeatureUnit('with-nulls', [3, null, 5, 6], [0.5, 0.25, NaN, 0.75]);
    await assert.rejects(unit('error').next(), {
      name: 'FeatureNotFinite',
      message: `feature sessions_30d is null for user_id 12 in ${source} (null policy "error"; use "impute" or "skip" to score anyway)`,
    });
    const skipped = (await unit('skip').next()).value!;
    assert.deepEqual([Array.from(skipped.userIds), skipped.skipped], [[11n, 14n], 2]);
    const imputed = (await unit('impute').next()).value!;
    assert.deepEqual(Array.from(imputed.userIds), [11n, 12n, 13n, 14n]);
    [p(3, 0.5), p(4, 0.25), p(5, 0.5), p(6, 0.75)].forEach((e, i) => assert.ok(Math.abs(imputed.probabilities[i] - e) < 1e-12, `row ${i}`));
  });

  it('+Infinity and -Infinity read from a real Delta file are treated like NaN under every null policy', async () => {
    const { source, unit } = await twoFeatureUnit('with-infinity', [3, 4, 5, 6], [0.5, Infinity, 0.25, -Infinity]);
    await assert.rejects(unit('error').next(), {
      name: 'FeatureNotFinite',
      message: `feature discount_usage_rate is Infinity for user_id 12 in ${source} (null policy "error"; use "impute" or "skip" to score anyway)`,
    });
    const skipped = (await unit('skip').next()).value!;
    assert.deepEqual([Array.from(skipped.userIds), skipped.skipped], [[11n, 13n], 2]);
    [p(3, 0.5), p(5, 0.25)].forEach((e, i) => assert.ok(Math.abs(skipped.probabilities[i] - e) < 1e-12, `kept row ${i}`));
    const imputed = (await unit('impute').next()).value!;
    assert.deepEqual(Array.from(imputed.userIds), [11n, 12n, 13n, 14n]);
    [p(3, 0.5), p(4, 0.5), p(5, 0.25), p(6, 0.5)].forEach((e, i) => assert.ok(Math.abs(imputed.probabilities[i] - e) < 1e-12, `row ${i}`));
    assert.ok(imputed.probabilities.every((x: number) => x > 0 && x < 1));
  });

  it('-Infinity alone fails under "error", naming the value', async () => {
    const { source, unit } = await twoFeatureUnit('with-minus-infinity', [3, 4], [0.5, -Infinity]);
    await assert.rejects(unit('error').next(), {
      name: 'FeatureNotFinite',
      message: `feature discount_usage_rate is -Infinity for user_id 12 in ${source} (null policy "error"; use "impute" or "skip" to score anyway)`,
    });
  });
});
