/**
 * Silver checks and staged-file cleanup on a real Temporal dev server: an empty snapshot, duplicate user_ids and
 * a non-finite feature each fail the run with their code and a message naming table, date, users and files,
 * leave the Gold tables exactly as they were and leave no staged file behind; allowEmptySnapshot publishes
 * empty partitions on purpose.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ActivityFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { openTable, replacePartition, scanTable, writeDataFile } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { dataLayout, DataLayout } from '../../config';
import { planUnits } from '../../pipeline/silver-plan';
import type { ScoreUsersInput, ScoreUsersProgress, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const USERS = 3_000;
const DAY = '2026-11-23';

type Row = Record<string, unknown>;

describe('Silver checks and staged files on a real Temporal server', function () {
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let dir: string;
  let data: DataLayout;
  let silverRows: Row[];

  const score = (input: ScoreUsersInput) =>
    env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-${Math.random().toString(36).slice(2, 8)}`, args: [input],
    }) as Promise<ScoreUsersResult>;

  /** A Silver table like the real one whose partition D holds one data file per list of rows. */
  async function silverOf(name: string, files: Row[][]): Promise<{ table: string; paths: string[] }> {
    const table = path.join(dir, 'silver', name);
    const schema = (await openTable(data.silverFeatures)).schema;
    const dataFields = schema.fields.filter((f) => f.name !== 'snapshot_date');
    const adds = [];
    for (const rows of files) {
      const columns = Object.fromEntries(dataFields.map((f) => [f.name, rows.map((r) => r[f.name])]));
      adds.push(await writeDataFile(table, { schema, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: DAY }, batch: { numRows: rows.length, columns } }));
    }
    await replacePartition(table, { snapshot_date: DAY }, adds, { createWith: { schema, partitionColumns: ['snapshot_date'] } });
    return { table, paths: adds.map((a) => a.path) };
  }

  /** Version and files of both Gold tables, and the files in their partition folders (staged or not). */
  async function goldState() {
    const state: Record<string, unknown> = {};
    for (const table of [data.goldPredictions, data.goldTopBuyers]) {
      const snapshot = await openTable(table);
      state[table] = {
        version: snapshot.version,
        files: snapshot.files().map((f) => f.path).sort(),
        folder: fs.readdirSync(path.join(table, `score_date=${DAY}`)).sort(),
      };
    }
    return state;
  }

  /** The run fails with `code`; returns the message of the failure of that type. */
  async function failsWith(run: Promise<unknown>, code: string): Promise<string> {
    return (await failureOf(run, code)).message;
  }

  /** The run fails with `code`: that failure's message, and the activity that raised it. */
  async function failureOf(run: Promise<unknown>, code: string): Promise<{ message: string; activity?: string }> {
    let found: { message: string; activity?: string } = { message: '' };
    await assert.rejects(run, (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      let activity: string | undefined;
      let cause = err.cause as (Error & { type?: string; nonRetryable?: boolean }) | undefined;
      while (cause && cause.type !== code) {
        if (cause instanceof ActivityFailure) activity = cause.activityType;
        cause = cause.cause as typeof cause;
      }
      assert.ok(cause, `no ${code} in the failure chain of ${err.message}: ${(err.cause as Error | undefined)?.message}`);
      assert.equal(cause.nonRetryable, true);
      found = { message: cause.message, activity };
      return true;
    });
    return found;
  }

  /** user_id → probability of the date's Gold predictions. */
  async function goldScores(): Promise<Map<bigint, number>> {
    const scores = new Map<bigint, number>();
    for await (const batch of scanTable(await openTable(data.goldPredictions), { partition: { score_date: DAY } })) {
      const ids = batch.columns.user_id as ArrayLike<bigint>;
      const p = batch.columns.purchase_probability as ArrayLike<number>;
      for (let i = 0; i < batch.numRows; i++) scores.set(ids[i], p[i]);
    }
    return scores;
  }

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-silver-checks-'));
    data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 11, snapshotDate: DAY, fileRows: 1_000 });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
    silverRows = [];
    for await (const batch of scanTable(await openTable(data.silverFeatures), { partition: { snapshot_date: DAY } })) {
      const cols = Object.entries(batch.columns) as [string, ArrayLike<unknown>][];
      for (let i = 0; i < batch.numRows; i++) silverRows.push(Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
    }
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: dir, concurrency: 2 });
    // The date's Gold partitions, which every failed run below must leave exactly as they are.
    const first = await score({ scoreDate: DAY, unitRows: 1_000 });
    assert.equal(first.rowsScored, USERS);
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an empty snapshot fails with SilverEmptySnapshot naming table, version and date; Gold unchanged, nothing staged', async function () {
    const before = await goldState();
    const { table } = await silverOf('empty_features', [[]]);
    const message = await failsWith(score({ scoreDate: DAY, silverTable: table }), 'SilverEmptySnapshot');
    assert.equal(
      message,
      `Silver table ${table} (version 1), snapshot_date=${DAY}: 1 data file(s) but no rows (written empty, or every row deleted); ` +
        'scoring it would replace the Gold partition of that date with zero rows',
    );
    assert.deepEqual(await goldState(), before);
  });

  it('duplicate user_ids fail with SilverDuplicateUser: count, users and their files; Gold unchanged, nothing staged', async function () {
    const before = await goldState();
    // Users of file b appear in file a too; user 3's row is in a twice.
    const a = [...silverRows.slice(0, 1_500), silverRows[2]];
    const b = silverRows.slice(1_400, USERS);
    const { table, paths } = await silverOf('duplicate_features', [a, b]);
    const [first, second] = [...paths].sort();
    const { message, activity } = await failureOf(score({ scoreDate: DAY, silverTable: table, unitRows: 500 }), 'SilverDuplicateUser');
    assert.equal(activity, 'planUnits', 'overlapping files: the GROUP BY at planning, before any unit is scored');
    const ids = [Number(silverRows[2].user_id), ...silverRows.slice(1_400, 1_404).map((r) => Number(r.user_id))];
    assert.deepEqual(ids, [3, 1401, 1402, 1403, 1404]);
    assert.equal(
      message,
      `Silver table ${table} (version 1), snapshot_date=${DAY}: 101 user(s) have more than one row: user_id 3 (2 rows in ${paths[0]}); ` +
        ids.slice(1).map((id) => `user_id ${id} (2 rows in ${first}, ${second})`).join('; ') + '; and 96 more',
    );
    assert.deepEqual(await goldState(), before);
  });

  it('row groups with disjoint user_id ranges are checked by the units: same scores as the GROUP BY path', async function () {
    // The same rows twice: split by user_id (disjoint ranges) and by parity (overlapping ranges).
    const split = await silverOf('disjoint_features', [silverRows.slice(0, 1_500), silverRows.slice(1_500)]);
    const parity = await silverOf('overlapping_features', [0, 1].map((odd) => silverRows.filter((r) => Number(r.user_id) % 2 === odd)));
    const plans = await Promise.all([split, parity].map(({ table }) => planUnits({ silverTable: table, scoreDate: DAY, unitRows: 500 })));
    assert.deepEqual(plans.map((p) => p.duplicateCheck), ['units', 'plan']);
    const scores = [];
    for (const { table } of [split, parity]) {
      assert.equal((await score({ scoreDate: DAY, silverTable: table, unitRows: 500 })).rowsScored, USERS);
      scores.push(await goldScores());
    }
    assert.equal(scores[0].size, USERS);
    assert.deepEqual(scores[0], scores[1]);
  });

  it('a duplicate inside one row group of disjoint ranges fails its unit with SilverDuplicateUser (skipped row included); Gold unchanged, nothing staged', async function () {
    const before = await goldState();
    // File a: users 1..1500 and user 3 again (one row group, range 1..1500); file b: users 1501..3000. User 3's
    // second row has a null feature: skipped by the null policy, it is still a second row of the user in Silver.
    const again = { ...silverRows[2], discount_usage_rate: null };
    const { table, paths } = await silverOf('duplicate_in_row_group', [[...silverRows.slice(0, 1_500), again], silverRows.slice(1_500)]);
    assert.equal((await planUnits({ silverTable: table, scoreDate: DAY, unitRows: 500 })).duplicateCheck, 'units');
    const run = score({ scoreDate: DAY, silverTable: table, unitRows: 500, maxParallel: 2, nullPolicy: 'skip' });
    const { message, activity } = await failureOf(run, 'SilverDuplicateUser');
    assert.equal(activity, 'scoreUnit');
    assert.equal(message, `Silver table ${table} (version 1), snapshot_date=${DAY}: 1 user(s) have more than one row: user_id 3 (2 rows in ${paths[0]})`);
    assert.deepEqual(await goldState(), before);
  });

  it('a unit failing mid-run (Infinity under null policy error) cancels the others and leaves no staged file', async function () {
    const before = await goldState();
    const rows = silverRows.map((r) => ({ ...r }));
    rows[2_600].discount_usage_rate = Infinity;
    // Six files of 500 users; the last ones hold the bad row, so earlier units have staged files by then.
    const { table, paths } = await silverOf('infinite_features', Array.from({ length: 6 }, (_, i) => rows.slice(i * 500, (i + 1) * 500)));
    const message = await failsWith(score({ scoreDate: DAY, silverTable: table, unitRows: 500, maxParallel: 2 }), 'FeatureNotFinite');
    assert.equal(
      message,
      `feature discount_usage_rate is Infinity for user_id ${rows[2_600].user_id} in ${table}/${paths[5]} ` +
        '(null policy "error"; use "impute" or "skip" to score anyway)',
    );
    assert.deepEqual(await goldState(), before);
  });

  it('a run cancelled after some units staged their files removes them (cleanup not cancelled with the run)', async function () {
    const before = await goldState();
    // Thirty files of 100 users: thirty units, scored one at a time.
    const { table } = await silverOf('many_files', Array.from({ length: 30 }, (_, i) => silverRows.slice(i * 100, (i + 1) * 100)));
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-cancelled`, args: [{ scoreDate: DAY, silverTable: table, unitRows: 100, maxParallel: 1 }],
    });
    let progress: ScoreUsersProgress;
    do {
      await new Promise((r) => setTimeout(r, 20));
      progress = await handle.query<ScoreUsersProgress>('progress');
    } while (progress.unitsDone < 2);
    const staged = fs.readdirSync(path.join(data.goldPredictions, `score_date=${DAY}`)).filter((n) => n.includes(handle.firstExecutionRunId));
    assert.ok(staged.length >= 2, `units staged files before the cancel: ${staged.join(', ')}`);
    await handle.cancel();
    await assert.rejects(handle.result(), (err: Error) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'discardStaged'));
    assert.deepEqual(await goldState(), before);
  });

  it('allowEmptySnapshot: the empty date publishes empty Gold and top_buyers partitions', async function () {
    const { table } = await silverOf('empty_allowed', [[]]);
    const result = await score({ scoreDate: DAY, silverTable: table, allowEmptySnapshot: true });
    assert.equal(result.rowsScored, 0);
    assert.equal(result.units, 0);
    assert.equal(result.topBuyers.count, 0);
    for (const [table, version] of [[data.goldPredictions, result.goldVersion], [data.goldTopBuyers, result.topBuyersVersion]] as const) {
      const snapshot = await openTable(table);
      assert.equal(snapshot.version, version);
      assert.deepEqual(snapshot.files({ score_date: DAY }), []);
      assert.equal(snapshot.numRecords({ score_date: DAY }), 0);
    }
  });
});
