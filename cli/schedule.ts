/**
 * `batch-score schedule`: the weekly run as a Temporal Schedule. Each scheduled run scores the date of its
 * scheduled time (search attribute TemporalScheduledStartTime), so catch-ups score the dates they stand for.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { TASK_QUEUE } from '../config';
import { parseCommand, str } from './args';
import { connectClient } from './connection';
import { RUN_OPTIONS, runInput } from './run';
import { usageError } from './exit-codes';

export const DEFAULT_SCHEDULE_ID = 'score-users-weekly';
/** Mondays 06:00: the marketing team's list is ready at the start of the week. */
export const DEFAULT_CRON = '0 6 * * MON';

const HELP = `
Usage: batch-score schedule <create|describe|pause|unpause|trigger|delete> [--id ID] [options]

  create     [--cron "0 6 * * MON"] [--timezone UTC] [run options: --model, --silver, --top-fraction, ...]
             a Schedule starting scoreUsers (workflow id score-users-<scheduled time>); overlapping runs are
             skipped, missed runs within a day are caught up
  describe   the schedule's spec, state and recent and next runs
  pause | unpause [--note TEXT]
  trigger    start a run now
  delete
  --id ID    schedule id (default ${DEFAULT_SCHEDULE_ID})
  --json     print JSON (describe)
`;

export async function scheduleCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    ...RUN_OPTIONS, id: { type: 'string' }, cron: { type: 'string' }, timezone: { type: 'string' }, note: { type: 'string' },
    json: { type: 'boolean' },
  }, args);
  if (!p) return 0;
  const [action] = p.positionals;
  const scheduleId = str(p, 'id') ?? DEFAULT_SCHEDULE_ID;
  const { client, close } = await connectClient();
  try {
    const handle = client.schedule.getHandle(scheduleId);
    switch (action) {
      case 'create': {
        if (p.values.date !== undefined) throw usageError('a schedule scores the date of each scheduled time: drop --date');
        const input = runInput(p);
        await client.schedule.create({
          scheduleId,
          spec: { cronExpressions: [str(p, 'cron') ?? DEFAULT_CRON], timezone: str(p, 'timezone') ?? 'UTC' },
          action: { type: 'startWorkflow', workflowType: 'scoreUsers', taskQueue: TASK_QUEUE, workflowId: 'score-users', args: [input] },
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
        });
        console.log(`created schedule ${scheduleId}`);
        // What the first run needs: its date's Silver snapshot, which no Temporal activity builds yet.
        const [next] = (await handle.describe()).info.nextActionTimes;
        if (next) {
          const nextDate = next.toISOString().slice(0, 10); // the date a run scores: its scheduled time's UTC date
          console.log(`next run ${next.toISOString()} (scores ${nextDate})`);
          console.log(`each run scores the Silver snapshot of its date: build it first (batch-score features --date ${nextDate})`);
        }
        return 0;
      }
      case 'describe': {
        const d = await handle.describe();
        const view = {
          scheduleId, paused: d.state.paused, note: d.state.note, spec: d.spec,
          recentRuns: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt, workflowId: a.action.workflow.workflowId })),
          nextRuns: d.info.nextActionTimes.slice(0, 5),
        };
        console.log(p.values.json ? JSON.stringify(view) : JSON.stringify(view, null, 2));
        return 0;
      }
      case 'pause':
        await handle.pause(str(p, 'note'));
        return 0;
      case 'unpause':
        await handle.unpause(str(p, 'note'));
        return 0;
      case 'trigger':
        await handle.trigger();
        return 0;
      case 'delete':
        await handle.delete();
        return 0;
      default:
        throw usageError(`schedule needs an action: create, describe, pause, unpause, trigger or delete (got ${JSON.stringify(action ?? '')})`);
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule ${scheduleId}; create it with: batch-score schedule create`);
    throw err;
  } finally {
    await close();
  }
}
