/**
 * One scoring unit end to end below Temporal (pipeline/score-unit.ts): the unit planned from a real Silver table
 * is read, scored and staged as ONE Gold file holding exactly the unit's users with their scores; a cancelled
 * unit stops and stages nothing.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { dataFileRowGroups, readDataFile, StructType } from '../../delta';
import { FEATURE_NAMES, generateSilver } from '../../demo';
import { PREDICTIONS_SCHEMA } from '../../pipeline/gold-schemas';
import { scoreAndStageUnit, UnitScoringRequest } from '../../pipeline/score-unit';
import { planUnits, SilverPlan } from '../../pipeline/silver-plan';
import { resolveModel } from '../../registry';
import { loadScorer, Scorer } from '../../scoring';
import { tempDir, writeLogisticModel } from '../registry/helpers';
import { logistic, readLogistic } from '../support/reference';

const DAY = '2026-11-23';

async function columnOf(table: string, file: Parameters<typeof readDataFile>[1], schema: StructType, column: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const b of readDataFile(table, file, { schema, columns: [column] })) values.push(...Array.from(b.columns[column] as ArrayLike<unknown>));
  return values;
}

describe('pipeline: scoreAndStageUnit', function () {
  let dir: string;
  let plan: SilverPlan;
  let scorer: Scorer;
  let modelFile: string;
  const request = (gold: string, unit = 1): UnitScoringRequest => ({
    silverTable: plan.silverTable, silverSchema: plan.silverSchema, unit: plan.units[unit], scorer, nullPolicy: 'error',
    goldTable: gold, scoreDate: DAY, runId: 'run-1', attempt: 2, threshold: 0.5,
  });

  before(async function () {
    dir = await tempDir('score-unit');
    const silver = path.join(dir, 'silver');
    await generateSilver({ tablePath: silver, labelsPath: path.join(dir, 'labels'), users: 3_000, seed: 4, snapshotDate: DAY, fileRows: 1_000 });
    plan = await planUnits({ silverTable: silver, scoreDate: DAY, unitRows: 1_500 });
    modelFile = await writeLogisticModel(path.join(dir, 'lr.onnx'), { features: FEATURE_NAMES });
    scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('stages one Gold file of the attempt holding exactly the unit\'s users and their scores, reporting progress', async function () {
    assert.ok(plan.units.length >= 2 && plan.units[1].segments.length >= 1);
    const gold = path.join(dir, 'gold');
    const progress: number[] = [];
    const result = await scoreAndStageUnit({ ...request(gold), onProgress: (n) => progress.push(n) });
    const unit = plan.units[1];
    assert.equal(result.unitIndex, 1);
    assert.equal(result.rows, unit.rows);
    assert.equal(result.skipped, 0);
    assert.equal(progress.at(-1), unit.rows);
    assert.match(result.add.path, /^score_date=2026-11-23\/part-00001-run-1-attempt-2\.c000\.parquet$/);
    assert.equal((await dataFileRowGroups(gold, result.add)).reduce((a, b) => a + b, 0), unit.rows);
    assert.equal(JSON.parse(result.add.stats ?? '{}').numRecords, unit.rows);

    // The staged users are the unit's users in segment order, each with the logistic of its own features.
    const expectedIds: unknown[] = [];
    const expectedProbabilities: number[] = [];
    const weights = readLogistic(modelFile);
    for (const segment of unit.segments) {
      for await (const b of readDataFile(plan.silverTable, segment.file, { schema: plan.silverSchema, rowGroups: segment.rowGroups })) {
        for (let i = 0; i < b.numRows; i++) {
          const row = Object.fromEntries(Object.entries(b.columns).map(([k, v]) => [k, (v as ArrayLike<unknown>)[i]]));
          expectedIds.push(row.user_id);
          expectedProbabilities.push(logistic(weights, row));
        }
      }
    }
    assert.deepEqual(await columnOf(gold, result.add, PREDICTIONS_SCHEMA, 'user_id'), expectedIds);
    const probabilities = (await columnOf(gold, result.add, PREDICTIONS_SCHEMA, 'purchase_probability')) as number[];
    probabilities.forEach((p, i) => assert.ok(Math.abs(p - expectedProbabilities[i]) < 1e-6, `row ${i}: ${p} vs ${expectedProbabilities[i]}`));
  });

  it('a cancelled unit stops with the signal\'s reason and stages nothing', async function () {
    const gold = path.join(dir, 'gold-cancelled');
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    controller.abort(reason);
    await assert.rejects(scoreAndStageUnit({ ...request(gold, 0), signal: controller.signal }), (err) => err === reason);
    await assert.rejects(fs.access(gold), { code: 'ENOENT' });
  });
});
