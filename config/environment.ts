/**
 * The environment variables batch-score reads, named and read in this one place: the data root, the extra roots
 * run tables may live under, the MLflow server and its credentials, the duplicate check's memory and the Temporal
 * CLI binary. Callers take a value from here (an option given explicitly still wins, decided by the caller).
 *
 * Read elsewhere, on purpose: TEMPORAL_ADDRESS and the other connection settings (by @temporalio/envconfig),
 * the AWS_* variables (by the AWS SDK's standard chain; delta/storage/s3-store.ts also reads AWS_ENDPOINT_URL(_S3)
 * to choose path-style addressing), BATCH_SCORE_RESTARTED_BY (cli/launch.ts's own marker between a launcher and
 * the child it starts), and the development-only BATCH_SCORE_PYTHON (devkit/), MINIO_PATH (scripts/minio.sh) and
 * BATCH_SCORE_BENCH (bench/).
 */
import * as path from 'node:path';

export const ENV = {
  /** Data root: default tables, the local model registry and reports (default ./data). */
  dataRoot: 'BATCH_SCORE_DATA',
  /** Roots besides the data root where run tables may live (folders or s3://bucket/prefix), separated by the platform's path delimiter (':' on Linux). */
  allowedRoots: 'BATCH_SCORE_ALLOWED_ROOTS',
  /** MLflow tracking server; the local registry is used when absent or empty. */
  mlflowTrackingUri: 'MLFLOW_TRACKING_URI',
  mlflowToken: 'MLFLOW_TRACKING_TOKEN',
  mlflowUsername: 'MLFLOW_TRACKING_USERNAME',
  mlflowPassword: 'MLFLOW_TRACKING_PASSWORD',
  /** DuckDB's memory for the Silver duplicate check (default 512MB; docs/decisions/duplicate-users.md). */
  duplicateCheckMemory: 'BATCH_SCORE_DUPLICATE_CHECK_MEMORY',
  /** DuckDB's memory for `batch-score report`'s sorts and joins (default 256MB; docs/decisions/run-report.md). */
  reportMemory: 'BATCH_SCORE_REPORT_MEMORY',
  /** DuckDB's memory for `batch-score features` (default 512MB; docs/decisions/features-from-events.md). */
  featuresMemory: 'BATCH_SCORE_FEATURES_MEMORY',
  /** The Temporal CLI binary the dev server runs (default: `temporal` on PATH, else the tools folder). */
  temporalCliPath: 'TEMPORAL_CLI_PATH',
} as const;

export function dataRootFromEnv(): string | undefined {
  return process.env[ENV.dataRoot];
}

/**
 * The allowed roots as given (blank entries dropped, not yet resolved). Entries are local folders or
 * `s3://bucket/prefix`: with ':' as the delimiter, a scheme split from its `//...` is joined back.
 */
export function allowedRootsFromEnv(): string[] {
  const parts = (process.env[ENV.allowedRoots] ?? '').split(path.delimiter);
  const roots: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const scheme = path.delimiter === ':' && /^[a-z][a-z0-9+.-]*$/i.test(parts[i].trim()) && parts[i + 1]?.startsWith('//');
    roots.push(scheme ? `${parts[i].trim()}:${parts[++i]}` : parts[i]);
  }
  return roots.filter((r) => r.trim() !== '');
}

/** The MLflow tracking URI, or undefined when unset or empty. */
export function mlflowTrackingUriFromEnv(): string | undefined {
  return process.env[ENV.mlflowTrackingUri] || undefined;
}

export interface MlflowCredentials {
  token?: string;
  username?: string;
  password?: string;
}

export function mlflowCredentialsFromEnv(): MlflowCredentials {
  return { token: process.env[ENV.mlflowToken], username: process.env[ENV.mlflowUsername], password: process.env[ENV.mlflowPassword] };
}

export function duplicateCheckMemoryFromEnv(): string {
  return process.env[ENV.duplicateCheckMemory] ?? '512MB';
}

export function reportMemoryFromEnv(): string {
  return process.env[ENV.reportMemory] || '256MB';
}

export function featuresMemoryFromEnv(): string {
  return process.env[ENV.featuresMemory] ?? '512MB';
}

export function temporalCliPathFromEnv(): string | undefined {
  return process.env[ENV.temporalCliPath] || undefined;
}
