/**
 * What every activity of a worker shares: where its data lives and how to reach the model registry.
 * Built once per worker process from its options (tests pass their own temp folders).
 */
import * as path from 'node:path';
import { dataLayout, DataLayout } from '../cli/data-dir';

export interface ActivityOptions {
  /** Data root (default BATCH_SCORE_DATA or ./data): default tables and the local model registry live there. */
  dataDir?: string;
  /** MLflow tracking server; the local registry is used when absent (default MLFLOW_TRACKING_URI). */
  mlflowTrackingUri?: string;
  /** onnxruntime intra-op threads per model session. */
  intraOpThreads?: number;
}

export interface ActivityContext {
  layout: DataLayout;
  registry: { registryDir: string; mlflowTrackingUri?: string };
  intraOpThreads?: number;
  /** A table path as the run gave it (relative to the worker's working directory) or the default. */
  table(given: string | undefined, fallback: string): string;
}

export function activityContext(opts: ActivityOptions = {}): ActivityContext {
  const layout = dataLayout(opts.dataDir);
  return {
    layout,
    registry: { registryDir: layout.models, mlflowTrackingUri: opts.mlflowTrackingUri ?? process.env.MLFLOW_TRACKING_URI },
    intraOpThreads: opts.intraOpThreads,
    table: (given, fallback) => (given ? path.resolve(given) : fallback),
  };
}
