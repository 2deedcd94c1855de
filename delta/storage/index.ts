/**
 * The storage room, the bottom of delta/: the one interface every other room does its storage I/O through
 * (ObjectStore: keys holding immutable bytes, put-if-absent for commits), and the stores behind it. It imports
 * nothing of delta/ but errors.ts. Why one interface, and how each store keeps put-if-absent:
 * docs/decisions/object-store.md.
 */
import { DeltaError } from '../errors';
import { LocalStore } from './local-store';
import { isUri, splitLocation } from './locations';
import { ObjectStore } from './object-store';

export { ByteRange, ObjectInfo, ObjectStore, PutFileOptions } from './object-store';
export { LocalStore, fsyncDir } from './local-store';
export { FileIdentityCache, RACY_MS } from './file-identity';
export { isUri, joinLocation, keyUnder, rootedLocation, splitLocation } from './locations';

/**
 * The store a table (or any folder) at `location` lives on: a local path or `s3://bucket/path`. S3 stores of one
 * endpoint and bucket share one SDK client (connections, credentials) and one conditional-write probe.
 */
export function storeFor(location: string): ObjectStore {
  if (/^s3:\/\//i.test(location)) {
    // Required here, not imported: the AWS SDK takes ~0.2 s to load, paid only by processes that open s3://.
    const { S3Store } = require('./s3-store') as typeof import('./s3-store');
    return S3Store.fromUri(location, { shareClient: true });
  }
  if (isUri(location)) {
    throw new DeltaError('InvalidArgument', `${location}: unknown storage scheme (a table location is a local path or s3://bucket/path)`);
  }
  return new LocalStore(location);
}

/** The store of the folder holding `location` and the key of `location` in it (a file named by its full location). */
export function objectAt(location: string): { store: ObjectStore; key: string } {
  const { parent, name } = splitLocation(location);
  return { store: storeFor(parent), key: name };
}

/** The local folder of a store, or undefined for a remote one (DuckDB and in-place writes need local files). */
export function localRoot(store: ObjectStore): string | undefined {
  return store instanceof LocalStore ? store.location : undefined;
}
