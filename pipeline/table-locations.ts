/**
 * Where a run's tables may live. A run names tables by path, and workers often run as a service account that can
 * write anywhere. So a relative path means "under the data root" (never the worker's working directory), and a
 * path outside the data root is refused unless an operator allowed its root (BATCH_SCORE_ALLOWED_ROOTS). Symlinks
 * and `..` are resolved before comparing, so neither can lead out of an allowed root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchScoreError } from '../errors';

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
