/**
 * Same-date runs (docs/decisions/same-date-runs.md): the run that STARTED later wins. First the Gold commits on
 * their own (real Delta tables, no server), then two scoreUsers workflows of one date on a real Temporal server
 * whose older run is held back until the newer one has published.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { activityDeps } from '../../workers/activity-deps';
import { openTable, scanTable, tableHistory } from '../../delta';
import type { DataLayout } from '../../config';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { commitTopBuyers } from '../../pipeline/gold-top-buyers';
import { BatchScoreError } from '../../errors/batch-score-error';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { PipelineServer, startPipelineServer, workflowBundle } from '../support/temporal';

const DAY = '2026-11-23';
const OTHER_DAY = '2026-11-16';
const MODEL = { uri: 'models:/m@champion', name: 'm', version: '3', sha256: 'ab'.repeat(32) };
const T0 = Date.parse('2026-11-23T06:00:00Z');

interface Run {
  workflowId: string;
  runId: string;
  start: number;
}

async function runIds(table: string, partition: Record<string, string>): Promise<Set<unknown>> {
  const ids = new Set<unknown>();
  for await (const b of scanTable(await openTable(table), { columns: ['run_id'], partition })) {
    for (let i = 0; i < b.numRows; i++) ids.add((b.columns.run_id as ArrayLike<unknown>)[i]);
  }
  return ids;
}

describe('same-date runs: the Gold commits', function () {
  let dir: string;
  let gold: string;
  let top: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-same-date-'));
    gold = path.join(dir, 'gold');
    top = path.join(dir, 'top');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function publish(run: Run, scoreDate = DAY) {
    const add = await stagePredictions({
      goldTable: gold, scoreDate, runId: run.runId, unitIndex: 0, attempt: 1, model: MODEL, scoredAt: new Date(run.start), threshold: 0.5,
      scored: { userIds: BigInt64Array.from([1n, 2n, 3n]), probabilities: Float64Array.from([0.1, 0.5, 0.9]) },
    });
    return commitPredictions({
      goldTable: gold, scoreDate, runId: run.runId, adds: [add], txn: { appId: run.workflowId, version: run.start },
      commitInfo: { batchScore: { workflowId: run.workflowId, runId: run.runId } },
    });
  }

  const older: Run = { workflowId: 'score-users-a', runId: 'run-a', start: T0 };
  const newer: Run = { workflowId: 'score-users-b', runId: 'run-b', start: T0 + 1000 };

  it('an older run committing after a newer one fails SupersededByNewerRun naming the newer run, and changes nothing', async function () {
    assert.deepEqual(await publish(newer), { version: 1, skipped: false });
    await assert.rejects(publish(older), (err: Error) => {
      assert.ok(err instanceof BatchScoreError);
      assert.equal(err.code, 'SupersededByNewerRun');
      assert.match(err.message, /score_date=2026-11-23 was published at version 1 by workflow score-users-b run run-b, which started later/);
      assert.match(err.message, /than this run \(workflow score-users-a run run-a/);
      return true;
    });
    assert.equal((await openTable(gold)).version, 1);
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-b']));
  });

  it('a newer run replaces an older one; the commit records the date and the run start', async function () {
    await publish(older);
    assert.deepEqual(await publish(newer), { version: 2, skipped: false });
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-b']));
    const [latest] = await tableHistory(gold, { limit: 1 });
    assert.deepEqual(latest.commitInfo.batchScore, { workflowId: 'score-users-b', runId: 'run-b', scoreDate: DAY, runStartTime: newer.start });
  });

  it('a re-run under the same workflow id (a new run, started later) replaces the partition; a retried commit is a no-op', async function () {
    await publish(older);
    const rerun: Run = { ...older, runId: 'run-a2', start: T0 + 5000 };
    assert.deepEqual(await publish(rerun), { version: 2, skipped: false });
    assert.deepEqual(await publish(rerun), { version: 2, skipped: true });
    // The first run's commit, retried after the re-run published, is a no-op too (its txn is behind).
    assert.deepEqual(await publish(older), { version: 2, skipped: true });
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-a2']));
  });

  it('another date published by a newer run does not stop an older run of this date', async function () {
    await publish(newer, OTHER_DAY);
    assert.deepEqual(await publish(older), { version: 2, skipped: false });
  });

  it('runs started in the same millisecond: the larger run id wins, whatever the commit order', async function () {
    const twin: Run = { workflowId: 'score-users-c', runId: 'run-c', start: older.start };
    await publish(twin);
    await assert.rejects(publish(older), (err: Error) => (err as BatchScoreError).code === 'SupersededByNewerRun' && /run run-c/.test(err.message));
  });

  it('racing commits of one date always leave the newer run published', async function () {
    const codes = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as BatchScoreError).code : 'committed');
    for (let round = 0; round < 6; round++) {
      const base = T0 + round * 10_000;
      const a: Run = { workflowId: `a-${round}`, runId: `run-a-${round}`, start: base };
      const b: Run = { workflowId: `b-${round}`, runId: `run-b-${round}`, start: base + 1 };
      const [ra, rb] = round % 2 ? await Promise.allSettled([publish(a), publish(b)]) : (await Promise.allSettled([publish(b), publish(a)])).reverse();
      // The older run either landed first or is superseded, even when it lost the race to the newer one's commit.
      assert.ok(['committed', 'SupersededByNewerRun'].includes(codes(ra)), `round ${round}: ${codes(ra)}`);
      // The newer run landed, or lost the race to the older one's commit: a retryable conflict its activity retries.
      assert.ok(['committed', 'ConcurrentModification'].includes(codes(rb)), `round ${round}: ${codes(rb)}`);
      if (rb.status === 'rejected') assert.equal((await publish(b)).skipped, false);
      assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set([b.runId]), `round ${round}`);
    }
  });

  it('top_buyers follows the same rule', async function () {
    const commit = (run: Run) => commitTopBuyers({
      topBuyersTable: top, scoreDate: DAY, runId: run.runId, model: MODEL, buyers: [{ userId: 7n, probability: 0.9 }],
      txn: { appId: run.workflowId, version: run.start }, commitInfo: {},
    });
    await commit(newer);
    await assert.rejects(commit(older), (err: Error) => (err as BatchScoreError).code === 'SupersededByNewerRun' && /workflow score-users-b run run-b/.test(err.message));
    assert.equal((await openTable(top)).version, 1);
    assert.deepEqual(await runIds(top, { score_date: DAY }), new Set(['run-b']));
  });
});

describe('same-date runs: two scoreUsers workflows on a real Temporal server', function () {
  const USERS = 3_000;
  const HELD_QUEUE = 'batch-score-held';
  let server: PipelineServer;
  let env: TestWorkflowEnvironment;
  let dir: string;
  let data: DataLayout;

  before(async function () {
    server = await startPipelineServer('same-date-server', [{ users: USERS, seed: 7, snapshotDate: DAY, fileRows: 1_000 }]);
    ({ env, dir, data } = server);
  });

  after(async function () {
    await server?.stop();
  });

  const start = (workflowId: string, input: unknown, taskQueue = TASK_QUEUE, workflow = 'scoreUsers') =>
    env.client.workflow.start(workflow, { taskQueue, workflowId, args: [input as ScoreUsersInput] });

  /** The failure at the root of a failed workflow: its type (the code) and message. */
  async function failure(result: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await result.then(() => assert.fail('the workflow succeeded'), (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    let cause: unknown = err.cause;
    while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
    assert.ok(cause instanceof ApplicationFailure, String(cause));
    return cause;
  }

  async function activitiesScheduled(workflowId: string): Promise<number> {
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length;
  }

  it('an invalid scoreUsers input fails the workflow with InvalidInput before any activity', async function () {
    const handle = await start(`bad-input-${Date.now()}`, { score_date: DAY, predictionThreshold: '0.5' });
    const f = await failure(handle.result());
    assert.equal(f.type, 'InvalidInput');
    assert.match(f.message, /unknown field score_date: did you mean scoreDate\?/);
    assert.match(f.message, /predictionThreshold must be a number between 0 and 1, got the string "0\.5"/);
    assert.equal(await activitiesScheduled(handle.workflowId), 0);
    assert.equal(fs.existsSync(data.goldPredictions), false);
  });

  it('scoreDate 2026-02-30 fails InvalidInput before any activity (today it would replace 2026-03-02)', async function () {
    const handle = await start(`bad-date-${Date.now()}`, { scoreDate: '2026-02-30' });
    const f = await failure(handle.result());
    assert.equal(f.type, 'InvalidInput');
    assert.match(f.message, /scoreDate must be a calendar date YYYY-MM-DD, got the string "2026-02-30"/);
    assert.equal(await activitiesScheduled(handle.workflowId), 0);
  });

  it('a backfill with a bad field fails InvalidInput before any child or activity', async function () {
    const handle = await start(`bad-backfill-${Date.now()}`, { from: DAY, to: DAY, every_days: 7 }, TASK_QUEUE, 'backfillScores');
    const f = await failure(handle.result());
    assert.equal(f.type, 'InvalidInput');
    assert.match(f.message, /unknown field every_days: did you mean everyDays\?/);
    const history = await handle.fetchHistory();
    assert.equal((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes || e.startChildWorkflowExecutionInitiatedEventAttributes).length, 0);
  });

  it('the run that started later wins: the earlier run, committing last, fails SupersededByNewerRun naming it', async function () {
    const input: ScoreUsersInput = { scoreDate: DAY, unitRows: 1_000, topBuyers: { fraction: 0.1, minProbability: 0 } };
    // A starts first, on a task queue no worker serves yet: its run start is fixed, its work waits.
    const a = await start(`same-date-a-${Date.now()}`, input, HELD_QUEUE);
    // B starts later and publishes both Gold tables.
    const b = await start(`same-date-b-${Date.now()}`, input);
    const bResult = (await b.result()) as ScoreUsersResult;
    assert.equal(bResult.rowsScored, USERS);
    const goldAfterB = (await openTable(data.goldPredictions)).version;
    const topAfterB = (await openTable(data.goldTopBuyers)).version;
    assert.equal(goldAfterB, bResult.goldVersion);

    // Now a worker serves A's queue: A resolves, plans, scores (on the shared scoring workers) and commits last.
    const { scoreUnit, ...steps } = createActivities(activityDeps({ dataDir: dir }));
    assert.ok(scoreUnit);
    const held = await Worker.create({ connection: env.nativeConnection, taskQueue: HELD_QUEUE, workflowBundle: await workflowBundle(), activities: steps });
    const f = await held.runUntil(failure(a.result()));
    assert.equal(f.type, 'SupersededByNewerRun');
    assert.match(f.message, new RegExp(`by workflow ${b.workflowId} run ${bResult.runId}, which started later`));
    assert.match(f.message, new RegExp(`than this run \\(workflow ${a.workflowId} run ${a.firstExecutionRunId}`));

    // A scored every unit, then changed no Gold table: B's predictions and top buyers stand.
    const history = await a.fetchHistory();
    const completed = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    assert.ok(completed >= 5, `A should have resolved, planned and scored its 3 units first, completed ${completed}`);
    assert.equal((await openTable(data.goldPredictions)).version, goldAfterB);
    assert.equal((await openTable(data.goldTopBuyers)).version, topAfterB);
    assert.deepEqual(await runIds(data.goldPredictions, { score_date: DAY }), new Set([bResult.runId]));
    assert.deepEqual(await runIds(data.goldTopBuyers, { score_date: DAY }), new Set([bResult.runId]));
  });
});
