/**
 * The registry's errors, as words of the error vocabulary (errors/codes.ts): the activity layer turns each into a
 * Temporal failure whose `type` is its code, retried or not as the vocabulary says.
 */
import { BatchScoreError, HintCase } from '../errors';

/**
 * Which of a model code's hints fits the URI (errors/codes.ts `hints`): an s3:// object, a file path, or (none)
 * a registry's `models:/` URI (also when no URI is known), told apart as ./uri.ts does.
 */
export function modelHintCase(uri: string | undefined): HintCase | undefined {
  if (uri === undefined) return undefined;
  if (/^s3:\/\//i.test(uri)) return 's3';
  return uri.startsWith('models:') ? undefined : 'file';
}

/** Where a model error came from: its URI (for the hint), the error it wraps. */
export interface ModelErrorOptions {
  cause?: unknown;
  uri?: string;
  /** The worker may not read the file (a file-system permission), whatever the URI. */
  unreadable?: boolean;
}

function modelErrorOptions(opts: ModelErrorOptions): { cause?: unknown; hintCase?: HintCase } {
  return { cause: opts.cause, hintCase: opts.unreadable ? 'unreadableFile' : modelHintCase(opts.uri) };
}

/** The model URI is malformed, or names a model, version or alias the registry does not have. */
export class ModelNotFoundError extends BatchScoreError {
  constructor(message: string) {
    super('ModelNotFound', message);
  }
}

/** The bytes of a pinned model are not the bytes that were pinned. */
export class ModelDigestMismatchError extends BatchScoreError {
  constructor(message: string, opts: ModelErrorOptions = {}) {
    super('ModelDigestMismatch', message, modelErrorOptions(opts));
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
  constructor(message: string, opts: ModelErrorOptions = {}) {
    super('ModelFileMissing', message, modelErrorOptions(opts));
  }
}

/** A model file is there but is not a loadable ONNX model (garbage, truncated, or refused by onnxruntime). */
export class ModelFileCorruptError extends BatchScoreError {
  constructor(message: string, opts: ModelErrorOptions = {}) {
    super('ModelFileCorrupt', message, modelErrorOptions(opts));
  }
}
