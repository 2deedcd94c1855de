/**
 * A workflow's progress while a command waits for it (`run --wait`, `status --watch`): its `progress` query
 * polled every second and shown by cli/progress.ts. One place that knows what each workflow reports, so the
 * commands agree:
 *
 *   scoreUsers       stage; while scoring, units done of the run's units. A sharded run's own count holds only
 *                    its finished shards: the shard scoring now (a child workflow) answers for its units
 *   backfillScores   dates done of the backfill's dates, and the dates running now
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { BackfillProgress } from '../workflows/backfill-scores';
import type { ScoreShardProgress } from '../workflows/score-shard';
import type { ScoreUsersProgress } from '../workflows/score-users';
import { EXIT } from './exit-codes';
import { progressOn } from './progress';
import { noWorkerLine, unpolledQueues } from './worker-presence';

const POLL_MS = 1000;
/** Silence (no progress answer) after which the task queues' pollers are looked at. */
const NO_ANSWER_MS = 5000;

/** The progress query's answer, with a sharded run's running shard counted in; undefined when nobody answers. */
export async function queryProgress(client: Client, handle: WorkflowHandle, type: string): Promise<ScoreUsersProgress | BackfillProgress | undefined> {
  const progress = await handle.query<ScoreUsersProgress | BackfillProgress>('progress').catch(() => undefined);
  if (!progress || type === 'backfillScores') return progress;
  return withRunningShard(client, progress as ScoreUsersProgress);
}

/**
 * A sharded run counts the units of its finished shards; the one scoring now (a child workflow) answers for its
 * own, so the sum is every unit scored so far.
 */
async function withRunningShard(client: Client, progress: ScoreUsersProgress): Promise<ScoreUsersProgress> {
  const running = progress.shards?.running;
  if (!running) return progress;
  const shard = await client.workflow.getHandle(running).query<ScoreShardProgress>('shardProgress').catch(() => undefined);
  if (!shard) return progress;
  return { ...progress, unitsDone: progress.unitsDone + shard.unitsDone, rowsScored: progress.rowsScored + shard.rowsScored };
}

/**
 * Shows the workflow's progress (a bar on a terminal, `progress ...` lines otherwise, at most one a second while
 * counts move) until `until` settles, and returns what it settled with. The progress is cleared (terminal) or
 * stops (lines) before the caller prints the result. When nothing answers for a few seconds and no worker polls
 * the workflow's task queue (`taskQueue`, default batch-score) or the scoring queue, it says so on stderr, once.
 */
export async function followProgress<T>(client: Client, handle: WorkflowHandle, type: string, until: Promise<T>, taskQueue?: string): Promise<T> {
  const progress = progressOn(handle.workflowId, process.stderr, POLL_MS - 200); // a line a poll while counts move
  let answered = false;
  const silent = setTimeout(async () => {
    // Nothing answered the progress query: say so when no worker polls the run's queues (once).
    const unpolled = answered ? [] : await unpolledQueues(client, taskQueue).catch(() => []);
    if (unpolled.length > 0 && !answered) process.stderr.write(`batch-score: ${noWorkerLine(unpolled)}\n`);
  }, NO_ANSWER_MS);
  const show = async () => {
    const p = await queryProgress(client, handle, type);
    if (!p) return; // not answering yet (no worker), or ended: the result says what happened
    answered = true;
    if ('datesTotal' in p) {
      progress.update(p.running.length ? `running ${p.running.join(', ')}` : 'between dates', p.datesDone, p.datesTotal, 'dates');
    } else if (p.stage === 'scoring') {
      progress.update(`scoring${shardNote(p)}`, p.unitsDone, p.unitsTotal, 'units');
    } else {
      progress.update(p.stage, 0, 0, '');
    }
  };
  let polling = show();
  const poll = setInterval(() => {
    polling = polling.then(show); // one poll at a time: a slow answer is not overtaken by a later one
  }, POLL_MS);
  try {
    return await until;
  } finally {
    clearInterval(poll);
    clearTimeout(silent);
    progress.end();
  }
}

/** ` (shard k of n)` for a sharded run, else nothing. */
function shardNote(progress: ScoreUsersProgress): string {
  return progress.shards ? ` (shard ${Math.min(progress.shards.done + 1, progress.shards.total)} of ${progress.shards.total})` : '';
}

/** `status`'s line for a running scoreUsers run. */
export function runProgressLine(progress: ScoreUsersProgress): string {
  return `stage ${progress.stage}; units ${progress.unitsDone}/${progress.unitsTotal}${shardNote(progress)}; rows ${progress.rowsScored}/${progress.rowsTotal}` +
    (progress.goldVersion !== undefined ? `; gold version ${progress.goldVersion}` : '');
}

/** `status`'s line for a running backfill. */
export function backfillProgressLine(progress: BackfillProgress): string {
  return `dates ${progress.datesDone}/${progress.datesTotal} done` + (progress.running.length ? `; running ${progress.running.join(', ')}` : '');
}

/**
 * Ctrl-C while a command waits for a workflow (`run --wait`, `backfill --wait`, `status --watch`): the workflow is
 * the server's and keeps running, so say so and how to follow or stop it, and exit 130.
 */
export function onCtrlCWhileWaiting(verb: string, workflowId: string): void {
  const stopWaiting = () => {
    process.stderr.write(
      `\nbatch-score ${verb}: stopped waiting; ${workflowId} keeps running on the server: follow it with ` +
        `batch-score status ${workflowId} --watch, or cancel it in the Temporal Web UI (temporal workflow cancel --workflow-id ${workflowId})\n`,
    );
    process.exit(EXIT.interrupted);
  };
  process.once('SIGINT', stopWaiting);
}
