/**
 * Error classification, in one place: library errors that a retry cannot fix (they carry `retryable: false`:
 * bad input, missing column, unsupported table feature, changed model bytes) become non-retryable Temporal
 * failures whose type is the error's name; everything else (I/O hiccups, a lost commit race) is retried.
 */
import { ApplicationFailure } from '@temporalio/common';

export function toFailure(err: unknown): unknown {
  if (err instanceof Error && (err as { retryable?: unknown }).retryable === false) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, cause: err });
  }
  return err;
}

/** Run an activity body, classifying what it throws. */
export async function classified<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toFailure(err);
  }
}
