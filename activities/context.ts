/**
 * What every activity of a worker shares: where its data lives and how to reach the model registry.
 * Built once per worker process from its options (tests pass their own temp folders).
 *
 * Table locations: a run names tables by path, and workers often run as a service account that can write
 * anywhere. So a relative path means "under the data root" (never the worker's working directory), and a path
 * outside the data root is refused unless an operator allowed its root (BATCH_SCORE_ALLOWED_ROOTS). Symlinks
 * and `..` are resolved before comparing, so neither can lead out of an allowed root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dataLayout, DataLayout } from '../cli/data-dir';
import { BatchScoreError } from '../errors';

export interface ActivityOptions {
  /** Data root (default BATCH_SCORE_DATA or ./data): default tables and the local model registry live there. */
  dataDir?: string;
  /**
   * Roots besides the data root where run tables may live (default: BATCH_SCORE_ALLOWED_ROOTS, a list separated
   * by the platform's path delimiter, ':' on Linux). Given here, it replaces the environment variable.
   */
  allowedRoots?: string[];
  /** MLflow tracking server; the local registry is used when absent (default MLFLOW_TRACKING_URI). */
  mlflowTrackingUri?: string;
  /** onnxruntime intra-op threads per model session. */
  intraOpThreads?: number;
}

export interface ActivityContext {
  layout: DataLayout;
  registry: { registryDir: string; mlflowTrackingUri?: string };
  intraOpThreads?: number;
  /** A table path as the run gave it (relative to the data root) or the default; TableOutsideDataRoot if outside. */
  table(given: string | undefined, fallback: string): string;
}

export const ALLOWED_ROOTS_ENV = 'BATCH_SCORE_ALLOWED_ROOTS';

export function activityContext(opts: ActivityOptions = {}): ActivityContext {
  const layout = dataLayout(opts.dataDir);
  const allowed = opts.allowedRoots ?? (process.env[ALLOWED_ROOTS_ENV] ?? '').split(path.delimiter);
  const roots = { dataRoot: layout.root, allowed: allowed.filter((r) => r.trim() !== '').map((r) => path.resolve(r)) };
  return {
    layout,
    registry: { registryDir: layout.models, mlflowTrackingUri: opts.mlflowTrackingUri ?? process.env.MLFLOW_TRACKING_URI },
    intraOpThreads: opts.intraOpThreads,
    table: (given, fallback) => (given ? tableLocation(given, roots) : fallback),
  };
}

export interface TableRoots {
  dataRoot: string;
  /** Absolute extra roots. */
  allowed: string[];
}

/** The absolute path of a run's table: relative to the data root, and inside it or an allowed root. */
export function tableLocation(given: string, roots: TableRoots): string {
  const resolved = path.resolve(roots.dataRoot, given);
  const real = realLocation(resolved);
  if ([roots.dataRoot, ...roots.allowed].some((root) => isInside(real, realLocation(root)))) return resolved;
  const extra = roots.allowed.length > 0 ? ` or the allowed roots ${roots.allowed.join(', ')}` : '';
  const via = real === resolved ? '' : ` (it leads to ${real})`;
  throw new BatchScoreError('TableOutsideDataRoot', `table path ${given}${via} is outside the data root ${roots.dataRoot}${extra}`);
}

/** The real path of `p`: symlinks of its longest existing prefix resolved, the rest (not yet created) appended. */
function realLocation(p: string): string {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest);
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return p;
      rest.unshift(path.basename(at));
      at = parent;
    }
  }
}

function isInside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}
