/**
 * The whole pipeline on a real Temporal dev server: 20,000 Silver users scored by the scoreUsers workflow into
 * real Delta tables, checked against independent references (float64 logistic from the ONNX initializers, a
 * brute-force top-buyers rule, Python delta-rs reading the same tables).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { openTable, replacePartition, scanTable, writeDataFile } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { resolveModel } from '../../registry';
import { dataLayout, DataLayout } from '../../config';
import { scoreReport } from '../../pipeline/score-report';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { batchScore, jsonLines, python } from '../support/processes';
import { expectedTopBuyers, logistic, readLogistic, Scored } from '../support/reference';
import { RunningWorkers, startLocalServer, startWorkers, workflowBundle } from '../support/temporal';

const USERS = 20_000;
const DAY = '2026-11-23';
const OTHER_DAY = '2026-11-16';

async function tableRows(table: string, partition?: Record<string, string>, version?: number): Promise<Record<string, unknown>[]> {
  const snapshot = await openTable(table, version === undefined ? undefined : { version });
  const rows: Record<string, unknown>[] = [];
  for await (const batch of scanTable(snapshot, { partition })) {
    const cols = Object.entries(batch.columns) as [string, ArrayLike<unknown>][];
    for (let i = 0; i < batch.numRows; i++) rows.push(Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
  }
  return rows;
}

describe('scoreUsers on a real Temporal server', function () {
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let dir: string;
  let data: DataLayout;

  const score = (input: ScoreUsersInput) =>
    env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${input.scoreDate}-${Math.random().toString(36).slice(2, 8)}`, args: [input],
    }) as Promise<ScoreUsersResult>;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-pipeline-'));
    data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 7, snapshotDate: DAY, fileRows: 2_500 });
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: 5_000, seed: 8, snapshotDate: OTHER_DAY, fileRows: 2_500 });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: dir, concurrency: 2 });
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let first: ScoreUsersResult;
  let gold: Record<string, unknown>[];

  it('writes exactly one Gold row per Silver user of the date, in one commit', async function () {
    first = await score({ scoreDate: DAY, unitRows: 3_000, maxParallel: 4, topBuyers: { fraction: 0.05, minProbability: 0.2 } });
    const silverIds = (await tableRows(data.silverFeatures, { snapshot_date: DAY })).map((r) => Number(r.user_id)).sort((a, b) => a - b);
    gold = await tableRows(data.goldPredictions, { score_date: DAY }, first.goldVersion);
    const goldIds = gold.map((r) => Number(r.user_id)).sort((a, b) => a - b);
    assert.equal(silverIds.length, USERS);
    assert.equal(first.rowsScored, USERS);
    assert.ok(first.units > 1, `expected several units, got ${first.units}`);
    assert.deepEqual(goldIds, silverIds);
    // The Gold table was created (version 0) and the predictions landed in the single next commit.
    assert.equal(first.goldVersion, 1);
    const snapshot = await openTable(data.goldPredictions, { version: first.goldVersion });
    assert.equal(snapshot.files({ score_date: DAY }).length, first.units);
    for (const row of gold) {
      assert.equal(row.model_name, 'purchase_propensity');
      assert.equal(row.model_version, first.model.version);
      assert.equal(row.run_id, first.runId);
      assert.equal(row.score_date, DAY);
    }
  });

  it('scores every user with the logistic function of the model weights (float64 reference, 1e-6)', async function () {
    const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir: data.models });
    const w = readLogistic(pinned.localPath);
    const silver = new Map((await tableRows(data.silverFeatures, { snapshot_date: DAY })).map((r) => [Number(r.user_id), r]));
    let worst = 0;
    for (const row of gold) {
      const expected = logistic(w, silver.get(Number(row.user_id))!);
      worst = Math.max(worst, Math.abs(Number(row.purchase_probability) - expected));
      assert.equal(row.predicted_buyer, Number(row.purchase_probability) >= 0.5);
    }
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
  });

  it('publishes exactly the top buyers the rule picks, in rank order', async function () {
    const rule = { fraction: 0.05, minProbability: 0.2 };
    const expected = expectedTopBuyers(gold.map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) })), rule);
    assert.ok(expected.length > 10, `the rule should pick a real list, got ${expected.length}`);
    const top = (await tableRows(data.goldTopBuyers, { score_date: DAY })).sort((a, b) => Number(a.rank) - Number(b.rank));
    assert.deepEqual(
      top.map((r) => [Number(r.rank), Number(r.user_id), Number(r.purchase_probability)]),
      expected.map((r: Scored, i) => [i + 1, r.user_id, r.purchase_probability]),
    );
    assert.equal(first.topBuyers.count, expected.length);
  });

  it('re-running a date replaces its partition and leaves other dates untouched', async function () {
    const other = await score({ scoreDate: OTHER_DAY, unitRows: 2_000 });
    assert.equal(other.rowsScored, 5_000);
    const otherFiles = (await openTable(data.goldPredictions)).files({ score_date: OTHER_DAY }).map((f) => f.path).sort();
    const otherRows = await tableRows(data.goldPredictions, { score_date: OTHER_DAY });

    const again = await score({ scoreDate: DAY, unitRows: 7_000 });
    assert.equal(again.goldVersion, other.goldVersion + 1);
    const latest = await openTable(data.goldPredictions);
    const dayRows = await tableRows(data.goldPredictions, { score_date: DAY });
    assert.equal(dayRows.length, USERS);
    assert.equal(new Set(dayRows.map((r) => r.user_id)).size, USERS);
    assert.ok(dayRows.every((r) => r.run_id === again.runId));
    assert.deepEqual(latest.files({ score_date: OTHER_DAY }).map((f) => f.path).sort(), otherFiles);
    assert.deepEqual(await tableRows(data.goldPredictions, { score_date: OTHER_DAY }), otherRows);
    assert.equal(latest.numRecords(), USERS + 5_000);
  });

  it('reports the date: users, predicted buyers, probability bands and lineage from the Gold commit', async function () {
    const report = await scoreReport(data.goldPredictions, DAY, { silverTable: data.silverFeatures, labelsTable: data.silverLabels });
    const rows = await tableRows(data.goldPredictions, { score_date: DAY });
    assert.equal(report.users, USERS);
    assert.equal(report.predictedBuyers, rows.filter((r) => Number(r.purchase_probability) >= 0.5).length);
    assert.equal(report.bands.reduce((n, b) => n + b.users, 0), USERS);
    assert.equal(report.bands[49].users, rows.filter((r) => Number(r.purchase_probability) >= 0.98).length);
    assert.equal(report.lineage.length, 1);
    const [lineage] = report.lineage;
    assert.equal(lineage.runId, rows[0].run_id);
    assert.equal(lineage.model?.sha256, first.model.sha256);
    assert.equal(lineage.silver?.version, first.silverVersion);
    assert.equal(lineage.goldVersion, report.goldVersion);
    // The run records its model's features: the report's drift compares those columns.
    const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir: data.models });
    assert.deepEqual(lineage.features, pinned.features);
    assert.equal(report.drift.previousDate, OTHER_DAY);
    assert.equal(report.drift.featuresFrom, 'model');
    assert.deepEqual(report.drift.features.map((f) => f.name), pinned.features);
    assert.equal(report.labels.available, true);
    const out = path.join(dir, 'report.html');
    await batchScore(['report', '--date', DAY, '--data-dir', dir, '--out', out]);
    assert.match(fs.readFileSync(out, 'utf8'), new RegExp(`${USERS} users scored`));
  });

  it('fails a run whose Silver table lacks a model feature, naming it, and leaves Gold as it was', async function () {
    const before = await openTable(data.goldPredictions);
    const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir: data.models });
    const missing = pinned.features[3];
    // A Silver table like the real one, minus one feature column.
    const broken = path.join(dir, 'silver', 'broken_features');
    const source = await openTable(data.silverFeatures);
    const schema = { type: 'struct' as const, fields: source.schema.fields.filter((f) => f.name !== missing) };
    const rows = await tableRows(data.silverFeatures, { snapshot_date: OTHER_DAY });
    const columns = Object.fromEntries(schema.fields.filter((f) => f.name !== 'snapshot_date').map((f) => [f.name, rows.map((r) => r[f.name])]));
    const add = await writeDataFile(broken, { schema, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: OTHER_DAY }, batch: { numRows: rows.length, columns } });
    await replacePartition(broken, { snapshot_date: OTHER_DAY }, [add], { createWith: { schema, partitionColumns: ['snapshot_date'] } });

    await assert.rejects(score({ scoreDate: OTHER_DAY, silverTable: broken }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      // workflow failure → activity failure → the non-retryable application failure raised by the scorer
      let cause = err.cause as (Error & { type?: string; nonRetryable?: boolean }) | undefined;
      while (cause && cause.type !== 'SilverMissingColumn') cause = cause.cause as typeof cause;
      assert.ok(cause, `no MissingColumnError in the failure chain of ${err.message}`);
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, new RegExp(`Silver table ${broken} has no column "${missing}"`));
      return true;
    });
    const after = await openTable(data.goldPredictions);
    assert.equal(after.version, before.version);
    assert.deepEqual(after.files().map((f) => f.path).sort(), before.files().map((f) => f.path).sort());
  });

  it('replays its recorded history deterministically', async function () {
    const history = await env.client.workflow.getHandle(first.workflowId, first.runId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history);
  });

  it('Python delta-rs reads both Gold tables with the same rows as `batch-score delta read`', async function () {
    for (const table of [data.goldPredictions, data.goldTopBuyers]) {
      const ours = jsonLines(await batchScore(['delta', 'read', table, '--json']));
      const theirs = jsonLines(await python('delta/read_table.py', [table]));
      const key = (r: Record<string, unknown>) => JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k]]));
      assert.equal(ours.length, theirs.length, table);
      assert.ok(ours.length > 0);
      assert.deepEqual(ours.map(key).sort(), theirs.map(key).sort(), table);
    }
  });
});
