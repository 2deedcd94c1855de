/**
 * `batch-score status WORKFLOW_ID`: a run's state and then, by state, its progress (the workflow's `progress`
 * query), its result, or the root cause of its failure (cli/failure.ts). Knows both workflow types: a scoreUsers
 * run and a backfillScores backfill (whose result is one line per date).
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { BackfillDateResult, BackfillProgress } from '../workflows/backfill-scores';
import type { ScoreUsersProgress, ScoreUsersResult } from '../workflows/score-users';
import { parseCommand } from './args';
import { connectClient } from './connection';
import { CliError, EXIT, usageError } from './exit-codes';
import { failureLines, outcome, retryingActivities } from './failure';
import { backfillProgressLine, followProgress, onCtrlCWhileWaiting, queryProgress, runProgressLine } from './follow-progress';
import { printBackfillSummary, printRunSummary } from './summary';
import { noWorkerLine, unpolledQueues } from './worker-presence';

const HELP = `
Usage: batch-score status WORKFLOW_ID [--watch] [--json]

Show a run's status and progress (and the last failure of any activity waiting to be retried), its result once
completed, or why it failed (code, message, activity, attempt, what to do next), e.g. batch-score status score-users-2026-11-23. Also takes a backfill's id
(backfill-<from>-<to>). Exits 1 when the run failed, was cancelled, terminated or timed out.
  --watch   follow a running run until it ends, showing its progress on stderr (a bar on a terminal, else
            "progress ..." lines; units scored, across shards; a backfill's dates done; not with --json), then
            print what status prints for the ended run, with the same exit code
  --json    print JSON
`;
const ENDED = ['COMPLETED', 'FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT'];

export async function statusCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { json: { type: 'boolean' }, watch: { type: 'boolean' } }, args);
  if (!p) return 0;
  const [workflowId, extra] = p.positionals;
  if (!workflowId) throw usageError('status needs a workflow id, e.g. score-users-2026-11-23');
  if (extra !== undefined) throw usageError(`status takes one workflow id, got also ${JSON.stringify(extra)}`);
  const { client, close } = await connectClient();
  try {
    const describe = (runId?: string) => client.workflow.getHandle(workflowId, runId).describe().catch((err: unknown) => {
      if (err instanceof WorkflowNotFoundError) throw new CliError(`no workflow ${workflowId}`, EXIT.failed);
      throw err;
    });
    let description = await describe();
    if (p.values.watch && !ENDED.includes(description.status.name)) {
      // Until the run ends (however it ends: its result or failure is printed below, from its close event).
      const handle = client.workflow.getHandle(workflowId, description.runId);
      onCtrlCWhileWaiting('status', workflowId);
      const ended = handle.result().then(() => undefined, () => undefined);
      await (p.values.json ? ended : followProgress(client, handle, description.type, ended, description.taskQueue));
      description = await describe(description.runId); // the run watched, even if a newer one started since
    }
    const { runId, type } = description;
    const status = description.status.name;
    const handle = client.workflow.getHandle(workflowId, runId);
    const backfill = type === 'backfillScores';
    // An ended run reports its result or failure (from its close event); a running one answers the progress
    // query (a worker must be up for that).
    const done = ENDED.includes(status) ? await outcome(handle.result(), { workflowId, runId }) : undefined;
    const result = done && 'result' in done ? (done.result as ScoreUsersResult | BackfillDateResult[]) : undefined;
    const failure = done && 'failed' in done ? done.failed.failure : undefined;
    // Without a worker on the workflow queue the progress query would hang: say why the run does not move instead.
    // (A server that refuses DescribeTaskQueue, e.g. to a narrow API key, leaves the hint out, not the status.)
    const unpolled = done ? [] : await unpolledQueues(client, description.taskQueue).catch(() => []);
    const progress = done || unpolled.includes(description.taskQueue) ? undefined : await queryProgress(client, handle, type);
    const retrying = done ? undefined : retryingActivities(description.raw.pendingActivities, { workflowId, runId });

    if (p.values.json) {
      console.log(JSON.stringify({ workflowId, runId, type, status, progress, retrying, result, failure, ...(unpolled.length > 0 ? { unpolledTaskQueues: unpolled } : {}) }));
    } else {
      console.log(`${workflowId} (run ${runId}): ${status}`);
      if (failure) console.log(failureLines(failure).join('\n'));
      if (result) {
        if (backfill) printBackfillSummary(result as BackfillDateResult[]);
        else printRunSummary(result as ScoreUsersResult);
      }
      if (progress) console.log(backfill ? backfillProgressLine(progress as BackfillProgress) : runProgressLine(progress as ScoreUsersProgress));
      if (unpolled.length > 0) console.log(noWorkerLine(unpolled));
      for (const f of retrying ?? []) console.log(`retrying ${f.activity}, whose last attempt failed:\n${failureLines(f).join('\n')}`);
    }
    return failure ? EXIT.failed : EXIT.ok;
  } finally {
    await close();
  }
}
