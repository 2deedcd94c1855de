/**
 * Vacuum: delete data files that no version within the retention window refers to.
 *
 *   keep = live files ∪ files removed less than `retention` ago (time travel may still read them)
 *   walk the table folder (skipping hidden `_`/`.` entries other than our own stale temp files; in _delta_log
 *   only temp entries of commits that died before linking are considered)
 *   delete each file not in keep whose modification time is older than the retention, and only if it is a
 *   file a Delta writer makes (Parquet data files, deletion vector files, writer temp files: isWriterFile):
 *   a notes.txt or a CSV someone put in the folder is not the table's to delete
 *
 * The age test also protects in-flight writes: a staged file of a running unit is recent, so it stays; the
 * staged files of a run that failed long ago are not referenced and old, so they go.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isWriterFile, isWriterTemp, tombstoneRetentionMs } from '../transaction';
import { DeltaError, ioError } from '../errors';
import { dataFilePath, DeletionVectorDescriptor, deletionVectorFile, LOG_DIR, openTable } from '../log';

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
  const keep = new Set<string>();
  const keepFile = (p: string, dv: unknown) => {
    keep.add(path.resolve(dataFilePath(tablePath, p)));
    const dvFile = dv ? deletionVectorFile(tablePath, dv as DeletionVectorDescriptor) : undefined;
    if (dvFile) keep.add(path.resolve(dvFile)); // deletion vector files are referenced too
  };
  for (const f of snapshot.files()) keepFile(f.path, f.deletionVector);
  for (const r of snapshot.tombstones()) {
    if ((r.deletionTimestamp ?? now) > threshold) keepFile(r.path, r.deletionVector);
  }
  const deleted: string[] = [];
  let bytes = 0;
  const walk = async (dir: string, top: boolean): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw ioError('cannot list', dir, err);
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (top && e.name === LOG_DIR) {
        await staleLogTemps(full);
        continue;
      }
      const hidden = (e.name.startsWith('_') || e.name.startsWith('.')) && !e.name.includes('=');
      if (e.isDirectory()) {
        if (!hidden) await walk(full, false);
        continue;
      }
      if (!isWriterFile(e.name) || (hidden && !isWriterTemp(e.name))) continue;
      if (keep.has(path.resolve(full))) continue;
      const st = await fs.stat(full);
      if (st.mtimeMs > threshold) continue;
      deleted.push(full);
      bytes += st.size;
      if (!opts.dryRun) await fs.rm(full, { force: true });
    }
  };
  // In the log only our own temp entries of commits that died before linking are garbage; nothing else.
  const staleLogTemps = async (logDir: string): Promise<void> => {
    for (const name of await fs.readdir(logDir)) {
      if (!(name.startsWith('.') && name.endsWith('.tmp'))) continue;
      const full = path.join(logDir, name);
      const st = await fs.stat(full).catch(() => undefined);
      if (!st || st.mtimeMs > threshold) continue;
      deleted.push(full);
      bytes += st.size;
      if (!opts.dryRun) await fs.rm(full, { force: true });
    }
  };
  await walk(path.resolve(tablePath), true);
  return { version: snapshot.version, retentionHours: retentionMs / 3600_000, deleted: deleted.sort(), bytes, dryRun: !!opts.dryRun };
}
