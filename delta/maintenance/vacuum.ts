/**
 * Vacuum: delete data files that no version within the retention window refers to.
 *
 *   keep = live files ∪ files removed less than `retention` ago (time travel may still read them)
 *   list the table's store (skipping hidden `_`/`.` entries other than our own stale temp files; in _delta_log
 *   only temp entries of commits that died before linking are considered)
 *   delete each file not in keep whose modification time is older than the retention, and only if it is a
 *   file a Delta writer makes (Parquet data files, deletion vector files, writer temp files: isWriterFile):
 *   a notes.txt or a CSV someone put in the folder is not the table's to delete
 *
 * The age test also protects in-flight writes: a staged file of a running unit is recent, so it stays; the
 * staged files of a run that failed long ago are not referenced and old, so they go.
 */
import * as path from 'node:path';
import { isWriterFile, isWriterTemp, tombstoneRetentionMs } from '../transaction';
import { DeltaError } from '../errors';
import { dataFilePath, DeletionVectorDescriptor, deletionVectorFile, LOG_DIR, openTable } from '../log';
import { keyUnder, localRoot, ObjectInfo, ObjectStore, storeFor } from '../storage';

export interface VacuumOptions {
  /** Retention in hours (default: the table's delta.deletedFileRetentionDuration, else 168). */
  retainHours?: number;
  dryRun?: boolean;
  /** Clock, for tests. */
  now?: number;
}

export interface VacuumResult {
  version: number;
  retentionHours: number;
  /** Absolute paths deleted (or that would be, with dryRun). */
  deleted: string[];
  bytes: number;
  dryRun: boolean;
}

export async function vacuumTable(tablePath: string, opts: VacuumOptions = {}): Promise<VacuumResult> {
  if (opts.retainHours !== undefined && !(opts.retainHours >= 0)) {
    throw new DeltaError('InvalidArgument', `retain hours must be ≥ 0, got ${opts.retainHours}`);
  }
  const snapshot = await openTable(tablePath);
  const retentionMs = opts.retainHours !== undefined ? opts.retainHours * 3600_000 : tombstoneRetentionMs(snapshot.metadata.configuration ?? {});
  const now = opts.now ?? Date.now();
  const threshold = now - retentionMs;
  const store = storeFor(tablePath);
  // Files are compared as keys of the table's store; a file the log names outside the table is never listed.
  const keep = new Set<string | undefined>();
  const keepFile = (p: string, dv: unknown) => {
    keep.add(keyUnder(tablePath, dataFilePath(tablePath, p)));
    const dvFile = dv ? deletionVectorFile(tablePath, dv as DeletionVectorDescriptor) : undefined;
    if (dvFile) keep.add(keyUnder(tablePath, dvFile)); // deletion vector files are referenced too
  };
  for (const f of snapshot.files()) keepFile(f.path, f.deletionVector);
  for (const r of snapshot.tombstones()) {
    if ((r.deletionTimestamp ?? now) > threshold) keepFile(r.path, r.deletionVector);
  }
  const deleted: string[] = [];
  let bytes = 0;
  // On S3 the listing carries each object's size and time (no HEAD per candidate); locally names are listed
  // without a stat per file, and only candidates are stat'ed.
  const listing: Array<{ key: string; size?: number }> = localRoot(store) === undefined ? await store.list('') : (await store.listKeys('')).map((key) => ({ key }));
  for (const entry of listing) {
    const key = entry.key;
    if (!isVacuumCandidate(key) || keep.has(key)) continue;
    const info = entry.size !== undefined ? (entry as ObjectInfo) : await store.head(key);
    if (!info || info.lastModified > threshold) continue;
    deleted.push(displayPath(store, tablePath, key));
    bytes += info.size;
    if (!opts.dryRun) await store.delete(key);
  }
  return { version: snapshot.version, retentionHours: retentionMs / 3600_000, deleted: deleted.sort(), bytes, dryRun: !!opts.dryRun };
}

/**
 * Whether vacuum may delete the file at `key` once unreferenced and old: in `_delta_log` only our own temp
 * entries of commits that died before linking (directly in it); elsewhere files a Delta writer makes
 * (isWriterFile), outside hidden `_`/`.` folders, and among hidden files only writer temp files.
 */
function isVacuumCandidate(key: string): boolean {
  const parts = key.split('/');
  const name = parts.pop()!;
  if (parts[0] === LOG_DIR) return parts.length === 1 && name.startsWith('.') && name.endsWith('.tmp');
  const hidden = (n: string) => (n.startsWith('_') || n.startsWith('.')) && !n.includes('=');
  if (parts.some(hidden)) return false;
  return isWriterFile(name) && (!hidden(name) || isWriterTemp(name));
}

/** The path vacuum reports for a key: the absolute local file, or the key under the store's location. */
function displayPath(store: ObjectStore, tablePath: string, key: string): string {
  return localRoot(store) !== undefined ? path.join(path.resolve(tablePath), ...key.split('/')) : `${store.location}/${key}`;
}
