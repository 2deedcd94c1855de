/** `batch-score backfill`: score a range of past dates, one scoreUsers child per date (workflow backfillScores). */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { BackfillDateResult, BackfillScoresInput } from '../workflows/backfill-scores';
import { TASK_QUEUE } from '../config';
import { date, days, noPositionals, num, parseCommand, positiveInt } from './args';
import { connectClient } from './connection';
import { usageError } from './exit-codes';
import { outcome, reportFailedRun } from './failure';
import { onCtrlCWhileWaiting } from './follow-progress';
import { RUN_OPTIONS, runInput } from './run';
import { printBackfillSummary } from './summary';

const HELP = `
Usage: batch-score backfill --from YYYY-MM-DD --to YYYY-MM-DD [--every 7d] [--max-concurrent N] [run options]

Start workflow backfillScores (id backfill-<from>-<to>): a scoreUsers run (id score-users-<date>) for every
date from --from to --to, --every days apart (default 7d), --max-concurrent dates at once (default 1).
Takes the options of batch-score run (--model, --silver, --gold, --top-fraction, ...), plus --wait and --json.
With --wait, it prints its workflow id first (stderr; batch-score status ID follows it), and a failed date prints
the root cause (its run, code, message, activity, attempt) and exits 1.
`;

export async function backfillCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    ...RUN_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, every: { type: 'string' },
    'max-concurrent': { type: 'string' }, wait: { type: 'boolean' }, json: { type: 'boolean' },
  }, args);
  if (!p) return 0;
  noPositionals(p, 'backfill');
  const from = date(p, 'from');
  const to = date(p, 'to');
  if (!from || !to) throw usageError('backfill needs --from and --to (YYYY-MM-DD)');
  if (p.values.date !== undefined) throw usageError('backfill takes --from and --to, not --date');
  const input: BackfillScoresInput = { ...runInput(p), from, to, everyDays: days(p, 'every', 7), maxConcurrent: num(p, 'max-concurrent', positiveInt) };
  if (input.maxConcurrent === undefined) delete input.maxConcurrent;
  const workflowId = `backfill-${from}-${to}`;
  const { client, close } = await connectClient();
  try {
    const handle = await client.workflow.start('backfillScores', { taskQueue: TASK_QUEUE, workflowId, args: [input] });
    if (!p.values.wait) {
      console.log(p.values.json ? JSON.stringify({ workflowId, runId: handle.firstExecutionRunId }) : `started ${workflowId}`);
      return 0;
    }
    // Its id first, on stderr as run --wait's progress lines: `status` follows it from another shell while this
    // waits; --json keeps stderr empty for programs (the id is in the JSON of a failure).
    if (!p.values.json) console.error(`started ${workflowId} (run ${handle.firstExecutionRunId}); follow it with: batch-score status ${workflowId}`);
    onCtrlCWhileWaiting('backfill', workflowId);
    const done = await outcome(handle.result() as Promise<BackfillDateResult[]>, { workflowId, runId: handle.firstExecutionRunId });
    if ('failed' in done) return reportFailedRun('backfill', done.failed, !!p.values.json);
    if (p.values.json) console.log(JSON.stringify(done.result));
    else printBackfillSummary(done.result);
    return 0;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new Error(`${workflowId} is already running`);
    throw err;
  } finally {
    await close();
  }
}
