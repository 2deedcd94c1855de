/**
 * Where a run's tables may live. A run names tables by path, and workers often run as a service account that can
 * write anywhere. So a relative path means "under the data root" (never the worker's working directory), and a
 * path outside the data root is refused unless an operator allowed its root (BATCH_SCORE_ALLOWED_ROOTS). Symlinks
 * and `..` are resolved before comparing, so neither can lead out of an allowed root.
 *
 * Tables on S3 (`s3://bucket/prefix`) follow the same rule with the allowed roots as the only way in: an operator
 * lists the bucket prefixes runs may use (`s3://lake/batch-score`); the data root stays a local folder. S3 keys are
 * never resolved, so a location with `.`, `..` or empty segments (another engine may normalize them to a
 * different table) or with anything before the bucket (credentials never go in a location) is refused.
 * Why: docs/decisions/tables-on-s3.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchScoreError } from '../errors';

export interface TableRoots {
  /** Absolute local folder. */
  dataRoot: string;
  /** Absolute extra roots: local folders, or `s3://bucket[/prefix]` as s3Location gives it. */
  allowed: string[];
}

const S3_SCHEME = /^s3:\/\//i;

/** True for an `s3://...` location (any case of the scheme). */
export function isS3Location(location: string): boolean {
  return S3_SCHEME.test(location);
}

/** The roots as a worker is given them: local ones made absolute, S3 ones checked and normalized. */
export function tableRoots(dataRoot: string, allowed: string[]): TableRoots {
  return {
    dataRoot: path.resolve(dataRoot),
    allowed: allowed.map((r) => r.trim()).filter((r) => r !== '').map((r) => (isS3Location(r) ? s3Location(r, 'allowed root') : path.resolve(r))),
  };
}

/** The location of a run's table: relative to the data root, and inside it or an allowed root. */
export function tableLocation(given: string, roots: TableRoots): string {
  if (isS3Location(given)) return s3TableLocation(given, roots);
  const resolved = path.resolve(roots.dataRoot, given);
  const real = realLocation(resolved);
  const localRoots = [roots.dataRoot, ...roots.allowed.filter((r) => !isS3Location(r))];
  if (localRoots.some((root) => isInside(real, realLocation(root)))) return resolved;
  const via = real === resolved ? '' : ` (it leads to ${real})`;
  throw outside(`table path ${given}${via}`, roots);
}

function s3TableLocation(given: string, roots: TableRoots): string {
  const location = s3Location(given, 'table location');
  if (roots.allowed.some((root) => isS3Location(root) && (location === root || location.startsWith(`${root}/`)))) return location;
  throw outside(`table location ${location}`, roots);
}

function outside(what: string, roots: TableRoots): BatchScoreError {
  const extra = roots.allowed.length > 0 ? ` or the allowed roots ${roots.allowed.join(', ')}` : ' (list the other folders or S3 prefixes runs may use in BATCH_SCORE_ALLOWED_ROOTS on the workers)';
  return new BatchScoreError('TableOutsideDataRoot', `${what} is outside the data root ${roots.dataRoot}${extra}`);
}

/**
 * `s3://bucket/a/b` with the scheme in lower case and no trailing '/'; refuses (InvalidInput) what is not a
 * plain bucket and key prefix.
 */
export function s3Location(given: string, what: string): string {
  const match = /^s3:\/\/([^/]*)(\/.*)?$/i.exec(given.trim());
  const bucket = match?.[1] ?? '';
  if (bucket.includes('@') || bucket.includes(':')) {
    // Not echoed: what stands before the bucket may be a secret key.
    throw new BatchScoreError('InvalidInput', `${what} s3://<refused>: an s3:// location names a bucket and a prefix only; credentials come from the AWS SDK's chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, ...), the endpoint from AWS_ENDPOINT_URL`);
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new BatchScoreError('InvalidInput', `${what} ${given}: "${bucket}" is not an S3 bucket name (3-63 characters: lower-case letters, digits, '.', '-')`);
  }
  const segments = (match?.[2] ?? '').replace(/\/+$/, '').split('/').slice(1);
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new BatchScoreError('InvalidInput', `${what} ${given}: S3 keys are not resolved, so empty, '.' and '..' segments are refused`);
  }
  return ['s3:/', bucket, ...segments].join('/');
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
