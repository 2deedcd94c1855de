/**
 * The one error vocabulary of batch-score: every failure the pipeline raises has a code from this table, and the
 * table alone decides whether Temporal retries it. The code becomes the Temporal failure's `type`, so the Web UI,
 * `batch-score status` and `run --wait` show the same word; `hint` is what the user can do about it.
 *
 * Retryable means "the same operation may succeed later unchanged" (I/O, a lost commit race, a server that is
 * restarting). Everything the user must fix (input, data, model, table) is not: it fails the run at once.
 */
export interface ErrorCodeInfo {
  retryable: boolean;
  hint?: string;
  /** Hints that replace `hint` when the failing thing is of one kind, where the remedy depends on it. */
  hints?: Partial<Record<HintCase, string>>;
}

/**
 * Kinds of the failing thing whose remedy differs: a model named by an `s3://` URI (the bucket, key and AWS
 * variables), a model named by a file path (the path on the worker), a model file the worker may not read.
 * Without a case, `hint` is for a model of the local registry (`models:/...`).
 */
export type HintCase = 's3' | 'file' | 'unreadableFile';

export const ERROR_CODES = {
  // The run's input (CLI, Temporal UI, schedules, backfills).
  InvalidInput: { retryable: false, hint: 'correct the run input (batch-score run --help lists the options)' },
  TableOutsideDataRoot: {
    retryable: false,
    hint: 'use a path under the data root, or allow it with BATCH_SCORE_ALLOWED_ROOTS on the workers',
  },

  // Bronze (events/) and the features built from it.
  EventsBadHeader: { retryable: false, hint: 'ingest reads the eCommerce events CSV: its first line must be event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session' },
  EventsFileChanged: { retryable: false, hint: 'an events file was still being written (a download, an append): ingest it once it is complete' },
  BronzeIncomplete: { retryable: false, hint: 'ingest the events up to the day before the snapshot date (batch-score ingest), or build from what Bronze holds with --allow-incomplete' },
  BronzeNoEvents: { retryable: false, hint: 'ingest events before the snapshot date first (batch-score ingest), or choose a date after the first event date' },

  // Silver.
  SilverNoData: { retryable: false, hint: 'build the Silver snapshot of that date first (batch-score features --date D from events, or batch-score generate --date D for demo data), or score a date it has' },
  SilverEmptySnapshot: { retryable: false, hint: 'check the Silver job of that date; to publish zero rows on purpose, run with allowEmptySnapshot: true' },
  SilverDuplicateUser: { retryable: false, hint: 'deduplicate the Silver snapshot: Gold holds one prediction per user and date' },
  SilverMissingColumn: { retryable: false, hint: 'add the column to Silver, or map the model to existing columns with --features' },
  SilverColumnType: { retryable: false, hint: 'features must be numeric or boolean columns, user_id a long' },
  SilverSchemaMismatch: { retryable: false, hint: 'batch-score features never overwrites a Silver table of another schema: use another --data-dir, or move the table away' },
  FeatureNotFinite: { retryable: false, hint: 'fix the Silver values, or run with nullPolicy impute or skip' },

  // The model.
  ModelNotFound: { retryable: false, hint: 'batch-score model list shows the registered models, versions and aliases' },
  ModelFileMissing: {
    retryable: false,
    hint: 'register the model again (batch-score model register)',
    hints: {
      s3: "check the s3:// URI's bucket and key, and the worker's AWS variables (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL)",
      file: 'check the path: every worker reads the model file at that path on its own machine',
      unreadableFile: 'give the worker read access to the model file, or register the model again',
    },
  },
  ModelFileCorrupt: {
    retryable: false,
    hint: 'the file is not a loadable ONNX model: export and register it again',
    hints: {
      s3: 'the object is not a loadable ONNX model: export it again and upload it to the s3:// URI',
      file: 'the file is not a loadable ONNX model: export it again',
    },
  },
  ModelDigestMismatch: {
    retryable: false,
    hint: 'registered versions are immutable: register a new version instead',
    hints: {
      s3: 'the object changed while the run used it: re-run to score with the new object, or upload models under new keys',
      file: 'the file changed while the run used it: re-run to score with the new file, or write models to new paths',
    },
  },
  ModelFeatureMapping: { retryable: false, hint: 'name the features with --features, or in the model metadata feature_names' },
  ModelContract: { retryable: false, hint: 'see docs/model-contract.md for the inputs and outputs batch-score takes' },
  ModelOutputNotProbability: {
    retryable: false,
    hint: 'the output must be a probability in [0, 1]: choose it with --output-name / --positive-column, or export a classifier',
  },
  RegistryUnavailable: { retryable: true, hint: 'the model registry did not answer; the run retries' },
  RegistryRejected: { retryable: false, hint: 'check the model URI and the registry credentials' },

  // Gold targets and the commits.
  GoldSchemaMismatch: { retryable: false, hint: 'point the run at a new table, or at the table batch-score created there' },
  TargetNotDelta: { retryable: false, hint: 'a new table is never created in a non-empty folder that is not a Delta table: choose an empty path' },
  StagedFileInvalid: { retryable: false, hint: 'a staged Gold file is missing or does not hold the rows scored: re-run the date' },
  DuplicateUnit: { retryable: false },
  SupersededByNewerRun: { retryable: false, hint: 'a run of the same date that started later has published; its predictions stand' },
  GoldNotRestored: {
    retryable: false,
    hint: "Gold still holds this failed run's predictions for the date: re-run the date, or replace the partition with an earlier version's files (delta history shows them)",
  },
  NoGoldData: { retryable: false, hint: 'score the date first (batch-score run --date D)' },

  // The Delta layer (delta/errors.ts).
  TableNotFound: { retryable: false },
  TableExists: { retryable: false },
  VersionNotFound: { retryable: false },
  UnsupportedReaderFeature: { retryable: false },
  UnsupportedWriterFeature: { retryable: false },
  ConcurrentModification: { retryable: true },
  SchemaMismatch: { retryable: false },
  CorruptLog: { retryable: false },
  CorruptCheckpoint: { retryable: false, hint: 'the checkpoint cannot be read: delete it and its _last_checkpoint entry to replay the JSON log' },
  CorruptDataFile: { retryable: false },
  AppendOnly: { retryable: false },
  InvalidArgument: { retryable: false },
  // Object storage (delta/storage/): what the user must fix on the storage side.
  StorageAccessDenied: {
    retryable: false,
    hint: "check the credentials the AWS SDK's chain finds (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...) and the bucket's policy",
  },
  BucketNotFound: { retryable: false, hint: 'create the bucket, or correct the s3:// location (and AWS_ENDPOINT_URL)' },
  StorageRegionMissing: { retryable: false, hint: 'set AWS_REGION (or AWS_PROFILE naming a profile with a region) for the command and every worker' },
  ConditionalWritesUnsupported: {
    retryable: false,
    hint: "Delta commits need put-if-absent (If-None-Match: *): use storage that honours it (AWS S3, MinIO, Cloudflare R2)",
  },
  Io: { retryable: true },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

export function errorCodeInfo(code: ErrorCode): ErrorCodeInfo {
  return ERROR_CODES[code];
}

/** The hint of a code, for the kind of thing that failed when the code has one of its own for it. */
export function hintFor(code: ErrorCode, hintCase?: HintCase): string | undefined {
  const info: ErrorCodeInfo = ERROR_CODES[code];
  return (hintCase && info.hints?.[hintCase]) || info.hint;
}
