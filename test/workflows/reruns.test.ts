/**
 * Re-runs of a date that was already scored, the ways users start them, on a real dev server: `batch-score run
 * --wait` twice (the same workflow id score-users-D each time), a start with that id from a client as the Temporal
 * Web UI does, a schedule trigger (its own workflow id, the same date), and a backfill over the date (a child
 * score-users-D again). Each must REPLACE the date's partition in both Gold tables: a new version, every row
 * carrying the new run's id, one committed file per unit, goldCommitSkipped false. A re-run that came back
 * "skipped" (its txn {appId, version} taken for one already committed) would leave the old predictions in place.
 * Run twice: on local tables, and with the tables and model in a MinIO bucket (test/support/lake.ts).
 */
import * as assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable } from '../../delta';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { Lake, LAKE_KINDS, makeLake } from '../support/lake';
import { batchScore } from '../support/processes';
import { partitionRows } from '../support/tables';
import { latestScheduledRun, RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const USERS = 3_000;
const UNIT_ROWS = 1_000;
// Today (UTC): a schedule trigger scores the date of the moment it is triggered.
const DAY = new Date().toISOString().slice(0, 10);
const RULE = { fraction: 0.2, minProbability: 0.1 };
const RUN_OPTIONS = ['--unit-rows', String(UNIT_ROWS), '--top-fraction', String(RULE.fraction), '--min-probability', String(RULE.minProbability)];

for (const kind of LAKE_KINDS) describe(`re-runs of an already-scored date replace its partition (${kind} tables)`, function () {
  this.timeout(kind === 's3' ? 15 * 60_000 : 120_000); // the first S3 test run builds MinIO (minutes)
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let lake: Lake;
  let cli: NodeJS.ProcessEnv;
  let options: string[];
  let previous: ScoreUsersResult;

  before(async function () {
    lake = await makeLake(kind, 'reruns', [{ users: USERS, seed: 5, snapshotDate: DAY, fileRows: UNIT_ROWS }]);
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: lake.dir, allowedRoots: lake.allowedRoots });
    cli = { TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: lake.dir, ...lake.env };
    options = [...RUN_OPTIONS, ...lake.cliOptions];
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    await lake?.stop();
  });

  /** The run's result replaced the date in both Gold tables, and nothing has been committed since. */
  async function assertReplaced(result: ScoreUsersResult, how: string): Promise<void> {
    const partition = { score_date: DAY };
    assert.equal(result.scoreDate, DAY, how);
    assert.equal(result.goldCommitSkipped, false, `${how}: the Gold commit was skipped`);
    assert.equal(result.rowsScored, USERS, how);
    if (previous) {
      assert.notEqual(result.runId, previous.runId, how);
      assert.equal(result.goldVersion, previous.goldVersion + 1, `${how}: a new Gold version`);
      assert.equal(result.topBuyersVersion, previous.topBuyersVersion + 1, `${how}: a new top_buyers version`);
    }
    const gold = await openTable(lake.gold);
    assert.equal(gold.version, result.goldVersion, how);
    assert.equal(gold.files(partition).length, result.units, `${how}: one committed file per unit`);
    const rows = await partitionRows(lake.gold, partition, { columns: ['user_id', 'run_id'] });
    assert.equal(rows.length, USERS, how);
    assert.equal(new Set(rows.map((r) => r.user_id)).size, USERS, how);
    assert.deepEqual([...new Set(rows.map((r) => r.run_id))], [result.runId], `${how}: every row is the new run's`);

    const top = await openTable(lake.topBuyers);
    assert.equal(top.version, result.topBuyersVersion, how);
    const buyers = await partitionRows(lake.topBuyers, partition, { columns: ['rank', 'run_id'] });
    assert.ok(result.topBuyers.count > 0, `${how}: the rule picks a real list`);
    assert.equal(buyers.length, result.topBuyers.count, how);
    assert.deepEqual([...new Set(buyers.map((r) => r.run_id))], [result.runId], `${how}: top_buyers is the new run's`);
    previous = result;
  }

  it('batch-score run --wait, twice: the second run (same workflow id) replaces the first', async function () {
    const run = async () => JSON.parse(await batchScore(['run', '--date', DAY, '--wait', '--json', ...options], cli)) as ScoreUsersResult;
    const first = await run();
    assert.equal(first.workflowId, `score-users-${DAY}`);
    assert.equal(first.units, USERS / UNIT_ROWS);
    await assertReplaced(first, 'first run');
    const second = await run();
    assert.equal(second.workflowId, first.workflowId);
    await assertReplaced(second, 'CLI re-run');
  });

  it('a start with workflow id score-users-D from a client (as the Web UI does) replaces it', async function () {
    const result = (await env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}`,
      args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, topBuyers: RULE, ...lake.input }],
    })) as ScoreUsersResult;
    await assertReplaced(result, 'Web UI start');
  });

  it('a triggered schedule run of the date replaces it', async function () {
    await batchScore(['schedule', 'create', '--id', 'reruns-weekly', ...options], cli);
    await batchScore(['schedule', 'trigger', '--id', 'reruns-weekly'], cli);
    const workflowId = await latestScheduledRun(env.client, 'reruns-weekly');
    assert.notEqual(workflowId, `score-users-${DAY}`, 'a schedule run has its own workflow id');
    const result = (await env.client.workflow.getHandle(workflowId).result()) as ScoreUsersResult;
    await env.client.schedule.getHandle('reruns-weekly').delete();
    await assertReplaced(result, 'schedule trigger');
  });

  it('a backfill over the date (child score-users-D) replaces it', async function () {
    const [dated] = JSON.parse(await batchScore(['backfill', '--from', DAY, '--to', DAY, '--wait', '--json', ...options], cli));
    assert.equal(dated.workflowId, `score-users-${DAY}`);
    const result = (await env.client.workflow.getHandle(dated.workflowId).result()) as ScoreUsersResult;
    assert.equal(result.goldVersion, dated.goldVersion);
    await assertReplaced(result, 'backfill');
  });

  it('a reset of the last run (Web UI "Reset" to its first workflow task) replaces it', async function () {
    const last = env.client.workflow.getHandle(`score-users-${DAY}`);
    const events = (await last.fetchHistory()).events ?? [];
    const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const { runId } = await env.client.workflowService.resetWorkflowExecution({
      namespace: env.namespace ?? 'default', workflowExecution: { workflowId: `score-users-${DAY}`, runId: previous.runId },
      reason: 'test: re-run by reset', workflowTaskFinishEventId: firstTask.eventId, requestId: `reset-${Date.now()}`,
    });
    const result = (await env.client.workflow.getHandle(`score-users-${DAY}`, runId!).result()) as ScoreUsersResult;
    assert.equal(result.runId, runId);
    await assertReplaced(result, 'reset');
  });
});
