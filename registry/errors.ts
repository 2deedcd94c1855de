/**
 * Errors that retrying cannot fix. Libraries throw them at the point of discovery; the activity layer turns any
 * error with `retryable === false` into a non-retryable Temporal failure whose `type` is the error's `name`.
 */
export class NonRetryableError extends Error {
  readonly retryable = false;
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The model URI is malformed, or names a model, version or alias the registry does not have. */
export class ModelNotFoundError extends NonRetryableError {
  constructor(message: string) {
    super('ModelNotFoundError', message);
  }
}

/** The bytes of a pinned model are not the bytes that were pinned. */
export class ModelDigestMismatchError extends NonRetryableError {
  constructor(message: string) {
    super('ModelDigestMismatchError', message);
  }
}

/** The model's feature list cannot be determined, or contradicts itself. */
export class FeatureMappingError extends NonRetryableError {
  constructor(message: string) {
    super('FeatureMappingError', message);
  }
}
