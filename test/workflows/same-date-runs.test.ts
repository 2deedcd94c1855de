/**
 * Same-date runs (docs/decisions/same-date-runs.md): the run that STARTED later wins. Two scoreUsers workflows of
 * one date on a real Temporal server, whose older run is held back until the newer one has published (the Gold
 * commits on their own: test/pipeline/same-date-runs.test.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { activityDeps } from '../../workers/activity-deps';
import { openTable } from '../../delta';
import { DataLayout, TASK_QUEUE } from '../../config';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { runIds } from '../support/tables';
import { PipelineServer, startPipelineServer, workflowBundle } from '../support/temporal';

const DAY = '2026-11-23';

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
