/**
 * DeltaError: the one error type the Delta layer throws, a word of the error vocabulary (errors/codes.ts).
 * `code` says what went wrong; the vocabulary says whether running the same operation again can succeed (a lost
 * commit race can, an unsupported table feature cannot). Messages name the table, file, column or feature.
 */
import { BatchScoreError } from '../errors';

export type DeltaErrorCode =
  | 'TableNotFound'
  | 'TableExists'
  | 'VersionNotFound'
  | 'UnsupportedReaderFeature'
  | 'UnsupportedWriterFeature'
  | 'ConcurrentModification'
  | 'SchemaMismatch'
  | 'CorruptLog'
  | 'CorruptCheckpoint'
  | 'CorruptDataFile'
  | 'AppendOnly'
  | 'InvalidArgument'
  | 'TargetNotDelta'
  | 'StorageAccessDenied'
  | 'BucketNotFound'
  | 'StorageRegionMissing'
  | 'ConditionalWritesUnsupported'
  | 'Io';

export class DeltaError extends BatchScoreError {
  declare readonly code: DeltaErrorCode;

  constructor(code: DeltaErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, opts);
  }
}

/** Wraps an unexpected file-system error as a retryable `Io` DeltaError naming the path. */
export function ioError(what: string, file: string, err: unknown): DeltaError {
  const msg = err instanceof Error ? err.message : String(err);
  return new DeltaError('Io', `${what} ${file}: ${msg}`, { cause: err });
}
