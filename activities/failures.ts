/**
 * From an error to a Temporal failure, in one place. A BatchScoreError carries its code (errors/codes.ts): the
 * failure's `type` is that code and the vocabulary decides whether Temporal retries it. Anything else (an
 * unexpected library or file-system error) is retried as `Unexpected`. Every message is redacted here too, so
 * no secret reaches history, and the failure's details say where it happened: the activity, its attempt and
 * what to do next, which `status`, `run --wait` and the Web UI show.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import { BatchScoreError, messageOf, redact } from '../errors';

/** What the CLI reads from a failure's details (the first detail). */
export interface FailureDetails {
  code: string;
  retryable: boolean;
  hint?: string;
  activity?: string;
  attempt?: number;
}

export function toFailure(err: unknown): TemporalFailure {
  if (err instanceof TemporalFailure) return err; // already a failure (cancellation, one made on purpose)
  const info = activityInfo();
  if (err instanceof BatchScoreError) {
    const details: FailureDetails = { code: err.code, retryable: err.retryable, hint: err.hint, ...info };
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: !err.retryable, details: [details] });
  }
  const name = err instanceof Error ? err.name : 'Error';
  const details: FailureDetails = { code: 'Unexpected', retryable: true, ...info };
  return ApplicationFailure.create({ message: redact(`${name}: ${messageOf(err)}`), type: 'Unexpected', nonRetryable: false, details: [details] });
}

function activityInfo(): { activity?: string; attempt?: number } {
  try {
    const { activityType, attempt } = Context.current().info;
    return { activity: activityType, attempt };
  } catch {
    return {}; // called outside an activity (tests of the pipeline functions)
  }
}

/** Run an activity body, classifying what it throws. */
export async function classified<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toFailure(err);
  }
}
