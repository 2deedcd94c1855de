/** `batch-score run`: start a scoreUsers workflow for one date on the configured Temporal cluster. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ScoreUsersInput, ScoreUsersResult } from '../workflows/score-users';
import { RUN_DEFAULTS, TASK_QUEUE } from '../config';
import { date, integer, noPositionals, nonNegativeInt, num, parseCommand, positiveInt, str, todayUtc } from './args';
import { connectClient } from './connection';
import { outcome, reportFailedRun } from './failure';
import { followProgress, onCtrlCWhileWaiting } from './follow-progress';
import { printRunSummary } from './summary';

const HELP = `
Usage: batch-score run [--date YYYY-MM-DD] [options]

Start the scoreUsers workflow (id score-users-<date>) for one score date. Table paths default to the tables
under the workers' data root; a relative path is relative to that root, and a path outside it is refused
unless the workers allow it (BATCH_SCORE_ALLOWED_ROOTS). A table may be s3://bucket/prefix when the workers
allow that prefix (BATCH_SCORE_ALLOWED_ROOTS=s3://bucket/prefix); the workers reach the bucket with their own
AWS variables (AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, AWS_ENDPOINT_URL for MinIO).

  --date D               score date (default: today, UTC)
  --model URI            models:/NAME@ALIAS | models:/NAME/VERSION | models:/NAME/STAGE | FILE |
                         s3://BUCKET/KEY.onnx | s3://BUCKET/FOLDER (an MLflow model's files)
                         (default models:/purchase_propensity@champion)
  --features a,b,c       the model's ordered input columns (default: MLflow signature, else ONNX metadata)
  --output-name O        the model's probability output, when it has several
  --positive-column K    positive-class column of an [N, K] probability output (default 1)
  --silver T             Silver features table     --silver-version N   pin a Silver version
  --gold T               Gold predictions table    --top-buyers T       Gold top buyers table
                         (each T a path, or s3://BUCKET/PREFIX)
  --top-fraction F       top fraction of users (default 0.1)
  --min-probability P    minimum probability of a top buyer (default 0.8)
  --limit N              at most N top buyers
  --unit-rows N          rows per scoring unit (default ${RUN_DEFAULTS.unitRows}; a unit is whole Parquet row
                         groups, so never fewer rows than one row group)
  --max-parallel N       units scored at once (default 8)
  --null-policy P        error | impute | skip (default error)
  --wait                 wait for the result and print it, showing progress on stderr meanwhile (a bar on a
                         terminal, else "progress ..." lines; not with --json); a failed run prints its
                         cause and exits 1
  --json                 print JSON ({status, failure: {code, message, activity, attempt, hint, ...}} on failure)
`;

/** The workflow input from run options (shared by run, schedule and backfill). */
export function runInput(p: NonNullable<ReturnType<typeof parseCommand>>, scoreDate?: string): ScoreUsersInput {
  const topBuyers = {
    fraction: num(p, 'top-fraction'),
    minProbability: num(p, 'min-probability'),
    limit: num(p, 'limit', integer),
  };
  const input: ScoreUsersInput = {
    scoreDate,
    modelUri: str(p, 'model'),
    features: str(p, 'features')?.split(',').map((f) => f.trim()),
    outputName: str(p, 'output-name'),
    positiveColumn: num(p, 'positive-column', nonNegativeInt),
    silverTable: str(p, 'silver'),
    silverVersion: num(p, 'silver-version', nonNegativeInt),
    goldTable: str(p, 'gold'),
    topBuyersTable: str(p, 'top-buyers'),
    topBuyers: Object.values(topBuyers).some((v) => v !== undefined) ? dropUndefined(topBuyers) : undefined,
    unitRows: num(p, 'unit-rows', positiveInt),
    maxParallel: num(p, 'max-parallel', positiveInt),
    nullPolicy: str(p, 'null-policy') as ScoreUsersInput['nullPolicy'],
  };
  return dropUndefined(input);
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const RUN_OPTIONS = {
  date: { type: 'string' }, model: { type: 'string' }, features: { type: 'string' }, 'output-name': { type: 'string' },
  'positive-column': { type: 'string' }, silver: { type: 'string' }, 'silver-version': { type: 'string' },
  gold: { type: 'string' }, 'top-buyers': { type: 'string' }, 'top-fraction': { type: 'string' },
  'min-probability': { type: 'string' }, limit: { type: 'string' }, 'unit-rows': { type: 'string' },
  'max-parallel': { type: 'string' }, 'null-policy': { type: 'string' },
} as const;

export async function runCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { ...RUN_OPTIONS, wait: { type: 'boolean' }, json: { type: 'boolean' } }, args);
  if (!p) return 0;
  noPositionals(p, 'run');
  const scoreDate = date(p, 'date') ?? todayUtc();
  const workflowId = `score-users-${scoreDate}`;
  const input = runInput(p, scoreDate); // option values checked before connecting: bad usage is exit 2, never 3
  const { client, close } = await connectClient();
  try {
    const handle = await client.workflow.start('scoreUsers', { taskQueue: TASK_QUEUE, workflowId, args: [input] });
    if (!p.values.wait) {
      console.log(p.values.json ? JSON.stringify({ workflowId, runId: handle.firstExecutionRunId }) : `started ${workflowId} (run ${handle.firstExecutionRunId})`);
      return 0;
    }
    onCtrlCWhileWaiting('run', workflowId);
    const result = () => outcome(handle.result() as Promise<ScoreUsersResult>, { workflowId, runId: handle.firstExecutionRunId });
    // --json is for programs: stdout the JSON, stderr empty unless something went wrong.
    const done = p.values.json ? await result() : await followProgress(client, handle, 'scoreUsers', result());
    if ('failed' in done) return reportFailedRun('run', done.failed, !!p.values.json);
    if (p.values.json) console.log(JSON.stringify(done.result));
    else printRunSummary(done.result);
    return 0;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Error(`a run for ${scoreDate} is already in progress (${workflowId}); follow it with: batch-score status ${workflowId} --watch`);
    }
    throw err;
  } finally {
    await close();
  }
}
