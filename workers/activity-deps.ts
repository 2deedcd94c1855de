/**
 * The activities' dependencies as a worker process builds them from its options and the environment
 * (config/): the data root and the roots run tables may live under, the model registry (local, or MLflow when
 * a tracking URI is set), and onnxruntime's threads per model session.
 */
import type { ActivityDeps } from '../activities';
import { allowedRootsFromEnv, dataLayout, mlflowTrackingUriFromEnv } from '../config';
import { tableLocation, tableRoots } from '../pipeline/table-locations';
import { resolveModel, verifyPinned } from '../registry';
import { loadScorer } from '../scoring';

export interface ActivityOptions {
  /** Data root (default BATCH_SCORE_DATA or ./data): default tables and the local model registry live there. */
  dataDir?: string;
  /**
   * Roots besides the data root where run tables may live: local folders or `s3://bucket/prefix` (default:
   * BATCH_SCORE_ALLOWED_ROOTS, a list separated by the platform's path delimiter, ':' on Linux; the ':' of an
   * `s3://` does not split it). Given here, it replaces the environment variable.
   */
  allowedRoots?: string[];
  /** MLflow tracking server; the local registry is used when absent (default MLFLOW_TRACKING_URI). */
  mlflowTrackingUri?: string;
  /** onnxruntime intra-op threads per model session. */
  intraOpThreads?: number;
}

export function activityDeps(opts: ActivityOptions = {}): ActivityDeps {
  const layout = dataLayout(opts.dataDir);
  const roots = tableRoots(layout.root, opts.allowedRoots ?? allowedRootsFromEnv());
  const table = (fallback: string) => (given?: string) => (given ? tableLocation(given, roots) : fallback);
  const registry = { registryDir: layout.models, mlflowTrackingUri: opts.mlflowTrackingUri ?? mlflowTrackingUriFromEnv() };
  return {
    tables: { silver: table(layout.silverFeatures), gold: table(layout.goldPredictions), topBuyers: table(layout.goldTopBuyers) },
    models: {
      resolve: (uri, features) => resolveModel(uri, { ...registry, features }),
      verify: (pinned) => verifyPinned(pinned, registry),
    },
    scorers: { scorer: (pinned, contract) => loadScorer(pinned, { ...contract, intraOpThreads: opts.intraOpThreads }) },
  };
}
