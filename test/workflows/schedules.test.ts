/**
 * Weekly schedules and backfills on a real dev server: a scheduled run scores the date of its scheduled time
 * (TemporalScheduledStartTime, also for a catch-up of a past week), and backfillScores scores a range of past
 * dates as one scoreUsers child per date.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { dataLayout, DataLayout } from '../../config';
import type { BackfillDateResult } from '../../workflows/backfill-scores';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { batchScore } from '../support/processes';
import { latestScheduledRun, RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const MONDAYS = ['2026-11-02', '2026-11-09', '2026-11-16'];
const USERS = [1_000, 1_200, 1_400];

describe('schedules and backfills', function () {
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let dir: string;
  let data: DataLayout;

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-schedules-'));
    data = dataLayout(dir);
    for (const [i, day] of MONDAYS.entries()) {
      await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS[i], seed: i, snapshotDate: day });
    }
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: MONDAYS[0], registryDir: data.models });
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: dir });
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backfillScores scores every date of the range as its own scoreUsers run', async function () {
    const results = (await env.client.workflow.execute('backfillScores', {
      taskQueue: TASK_QUEUE, workflowId: 'backfill-test', args: [{ from: MONDAYS[0], to: MONDAYS[2], everyDays: 7, maxConcurrent: 2 }],
    })) as BackfillDateResult[];
    assert.deepEqual(results.map((r) => [r.scoreDate, r.workflowId, r.rowsScored]), MONDAYS.map((d, i) => [d, `score-users-${d}`, USERS[i]]));
    const gold = await openTable(data.goldPredictions);
    for (const [i, day] of MONDAYS.entries()) assert.equal(gold.numRecords({ score_date: day }), USERS[i]);
    const child = await env.client.workflow.getHandle(`score-users-${MONDAYS[1]}`).describe();
    assert.equal(child.status.name, 'COMPLETED');
  });

  it('a scheduled run (here a catch-up of a past Monday) scores the date of its scheduled time', async function () {
    const temporal = { TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir };
    await batchScore(['schedule', 'create', '--id', 'weekly-test', '--cron', '0 6 * * MON', '--top-fraction', '0.2'], temporal);
    const handle = env.client.schedule.getHandle('weekly-test');
    await handle.backfill([{ start: new Date('2026-11-09T05:59:00Z'), end: new Date('2026-11-09T06:01:00Z'), overlap: ScheduleOverlapPolicy.ALLOW_ALL }]);
    const workflowId = await latestScheduledRun(env.client, 'weekly-test');
    const result = (await env.client.workflow.getHandle(workflowId).result()) as ScoreUsersResult;
    assert.equal(result.scoreDate, '2026-11-09');
    assert.equal(result.rowsScored, USERS[1]);
    assert.match(await batchScore(['schedule', 'describe', '--id', 'weekly-test', '--json'], temporal), /"workflowId":"score-users-2026-11-09T06:00:00Z"/);
    await batchScore(['schedule', 'delete', '--id', 'weekly-test'], temporal);
    await assert.rejects(handle.describe());
  });
});
