/**
 * DeltaError: the one error type the Delta layer throws. `code` says what went wrong in a word the activity
 * layer can classify; `retryable` says whether running the same operation again can succeed (a lost commit
 * race can, an unsupported table feature cannot). Messages name the table, file, column or feature.
 */
export type DeltaErrorCode =
  | 'TableNotFound'
  | 'TableExists'
  | 'VersionNotFound'
  | 'UnsupportedReaderFeature'
  | 'UnsupportedWriterFeature'
  | 'ConcurrentModification'
  | 'SchemaMismatch'
  | 'CorruptLog'
  | 'CorruptDataFile'
  | 'AppendOnly'
  | 'InvalidArgument'
  | 'Io';

export class DeltaError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(code: DeltaErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DeltaError';
    this.code = code;
    this.retryable = opts.retryable ?? (code === 'ConcurrentModification' || code === 'Io');
  }
}

/** Wraps an unexpected file-system error as a retryable `Io` DeltaError naming the path. */
export function ioError(what: string, file: string, err: unknown): DeltaError {
  const msg = err instanceof Error ? err.message : String(err);
  return new DeltaError('Io', `${what} ${file}: ${msg}`, { cause: err });
}
