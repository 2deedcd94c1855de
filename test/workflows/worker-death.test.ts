/**
 * A scoring worker process killed (SIGKILL) while it is scoring a unit: after the heartbeat timeout (30 s, the
 * product's) the unit runs again on another worker, the units the dead worker finished are not redone, and every
 * user is in Gold exactly once, and the top buyers merged from the units' candidates (read back from the history
 * and the staged candidate files) are exactly the brute-force list. A run cancelled mid-scoring publishes nothing.
 * Workers here are real `batch-score worker --role scoring` processes, as on other machines. `batch-score`
 * restarts itself in a child process (cli/launch.ts): the process killed is that child, the one Temporal saw
 * start the unit (its identity, pid@host, is in the worker's banner), never the launcher.
 * Run twice: on local tables, and with Silver, Gold and the model in a MinIO bucket, every worker with its own
 * data folder (test/support/lake.ts).
 */
import * as assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { decodeTimeoutType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable, scanTable, storeFor } from '../../delta';
import type { ScoreUsersProgress, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { DEFAULT_TOP_BUYERS_RULE } from '../../pipeline/top-buyers-rule';
import { expectedTopBuyers } from '../support/reference';
import { partitionRows } from '../support/tables';
import { Lake, LAKE_KINDS, makeLake } from '../support/lake';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';
import { startWorkerProcess, WorkerProcess } from '../support/worker-process';

const USERS = 120_000;
const UNIT_ROWS = 10_000;
const DAY = '2026-11-23';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STARTED = 2; // PendingActivityState.PENDING_ACTIVITY_STATE_STARTED: an attempt is running on a worker

/**
 * Freezes the worker (SIGSTOP) until one of its units is seen running on the server, then kills it (SIGKILL):
 * frozen, it cannot finish the unit between the look and the kill. Returns the activity id of that unit.
 */
async function killWhileScoring(handle: WorkflowHandle, worker: WorkerProcess): Promise<string> {
  for (;;) {
    process.kill(worker.pid, 'SIGSTOP');
    await sleep(500); // a completion sent just before the stop reaches the server first
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    const running = pending.find((a) => a.activityType?.name === 'scoreUnit' && a.state === STARTED && a.lastWorkerIdentity === worker.identity);
    if (running) {
      process.kill(worker.pid, 'SIGKILL');
      return running.activityId!;
    }
    process.kill(worker.pid, 'SIGCONT');
    await sleep(100);
  }
}

for (const kind of LAKE_KINDS) describe(`a scoring worker dies halfway (${kind} tables)`, function () {
  this.timeout(kind === 's3' ? 15 * 60_000 : 180_000); // the first S3 test run builds MinIO (minutes)
  let env: TestWorkflowEnvironment;
  let orchestration: RunningWorkers;
  let lake: Lake;
  const workers: WorkerProcess[] = [];
  const scoringWorker = async () => {
    const w = await startWorkerProcess({ address: env.address, dataDir: lake.workerDataDir(), role: 'scoring', env: lake.env });
    workers.push(w);
    return w;
  };

  before(async function () {
    lake = await makeLake(kind, 'death', [{ users: USERS, seed: 11, snapshotDate: DAY, fileRows: UNIT_ROWS }]);
    env = await startLocalServer();
    orchestration = await startWorkers(env, { dataDir: lake.dir, role: 'orchestration', allowedRoots: lake.allowedRoots });
  });

  after(async function () {
    for (const w of workers) w.kill();
    await orchestration?.stop();
    await env?.teardown();
    await lake?.stop();
  });

  it('the unit being scored is retried on another worker after the heartbeat timeout; finished units are not redone', async function () {
    const first = await scoringWorker();
    assert.notEqual(first.pid, first.launcher.pid, 'the scoring process is the launcher\'s child');
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, maxParallel: 2, ...lake.input }],
    });
    let progress: ScoreUsersProgress;
    do {
      await sleep(50);
      progress = await handle.query<ScoreUsersProgress>('progress');
    } while (progress.unitsDone < 2);
    const killedUnit = await killWhileScoring(handle, first);
    const doneBeforeKill = (await handle.query<ScoreUsersProgress>('progress')).unitsDone;
    assert.ok(doneBeforeKill < USERS / UNIT_ROWS, 'the worker must die before the run ends');

    const second = await scoringWorker();
    const result = (await handle.result()) as ScoreUsersResult;

    // Every user exactly once, in one committed file per unit.
    assert.equal(result.units, USERS / UNIT_ROWS);
    assert.equal(result.rowsScored, USERS);
    const gold = await openTable(lake.gold);
    assert.equal(gold.files({ score_date: DAY }).length, result.units);
    const ids = new Set<bigint>();
    let rows = 0;
    for await (const batch of scanTable(gold, { columns: ['user_id'], partition: { score_date: DAY } })) {
      for (let i = 0; i < batch.numRows; i++) ids.add(BigInt((batch.columns.user_id as ArrayLike<bigint>)[i]));
      rows += batch.numRows;
    }
    assert.equal(rows, USERS);
    assert.equal(ids.size, USERS);

    // The top buyers, merged from the candidates of the units both workers finished, are the brute-force list.
    const scored = (await partitionRows(lake.gold, { score_date: DAY }, { version: result.goldVersion, columns: ['user_id', 'purchase_probability'] }))
      .map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) }));
    const expected = expectedTopBuyers(scored, DEFAULT_TOP_BUYERS_RULE);
    const published = (await partitionRows(lake.topBuyers, { score_date: DAY }, { version: result.topBuyersVersion }))
      .sort((a, b) => Number(a.rank) - Number(b.rank))
      .map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) }));
    assert.ok(expected.length > 0);
    assert.deepEqual(published, expected);
    assert.deepEqual((await storeFor(lake.topBuyers).listKeys(`score_date=${DAY}/`)).filter((k) => k.endsWith('.top-candidates.parquet')), []);

    // History: one scheduled scoreUnit per unit, each with the attempt that finished it.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = new Map(events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit')
      .map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!.activityId!]));
    assert.equal(scheduled.size, result.units);
    const started = events
      .filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
      .map((e) => ({ ...e.activityTaskStartedEventAttributes!, activityId: scheduled.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId)) }));
    assert.equal(started.length, result.units);
    // Exactly one unit ran twice: the one the dead worker was scoring, finished by the second worker after the
    // first attempt's heartbeat timed out.
    const retried = started.filter((s) => (s.attempt ?? 1) > 1);
    assert.equal(retried.length, 1, `attempts: ${started.map((s) => s.attempt).join(',')}`);
    assert.equal(retried[0].attempt, 2);
    assert.equal(retried[0].activityId, killedUnit);
    assert.equal(retried[0].identity, second.identity);
    assert.notEqual(retried[0].identity, first.identity);
    assert.equal(decodeTimeoutType(retried[0].lastFailure?.timeoutFailureInfo?.timeoutType), 'HEARTBEAT');
    // The units the first worker finished before dying were not run again: each finished on its first attempt there.
    const byFirst = started.filter((s) => s.identity === first.identity);
    assert.equal(byFirst.length, doneBeforeKill);
    assert.ok(byFirst.every((s) => s.attempt === 1));
    assert.equal(started.filter((s) => s.identity === second.identity).length, result.units - doneBeforeKill);
  });

  it('a run cancelled while scoring stops its units and leaves Gold exactly as it was', async function () {
    const before = await openTable(lake.gold);
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-cancelled`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, maxParallel: 1, ...lake.input }],
    });
    let progress: ScoreUsersProgress;
    do {
      await new Promise((r) => setTimeout(r, 50));
      progress = await handle.query<ScoreUsersProgress>('progress');
    } while (progress.unitsDone < 1);
    await handle.cancel();
    await assert.rejects(handle.result(), (err: Error) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    const events = (await handle.fetchHistory()).events ?? [];
    assert.ok(!events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'commitGold'), 'nothing was committed');
    const after = await openTable(lake.gold);
    assert.equal(after.version, before.version);
    assert.deepEqual(after.files().map((f) => f.path).sort(), before.files().map((f) => f.path).sort());
  });
});
