/**
 * An error of the pipeline's own rules (bad run input, no data for the date). Like the libraries' errors it says
 * whether a retry can help: the activity layer turns `retryable: false` into a non-retryable Temporal failure.
 */
export class PipelineError extends Error {
  readonly retryable: boolean;
  constructor(readonly code: string, message: string, retryable = false) {
    super(message);
    this.name = code;
    this.retryable = retryable;
  }
}
