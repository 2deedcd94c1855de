/**
 * A run that did not complete, as a person sees it: the root cause of Temporal's failure chain, in one place for
 * `run --wait`, `status`, `backfill --wait` and `demo`, so the terminal says what the Web UI says.
 *
 *   WorkflowFailedError ─► ChildWorkflowFailure (a backfill's date run; its id) ─► ActivityFailure (activityType)
 *                       ─► ApplicationFailure: type = the code, details[0] = {code, retryable, hint, activity, attempt}
 *                          (activities/failures.ts; the workflow's own input checks have no details)
 *                       or CancelledFailure, TerminatedFailure, TimeoutFailure (of the run or of an activity)
 *
 * Codes are the vocabulary's (errors/codes.ts); a run stopped by Temporal itself gets one of TEMPORAL_CODES.
 */
import { WorkflowExecutionDescription, WorkflowFailedError } from '@temporalio/client';
import {
  ActivityFailure, ApplicationFailure, CancelledFailure, ChildWorkflowFailure, defaultFailureConverter,
  defaultPayloadConverter, TerminatedFailure, TimeoutFailure,
} from '@temporalio/common';
import type { FailureDetails } from '../activities/failures';
import { hintFor, isErrorCode } from '../errors';
import { EXIT } from './exit-codes';

/** How a run that did not complete ended (Temporal's status names). */
export type EndedStatus = 'FAILED' | 'CANCELLED' | 'TERMINATED' | 'TIMED_OUT';

/** The root cause, the same fields in text and in --json. */
export interface RunFailure {
  code: string;
  message: string;
  /** The activity that failed, and its attempt (1 = first); absent when the workflow itself refused or stopped. */
  activity?: string;
  attempt?: number;
  retryable?: boolean;
  /** What to do next, where known. */
  hint?: string;
  /** The run where it happened: the run itself, or a backfill's child run of one date. */
  workflowId: string;
  runId?: string;
}

export interface FailedRun {
  workflowId: string;
  runId?: string;
  status: EndedStatus;
  failure: RunFailure;
}

export interface RunRef {
  workflowId: string;
  runId?: string;
}

/** Codes of runs that Temporal, not batch-score, stopped, and what to do about each. */
const TEMPORAL_CODES = {
  Cancelled: 'the run was cancelled (Web UI or temporal workflow cancel); start it again with batch-score run when wanted',
  Terminated: 'the run was terminated (the Web UI shows by whom); start it again with batch-score run',
  RunTimedOut: 'the run went over its execution timeout; start it again',
  ActivityTimeout: 'no worker finished it in time: check that workers are running (batch-score worker) and read their logs',
  Unexpected: 'an error batch-score does not classify (it is retried): the worker log has its stack',
} as const;

/** Waits for a run: its result, or how it failed. Anything else (server errors, a missing workflow) is thrown. */
export async function outcome<T>(result: Promise<T>, run: RunRef): Promise<{ result: T } | { failed: FailedRun }> {
  try {
    return { result: await result };
  } catch (err) {
    if (err instanceof WorkflowFailedError) return { failed: failedRun(err, run) };
    throw err;
  }
}

export function failedRun(err: WorkflowFailedError, run: RunRef): FailedRun {
  const top = err.cause;
  const status: EndedStatus = top instanceof CancelledFailure ? 'CANCELLED'
    : top instanceof TerminatedFailure ? 'TERMINATED'
      : top instanceof TimeoutFailure ? 'TIMED_OUT' : 'FAILED';
  return { workflowId: run.workflowId, runId: run.runId, status, failure: rootCause(top ?? err, run) };
}

/**
 * A running run's activities that failed and wait for their next attempt (a file that is not there yet, a
 * registry that does not answer): each one's last failure, from the run's description (pendingActivities).
 */
export function retryingActivities(pending: WorkflowExecutionDescription['raw']['pendingActivities'], run: RunRef): RunFailure[] {
  return (pending ?? []).flatMap((a) => {
    if (!a.lastFailure) return [];
    const err = defaultFailureConverter.failureToError(a.lastFailure, defaultPayloadConverter); // the CLI uses the default converters
    return [rootCause(err, run, a.activityType?.name ?? undefined)];
  });
}

/** Walks the chain down to the root cause, keeping the innermost run and activity it passed through. */
function rootCause(top: Error, run: RunRef, activityType?: string): RunFailure {
  let where: RunRef = { workflowId: run.workflowId, runId: run.runId };
  let activity = activityType;
  let f: Error = top;
  for (;;) {
    if (f instanceof ChildWorkflowFailure) {
      where = { workflowId: f.execution.workflowId ?? run.workflowId, runId: f.execution.runId ?? undefined };
      activity = undefined;
    } else if (f instanceof ActivityFailure) {
      activity = f.activityType;
    } else {
      break;
    }
    if (!f.cause) break;
    f = f.cause;
  }
  const make = (code: string, message: string, more: Partial<RunFailure> = {}): RunFailure => withoutUndefined({
    code, message, activity: more.activity ?? activity, attempt: more.attempt, retryable: more.retryable,
    hint: more.hint ?? hintOf(code), ...where,
  });

  if (f instanceof ApplicationFailure) {
    const details = (f.details?.[0] ?? {}) as Partial<FailureDetails>;
    return make(details.code ?? f.type ?? 'Error', f.message, {
      activity: details.activity, attempt: details.attempt, hint: details.hint,
      retryable: details.retryable ?? (f.nonRetryable ? false : undefined),
    });
  }
  if (f instanceof TimeoutFailure) {
    const what = activity ? `activity ${activity} timed out (${f.timeoutType ?? 'timeout'})` : f.message;
    const last = f.cause ? `; the attempt before failed: ${f.cause.message}` : '';
    return make(activity ? 'ActivityTimeout' : 'RunTimedOut', what + last);
  }
  if (f instanceof CancelledFailure) return make('Cancelled', f.message || 'cancelled');
  if (f instanceof TerminatedFailure) return make('Terminated', f.message);
  return make(f.name || 'Error', f.message);
}

function hintOf(code: string): string | undefined {
  if (isErrorCode(code)) return hintFor(code);
  return Object.prototype.hasOwnProperty.call(TEMPORAL_CODES, code) ? TEMPORAL_CODES[code as keyof typeof TEMPORAL_CODES] : undefined;
}

function withoutUndefined(f: RunFailure): RunFailure {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as unknown as RunFailure;
}

/** The root cause as aligned lines, e.g. `  code    SilverNoData`. */
export function failureLines(f: RunFailure): string[] {
  const run = `${f.workflowId}${f.runId ? ` (run ${f.runId})` : ''}`;
  const where = f.activity
    ? `activity ${f.activity}${f.attempt !== undefined ? `, attempt ${f.attempt}` : ''}` +
      (f.retryable === false ? ' (not retried: the error is not retryable)' : '') + ` of ${run}`
    : `workflow ${run}`;
  const lines = [['code', f.code], ['message', f.message], ['where', where]];
  if (f.hint) lines.push(['next', f.hint]);
  return lines.map(([k, v]) => `  ${k.padEnd(8)}${v}`);
}

/**
 * run --wait, backfill --wait, demo: the failed run on stderr, or as JSON on stdout with --json, e.g.
 * {"workflowId":..,"status":"FAILED","failure":{"code":"SilverNoData",..}}. Returns the exit code (1).
 */
export function reportFailedRun(verb: string, failed: FailedRun, json: boolean): number {
  if (json) console.log(JSON.stringify(failed));
  else console.error([`batch-score ${verb}: ${failed.workflowId} ${failed.status}`, ...failureLines(failed.failure)].join('\n'));
  return EXIT.failed;
}
