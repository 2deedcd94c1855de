/**
 * Locations: where a table (or a file of it) lives, either a local path or a URI `s3://bucket/some/path`. The one
 * place that joins a location with '/'-separated relative paths and finds the key of one location under another.
 * Local paths go through node:path exactly as before; URIs by '/' arithmetic on their path (node:path would turn
 * `s3://b` into `s3:/b`), never climbing above the bucket.
 */
import * as path from 'node:path';

const URI = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i;

/** Whether `location` is a URI (`s3://...`) rather than a local path. */
export function isUri(location: string): boolean {
  return URI.test(location);
}

/** `scheme://authority` and the normalised absolute path ('/' for the root) of a URI. */
function splitUri(location: string): { root: string; path: string } {
  const m = URI.exec(location)!;
  return { root: `${m[1].toLowerCase()}://${m[2]}`, path: path.posix.normalize(`/${m[3]}`) };
}

/** `location` joined with relative parts, normalised ('..' resolved); as path.join for local paths. */
export function joinLocation(location: string, ...parts: string[]): string {
  if (!isUri(location)) return path.join(location, ...parts);
  const { root, path: p } = splitUri(location);
  return root + path.posix.join(p, ...parts);
}

/** `root + absolutePath` for a URI location (an absolute path in a URI table is relative to its bucket). */
export function rootedLocation(location: string, absolutePath: string): string {
  return isUri(location) ? splitUri(location).root + path.posix.normalize(absolutePath) : absolutePath;
}

/**
 * The key ('/'-separated) of `target` inside `location`; undefined when it is the location itself or lies outside
 * it (another folder, bucket or scheme).
 */
export function keyUnder(location: string, target: string): string | undefined {
  if (isUri(location) !== isUri(target)) return undefined;
  let rel: string;
  if (!isUri(location)) {
    rel = path.relative(location, target);
    if (path.isAbsolute(rel)) return undefined;
    rel = rel.split(path.sep).join('/');
  } else {
    const [a, b] = [splitUri(location), splitUri(target)];
    if (a.root !== b.root) return undefined;
    rel = path.posix.relative(a.path, b.path);
  }
  return rel === '' || rel.startsWith('..') ? undefined : rel;
}

/** The folder holding `location` and its last name (`s3://b/t/x.parquet` → `s3://b/t`, `x.parquet`). */
export function splitLocation(location: string): { parent: string; name: string } {
  if (!isUri(location)) return { parent: path.dirname(location), name: path.basename(location) };
  const { root, path: p } = splitUri(location);
  return { parent: root + path.posix.dirname(p), name: path.posix.basename(p) };
}
