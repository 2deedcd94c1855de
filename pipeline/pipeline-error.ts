/**
 * An error of the pipeline's own rules (bad run input, no data for the date, a staged file that does not hold
 * what was scored), as a word of the error vocabulary (errors/codes.ts).
 */
import { BatchScoreError, ErrorCode } from '../errors';

export class PipelineError extends BatchScoreError {
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super(code, message, opts);
  }
}
