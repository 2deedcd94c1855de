/**
 * A backfill does not starve a run started beside it (docs/decisions/concurrent-runs.md): a backfill gives its
 * runs at most 4 units in flight, so the weekly run's units queue behind at most those, and the run finishes
 * before the backfill. Checked from both histories on a real server with few scoring slots (2), where a
 * backfill taking a run's default 8 would keep 6 units queued ahead of the run's.
 */
import * as assert from 'node:assert/strict';
import { WorkflowHandle } from '@temporalio/client';
import { BACKFILL_DEFAULTS, TASK_QUEUE } from '../../config';
import type { BackfillProgress } from '../../workflows/backfill-scores';
import { PipelineServer, startPipelineServer } from '../support/temporal';

const DATES = ['2026-11-02', '2026-11-09', '2026-11-16'];
const WEEKLY = '2026-11-23';
const USERS = 6_000;
const UNIT_ROWS = 500; // 12 units a date

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];
const seconds = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;

/** Each scoreUnit of a run: when it was scheduled and when its last attempt started. */
async function unitTimes(handle: WorkflowHandle): Promise<{ scheduled: number; started: number }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map(events
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit')
    .map((e) => [String(e.eventId), seconds(e)]));
  return events
    .filter((e) => scheduled.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((e) => ({ scheduled: scheduled.get(String(e.activityTaskStartedEventAttributes!.scheduledEventId))!, started: seconds(e) }));
}

describe('a backfill and a run side by side', function () {
  this.timeout(10 * 60_000);
  let server: PipelineServer;

  before(async function () {
    server = await startPipelineServer('concurrent', [WEEKLY, ...DATES].map((snapshotDate, i) => ({ users: USERS, seed: 20 + i, snapshotDate, fileRows: UNIT_ROWS })), { concurrency: 2 });
  });

  after(async function () {
    await server?.stop();
  });

  it('the run\'s units wait behind at most the backfill\'s 4, and the run finishes first', async function () {
    const { client } = server.env;
    const backfill = await client.workflow.start('backfillScores', {
      taskQueue: TASK_QUEUE, workflowId: 'backfill-concurrent', args: [{ from: DATES[0], to: DATES[DATES.length - 1], everyDays: 7, unitRows: UNIT_ROWS }],
    });
    // Start the weekly run once the backfill's first date is scoring.
    for (;;) {
      const progress = await backfill.query<BackfillProgress>('progress').catch(() => undefined);
      if (progress?.running.length) {
        const child = client.workflow.getHandle(`score-users-${progress.running[0]}`);
        const stage = await child.query<{ stage: string }>('progress').catch(() => undefined);
        if (stage?.stage === 'scoring') break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const weekly = await client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${WEEKLY}`, args: [{ scoreDate: WEEKLY, unitRows: UNIT_ROWS }],
    });
    await weekly.result();
    const backfillRunning = (await backfill.describe()).status.name === 'RUNNING';
    await backfill.result();
    assert.ok(backfillRunning, 'the run finished while the backfill was still running');

    // When the run's first unit started, the backfill had at most 4 units scheduled and not yet started.
    const weeklyStart = Math.min(...(await unitTimes(weekly)).map((u) => u.started));
    const backfillUnits = (await Promise.all(DATES.map((d) => unitTimes(client.workflow.getHandle(`score-users-${d}`))))).flat();
    assert.equal(backfillUnits.length, DATES.length * USERS / UNIT_ROWS);
    const queuedAhead = backfillUnits.filter((u) => u.scheduled < weeklyStart && u.started > weeklyStart).length;
    assert.ok(queuedAhead <= BACKFILL_DEFAULTS.maxParallel, `${queuedAhead} backfill units were queued ahead of the run's first`);
    // and each backfill run kept at most 4 units scheduled at any moment
    for (const d of DATES) {
      const units = await unitTimes(client.workflow.getHandle(`score-users-${d}`));
      const most = Math.max(...units.map((u) => units.filter((o) => o.scheduled <= u.scheduled && o.started > u.scheduled).length));
      assert.ok(most <= BACKFILL_DEFAULTS.maxParallel, `${d}: ${most} units scheduled at once`);
    }
  });
});
