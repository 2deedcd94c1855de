/**
 * A run of any size (issue 11): 20,000 units of one user each, scored in shards (child workflows of 1,000 units)
 * on a real Temporal dev server, published in one Gold commit: exactly one Gold row per user, every history under
 * Temporal's warning levels (10,240 events, 10 MB) and every payload under 256 KB. Then a sharded run that fails
 * in its second shard leaves Gold exactly as it was, with nothing of the run left in the Gold folder; and a run
 * whose workers all go away after its first shard resumes on new workers without running that shard again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable, scanTable } from '../../delta';
import { dataLayout, DataLayout, TASK_QUEUE, UNITS_PER_SHARD } from '../../config';
import { generateSilver, trainDemoModel } from '../../demo';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const DAY = '2026-11-23';
const TRAIN_DAY = '2026-11-16';
const USERS = 20_000;
const MAX_EVENTS = 10_240;
const MAX_HISTORY_BYTES = 10 * 1024 * 1024;
const MAX_PAYLOAD_BYTES = 256 * 1024;

/** Bytes of the payloads an event carries (inputs, results, failures' details), wherever they sit in it. */
function payloadBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return value.length;
  let n = 0;
  for (const v of Object.values(value)) n += payloadBytes(v);
  return n;
}

describe('a run of 20,000 units, in shards', function () {
  this.timeout(30 * 60_000);
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let dir: string;
  let data: DataLayout;

  const start = (input: ScoreUsersInput, workflowId: string) =>
    env.client.workflow.start('scoreUsers', { taskQueue: TASK_QUEUE, workflowId, args: [input] });

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-shards-'));
    data = dataLayout(dir);
    // One user a row group, so that unitRows 1 cuts one unit per user; files of 100 row groups, so that each unit
    // parses a small footer.
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 11, snapshotDate: DAY, fileRows: 100, rowGroupRows: 1 });
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: 2_000, seed: 12, snapshotDate: TRAIN_DAY });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: TRAIN_DAY, registryDir: data.models });
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: dir, concurrency: 16 });
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scores every unit and publishes exactly one Gold row per user in one commit, every history and payload within Temporal\'s limits', async function () {
    const handle = await start({ scoreDate: DAY, unitRows: 1, maxParallel: 16 }, `score-users-${DAY}-shards`);
    const result = (await handle.result()) as ScoreUsersResult;
    assert.equal(result.units, USERS);
    assert.equal(result.rowsScored, USERS);

    // One commit after the table's creation, one file per unit, each user exactly once.
    assert.equal(result.goldVersion, 1);
    const gold = await openTable(data.goldPredictions, { version: result.goldVersion });
    assert.equal(gold.files({ score_date: DAY }).length, USERS);
    const seen = new Uint8Array(USERS + 1);
    for await (const b of scanTable(gold, { columns: ['user_id'], partition: { score_date: DAY } })) {
      for (const id of Array.from(b.columns.user_id as ArrayLike<bigint>, Number)) seen[id]++;
    }
    assert.deepEqual([...new Set(seen.subarray(1))], [1], 'every user id 1..20,000 exactly once');
    assert.equal(fs.existsSync(path.join(data.goldPredictions, '_batch_score')), false, 'the run removed its manifest');

    // The parent and its 20 shards: every history and every payload under Temporal's warning levels.
    const shards = Math.ceil(USERS / UNITS_PER_SHARD);
    const parentEvents = (await handle.fetchHistory()).events ?? [];
    const started = parentEvents.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    assert.equal(started.length, shards, 'one child workflow per shard, none started twice');
    const workflows = [handle, ...started.map((e) => env.client.workflow.getHandle(e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!))];
    let unitsScheduled = 0;
    for (const w of workflows) {
      const info = (await w.describe()).raw.workflowExecutionInfo!;
      assert.ok(Number(info.historyLength) < MAX_EVENTS, `${w.workflowId}: ${info.historyLength} events`);
      assert.ok(Number(info.historySizeBytes) < MAX_HISTORY_BYTES, `${w.workflowId}: ${info.historySizeBytes} bytes of history`);
      const events = (await w.fetchHistory()).events ?? [];
      const largest = Math.max(...events.map(payloadBytes));
      assert.ok(largest < MAX_PAYLOAD_BYTES, `${w.workflowId}: an event carries ${largest} bytes of payloads`);
      unitsScheduled += events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit').length;
    }
    assert.equal(unitsScheduled, USERS, 'each unit scheduled once');
  });

  it('a shard that fails fails the run, and Gold stays exactly as it was with nothing of the run left behind', async function () {
    const before = await openTable(data.goldPredictions);
    const folderBefore = fs.readdirSync(path.join(data.goldPredictions, `score_date=${DAY}`)).sort();
    // 2,500 units: shard 0 scores users 1..1,000; then the model file goes, and shard 1 fails on its first unit.
    const handle = await start({ scoreDate: DAY, unitRows: 8, maxParallel: 4, modelUri: 'models:/purchase_propensity@champion' }, `score-users-${DAY}-shard-fails`);
    const blobs = path.join(data.models, 'blobs', 'sha256');
    const moved = path.join(dir, 'moved-blobs');
    for (;;) {
      const progress = await handle.query<{ shards?: { done: number } }>('progress').catch(() => undefined);
      if ((progress?.shards?.done ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    fs.renameSync(blobs, moved);
    try {
      await assert.rejects(handle.result(), (err: Error) => {
        assert.ok(err instanceof WorkflowFailedError);
        let root: Error & { type?: string } = err;
        while (root.cause instanceof Error) root = root.cause;
        assert.equal(root.type, 'ModelFileMissing', root.message);
        return true;
      });
    } finally {
      fs.renameSync(moved, blobs);
    }
    const after = await openTable(data.goldPredictions);
    assert.equal(after.version, before.version, 'no commit');
    assert.deepEqual(fs.readdirSync(path.join(data.goldPredictions, `score_date=${DAY}`)).sort(), folderBefore, 'no staged file left');
    assert.equal(fs.existsSync(path.join(data.goldPredictions, '_batch_score')), false, 'no manifest left');
  });

  it('resumes on new workers after every worker went away: the finished shard is not run again, each user once', async function () {
    // 1,053 units of 19 users: two shards.
    const handle = await start({ scoreDate: DAY, unitRows: 19, maxParallel: 8 }, `score-users-${DAY}-resumed`);
    for (;;) {
      const progress = await handle.query<{ shards?: { done: number } }>('progress').catch(() => undefined);
      if ((progress?.shards?.done ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await workers.stop(); // no worker left: the run waits on the server
    workers = await startWorkers(env, { dataDir: dir, concurrency: 16 });
    const result = (await handle.result()) as ScoreUsersResult;
    assert.equal(result.units, Math.ceil(USERS / 19));
    assert.equal(result.rowsScored, USERS);
    const gold = await openTable(data.goldPredictions, { version: result.goldVersion });
    let rows = 0;
    for await (const b of scanTable(gold, { columns: ['user_id'], partition: { score_date: DAY } })) rows += b.numRows;
    assert.equal(rows, USERS);
    // The parent started each shard once; the first shard's units each ran once, on their first attempt.
    const started = ((await handle.fetchHistory()).events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    assert.equal(started.length, 2);
    const first = env.client.workflow.getHandle(started[0].startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!);
    const attempts = ((await first.fetchHistory()).events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
    assert.equal(attempts.length, UNITS_PER_SHARD);
    assert.ok(attempts.every((a) => a === 1));
  });
});
