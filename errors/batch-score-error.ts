/**
 * BatchScoreError: what every layer throws when it knows what went wrong. `code` is a word of the vocabulary in
 * ./codes.ts, which alone decides `retryable`; the message names the table, file, column, feature, user or model
 * and is redacted here, where the error is made (./redact.ts), so no secret reaches a log or workflow history.
 */
import { ERROR_CODES, ErrorCode, HintCase, hintFor } from './codes';
import { redact } from './redact';

export class BatchScoreError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly hint?: string;

  /** `hintCase` picks the code's hint for the kind of thing that failed (errors/codes.ts `hints`). */
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; hintCase?: HintCase } = {}) {
    super(redact(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = code;
    this.code = code;
    this.retryable = ERROR_CODES[code].retryable;
    this.hint = hintFor(code, opts.hintCase);
  }
}

/** The message of anything thrown, as text. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
