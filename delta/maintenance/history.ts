/**
 * Table history: the commitInfo of each version, newest first (what `delta history` prints).
 */
import {
  Action, commitFileName, CommitInfo, commitsOf, commitTimestamps, LOG_DIR, logStore, parseActions, readCommit, Snapshot,
} from '../log';
import { joinLocation } from '../storage';

export interface HistoryEntry {
  version: number;
  /** Commit time (ms): commit file modification time, made monotonic. */
  timestamp: number;
  operation?: string;
  operationParameters?: Record<string, unknown>;
  readVersion?: number;
  isBlindAppend?: boolean;
  engineInfo?: string;
  operationMetrics?: Record<string, unknown>;
  /** The whole commitInfo as written (engines add their own keys). */
  commitInfo: CommitInfo;
}

export async function tableHistory(tablePath: string, opts: { limit?: number } = {}): Promise<HistoryEntry[]> {
  const store = logStore(tablePath);
  const commits = commitsOf(await store.list());
  const times = await commitTimestamps(store, commits);
  const versions = [...commits.keys()].sort((a, b) => b - a).slice(0, opts.limit ?? Infinity);
  const out: HistoryEntry[] = [];
  for (const version of versions) {
    const info = (await readCommit(store, version)).find((a) => a.commitInfo)?.commitInfo ?? {};
    out.push({
      version,
      timestamp: times.get(version)!,
      operation: info.operation,
      operationParameters: info.operationParameters,
      readVersion: info.readVersion,
      isBlindAppend: info.isBlindAppend,
      engineInfo: info.engineInfo,
      operationMetrics: info.operationMetrics,
      commitInfo: info,
    });
  }
  return out;
}

/**
 * The commits of a snapshot, newest first: its own version, then each earlier one, read one at a time so a
 * caller looking for the latest commit of some kind reads only what it needs. Ends at version 0 or at the
 * first commit file log cleanup has removed.
 */
export async function* commitsNewestFirst(snapshot: Snapshot): AsyncGenerator<{ version: number; actions: Action[] }> {
  const store = logStore(snapshot.tablePath);
  for (let version = snapshot.version; version >= 0; version--) {
    const buf = await store.read(commitFileName(version));
    if (!buf) return;
    yield { version, actions: parseActions(buf.toString('utf8'), joinLocation(snapshot.tablePath, LOG_DIR, commitFileName(version))) };
  }
}
