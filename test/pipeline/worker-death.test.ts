/**
 * A scoring worker process killed (SIGKILL) in the middle of a run: the run still finishes with every user scored
 * exactly once, the units it had finished are not redone, and the retried unit leaves no second staged file.
 * A run cancelled mid-scoring publishes nothing.
 * Workers here are real `batch-score worker --role scoring` processes, as on other machines.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable, scanTable } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { dataLayout } from '../../cli/data-dir';
import type { ScoreUsersProgress, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../workflows/task-queues';
import { REPO_ROOT } from '../support/processes';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const USERS = 240_000;
const UNIT_ROWS = 20_000;
const DAY = '2026-11-23';

function scoringWorker(address: string, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--role', 'scoring', '--concurrency', '1'], {
    env: { ...process.env, TEMPORAL_ADDRESS: address, BATCH_SCORE_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('batch-score worker')) resolve(child); });
    child.once('exit', (code) => reject(new Error(`scoring worker exited early (${code})`)));
  });
}

describe('a scoring worker dies halfway', function () {
  let env: TestWorkflowEnvironment;
  let orchestration: RunningWorkers;
  let dir: string;
  const children: ChildProcess[] = [];

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-death-'));
    const data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 11, snapshotDate: DAY, fileRows: UNIT_ROWS });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
    env = await startLocalServer();
    orchestration = await startWorkers(env, { dataDir: dir, role: 'orchestration' });
  });

  after(async function () {
    for (const c of children) c.kill('SIGKILL');
    await orchestration?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finishes on another worker without redoing finished units or duplicating rows', async function () {
    const data = dataLayout(dir);
    children.push(await scoringWorker(env.address, dir));
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, maxParallel: 2 }],
    });
    let progress: ScoreUsersProgress;
    do {
      await new Promise((r) => setTimeout(r, 50));
      progress = await handle.query<ScoreUsersProgress>('progress');
    } while (progress.unitsDone < 3);
    children[0].kill('SIGKILL');
    const doneBeforeKill = progress.unitsDone;
    assert.ok(doneBeforeKill < USERS / UNIT_ROWS, 'the worker must die before the run ends');

    children.push(await scoringWorker(env.address, dir));
    const result = (await handle.result()) as ScoreUsersResult;

    assert.equal(result.rowsScored, USERS);
    const ids = new Set<bigint>();
    let rows = 0;
    for await (const batch of scanTable(await openTable(data.goldPredictions), { columns: ['user_id'], partition: { score_date: DAY } })) {
      for (let i = 0; i < batch.numRows; i++) ids.add(BigInt((batch.columns.user_id as ArrayLike<bigint>)[i]));
      rows += batch.numRows;
    }
    assert.equal(rows, USERS);
    assert.equal(ids.size, USERS);

    // History: one scheduled scoreUnit per unit; only units in flight on the dead worker ran a second attempt.
    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit');
    assert.equal(scheduled.length, result.units);
    const scheduledIds = new Set(scheduled.map((e) => String(e.eventId)));
    const attempts = events
      .filter((e) => scheduledIds.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
      .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    assert.equal(attempts.length, result.units);
    const retried = attempts.filter((a) => a > 1).length;
    // The dead worker scored one unit at a time (--concurrency 1): at most that one unit runs again.
    assert.ok(retried <= 1, `only the dead worker's in-flight unit may be retried, ${retried} were`);
    assert.ok(attempts.filter((a) => a === 1).length >= doneBeforeKill);

    // Exactly one staged file per unit in the partition folder: the retried unit rewrote its own file.
    const folder = path.join(data.goldPredictions, `score_date=${DAY}`);
    const parquet = fs.readdirSync(folder).filter((f) => f.endsWith('.parquet'));
    assert.equal(parquet.length, result.units);
  });

  it('a run cancelled while scoring stops its units and leaves Gold exactly as it was', async function () {
    const data = dataLayout(dir);
    const before = await openTable(data.goldPredictions);
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-cancelled`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, maxParallel: 1 }],
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
    const after = await openTable(data.goldPredictions);
    assert.equal(after.version, before.version);
    assert.deepEqual(after.files().map((f) => f.path).sort(), before.files().map((f) => f.path).sort());
  });
});
