/**
 * The registry's errors, as words of the error vocabulary (errors/codes.ts): the activity layer turns each into a
 * Temporal failure whose `type` is its code, retried or not as the vocabulary says.
 */
import { BatchScoreError } from '../errors';

/** The model URI is malformed, or names a model, version or alias the registry does not have. */
export class ModelNotFoundError extends BatchScoreError {
  constructor(message: string) {
    super('ModelNotFound', message);
  }
}

/** The bytes of a pinned model are not the bytes that were pinned. */
export class ModelDigestMismatchError extends BatchScoreError {
  constructor(message: string) {
    super('ModelDigestMismatch', message);
  }
}

/** The model's feature list cannot be determined, or contradicts itself. */
export class FeatureMappingError extends BatchScoreError {
  constructor(message: string) {
    super('ModelFeatureMapping', message);
  }
}

/** A model file (or a file of its folder) is not there, or the worker may not read it. */
export class ModelFileMissingError extends BatchScoreError {
  constructor(message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super('ModelFileMissing', message, opts);
  }
}

/** A model file is there but is not a loadable ONNX model (garbage, truncated, or refused by onnxruntime). */
export class ModelFileCorruptError extends BatchScoreError {
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('ModelFileCorrupt', message, opts);
  }
}
