/**
 * The commit path (optimistic concurrency), as delta-rs draws it:
 *
 *   read snapshot at v ──► plan actions (may decide "already committed" via txn) ──► put-if-absent v+1
 *        ▲                                                                              │ lost race
 *        └── re-read at the new head ◄── no conflict ◄── check each winner v+1…head ◄──┘ (conflict → error)
 *
 * After a successful commit whose version is a multiple of 10 a checkpoint is written (best effort: the
 * commit is already durable, a failed checkpoint only costs readers some replay).
 */
import { randomUUID } from 'node:crypto';
import {
  Action, commitFileName, CommitInfo, loadSnapshot, LogStore, logStore, parseActions, serializeActions, Snapshot, TxnAction, writeCheckpoint,
} from '../log';
import { ReadScope, conflictError, findConflict } from './conflicts';
import { DeltaError } from '../errors';
import { ENGINE_INFO } from './engine';

export interface CommitResult {
  version: number;
  /** True when txn showed this write already committed: nothing was written. */
  skipped: boolean;
}

/** What one attempt wants to commit, planned against a snapshot. */
export interface PlannedCommit {
  actions: Action[];
  operation: string;
  operationParameters: Record<string, unknown>;
  operationMetrics?: Record<string, unknown>;
  isBlindAppend: boolean;
  scope: ReadScope;
}

export interface CommitOptions {
  txn?: { appId: string; version: number };
  commitInfo?: Record<string, unknown>;
  maxRetries?: number;
  /** Commits between checkpoints (default 10). */
  checkpointInterval?: number;
  /**
   * The caller's own precondition, run against the snapshot of every attempt (after the txn check, before
   * planning) and at the new head when a lost race conflicts: it throws to abort the write.
   */
  check?: (snapshot: Snapshot) => Promise<void>;
}

export const DEFAULT_MAX_RETRIES = 15;

/**
 * Commits the actions `plan` derives from the latest snapshot, retrying at the new head after a lost race
 * that does not conflict. With `txn`, a table whose txn version for the appId is already ≥ ours is a no-op.
 */
export async function commitWithRetry(tablePath: string, plan: (snapshot: Snapshot) => PlannedCommit, opts: CommitOptions = {}): Promise<CommitResult> {
  const store = logStore(tablePath);
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  let lastConflictVersion = -1;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    const snapshot = await loadSnapshot(store);
    if (opts.txn) {
      const done = snapshot.txnVersion(opts.txn.appId);
      if (done !== undefined && done >= opts.txn.version) return { version: snapshot.version, skipped: true };
    }
    await opts.check?.(snapshot);
    const planned = plan(snapshot);
    const version = snapshot.version + 1;
    const actions = withCommitInfo(snapshot, planned, opts);
    if (await store.putIfAbsent(commitFileName(version), serializeActions(actions))) {
      await maybeCheckpoint(store, version, opts.checkpointInterval ?? 10);
      return { version, skipped: false };
    }
    // Lost the race: every winner since our read must leave what we read intact.
    for (let v = version; ; v++) {
      const buf = await store.read(commitFileName(v));
      if (!buf) break;
      const winner = parseActions(buf.toString('utf8'), `${tablePath}/_delta_log/${commitFileName(v)}`);
      const conflict = findConflict(winner, planned.scope, opts.txn?.appId);
      if (!conflict) continue;
      if (conflict.reason === 'txn' && opts.txn && conflict.txnVersion !== undefined && conflict.txnVersion >= opts.txn.version) {
        break; // our own write (an earlier attempt) won: the next loop returns skipped
      }
      await opts.check?.(await loadSnapshot(store)); // the caller's precondition may explain the conflict better
      throw conflictError(tablePath, v, conflict);
    }
    lastConflictVersion = version;
  }
  throw new DeltaError('ConcurrentModification', `${tablePath}: gave up after ${maxRetries + 1} attempts: other writers kept committing first (last lost race at version ${lastConflictVersion})`);
}

function withCommitInfo(snapshot: Snapshot, p: PlannedCommit, opts: CommitOptions): Action[] {
  const txn: TxnAction[] = opts.txn ? [{ appId: opts.txn.appId, version: opts.txn.version, lastUpdated: Date.now() }] : [];
  const info: CommitInfo = {
    timestamp: Date.now(),
    operation: p.operation,
    operationParameters: p.operationParameters,
    readVersion: snapshot.version,
    isolationLevel: 'Serializable',
    isBlindAppend: p.isBlindAppend,
    engineInfo: ENGINE_INFO,
    operationMetrics: p.operationMetrics ?? {},
    txnId: randomUUID(),
    ...(opts.commitInfo ?? {}),
  };
  return [{ commitInfo: info }, ...txn.map((t) => ({ txn: t })), ...p.actions];
}

/** Writes a checkpoint at `version` if it is due; failures are swallowed (the commit is durable). */
async function maybeCheckpoint(store: LogStore, version: number, interval: number): Promise<void> {
  if (interval <= 0 || version % interval !== 0) return;
  try {
    await checkpointAt(store, version);
  } catch {
    // A missing checkpoint only costs replay time; the next one will be attempted 10 commits later.
  }
}

/** Writes the checkpoint of `version` (which must be committed). */
export async function checkpointAt(store: LogStore, version: number): Promise<void> {
  const s = await loadSnapshot(store, { version });
  const retentionMs = tombstoneRetentionMs(s.metadata.configuration ?? {});
  const now = Date.now();
  await writeCheckpoint(store, {
    version,
    protocol: s.protocol,
    metadata: s.metadata,
    txns: s.txns(),
    adds: s.files(),
    removes: s.tombstones().filter((r) => (r.deletionTimestamp ?? now) > now - retentionMs),
  });
}

/** delta.deletedFileRetentionDuration ('interval 7 days' by default) in ms. */
export function tombstoneRetentionMs(conf: Record<string, string>): number {
  return parseInterval(conf['delta.deletedFileRetentionDuration']) ?? 7 * 24 * 3600 * 1000;
}

export function parseInterval(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^\s*(?:interval\s+)?(\d+)\s*(second|minute|hour|day|week)s?\s*$/i.exec(s);
  if (!m) return undefined;
  const unit = { second: 1e3, minute: 6e4, hour: 36e5, day: 864e5, week: 6048e5 }[m[2].toLowerCase() as 'second'];
  return Number(m[1]) * unit;
}
