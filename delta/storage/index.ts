/**
 * The storage room, the bottom of delta/: the one interface every other room does its storage I/O through
 * (ObjectStore: keys holding immutable bytes, put-if-absent for commits), and the stores behind it. It imports
 * nothing of delta/ but errors.ts. Why one interface, and how each store keeps put-if-absent:
 * docs/decisions/object-store.md.
 */
import { DeltaError } from '../errors';
import { LocalStore } from './local-store';
import { ObjectStore } from './object-store';

export { ByteRange, ObjectInfo, ObjectStore } from './object-store';
export { LocalStore, fsyncDir } from './local-store';

/** The store a table (or any folder) at `location` lives on: a local path or `s3://bucket/path`. */
export function storeFor(location: string): ObjectStore {
  if (/^s3:\/\//i.test(location)) {
    throw new DeltaError('InvalidArgument', `${location}: tables on S3 are not supported yet (only local paths, for now)`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    throw new DeltaError('InvalidArgument', `${location}: unknown storage scheme (a table location is a local path or s3://bucket/path)`);
  }
  return new LocalStore(location);
}

/** The local folder of a store, or undefined for a remote one (DuckDB and in-place writes need local files). */
export function localRoot(store: ObjectStore): string | undefined {
  return store instanceof LocalStore ? store.location : undefined;
}
