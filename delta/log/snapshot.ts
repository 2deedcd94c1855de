/**
 * Snapshot: the state of a table at one version, rebuilt by log replay.
 *
 *   list _delta_log → pick target version (latest, or by version / timestamp)
 *     → newest complete checkpoint ≤ target (unreadable → CorruptCheckpoint naming the file: never skipped,
 *       docs/decisions/corrupt-checkpoint.md; an incomplete multi-part set is not a checkpoint and is ignored)
 *     → replay its actions, then commits checkpoint+1 … target in order
 *     → protocol gating (protocol.ts) → Snapshot
 *
 * The listing decides (one list of `_delta_log/` keys: a readdir on a local file system): `_last_checkpoint` is not
 * consulted, so a missing, stale or corrupt one does no harm (the checkpoint files themselves are what is read, and
 * checked). Writers still maintain it for engines that start from it.
 */
import { Action, AddFile, MetadataAction, PartitionValues, ProtocolAction, RemoveFile, TxnAction, parseActions } from './actions';
import { CheckpointActions, CheckpointRef, completeCheckpoints, readCheckpoint } from './checkpoint';
import { DeltaError } from '../errors';
import { LOG_DIR, LogFile, LogStore, commitFileName, logStore, parseLogFileName } from './log-store';
import { dataFilePath } from './paths';
import { partitionValueOf } from './column-mapping';
import { DeletionVectorDescriptor, deletionVectorId } from './deletion-vectors';
import { checkReadSupport } from './protocol';
import { joinLocation } from '../storage';
import { fieldOf, formatPartitionValue, parsePartitionValue, parseSchemaString, StructType } from '../schema';

export interface Snapshot {
  readonly tablePath: string;
  readonly version: number;
  readonly schema: StructType;
  readonly partitionColumns: string[];
  readonly metadata: MetadataAction;
  readonly protocol: ProtocolAction;
  /** Commit time (ms) of this version: the commit file's modification time, made monotonic as Delta does. */
  readonly timestamp: number;
  /** Live files; with `partition`, only files whose partition values equal those given. */
  files(partition?: PartitionValues): AddFile[];
  txnVersion(appId: string): number | undefined;
  /** Sum of stats.numRecords, undefined if any file lacks stats. */
  numRecords(partition?: PartitionValues): number | undefined;
  /** All txn pairs (for checkpoints). */
  txns(): TxnAction[];
  /** Remove tombstones still in the state (for checkpoints and vacuum). */
  tombstones(): RemoveFile[];
}

/**
 * Log replay state. A checkpoint is reconciled (each logical file appears once), so its file actions are kept
 * as read, in lists: no key is built and no map entry made for its 100,000 files. Commits after it are keyed
 * by logical file, and a checkpoint file they touch (added again or removed) gives way to their action.
 */
export class TableState {
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  readonly txns = new Map<string, TxnAction>();
  /** The checkpoint's file actions, in the batches they were read in. */
  private readonly checkpointAdds: AddFile[][] = [];
  private readonly checkpointRemoves: RemoveFile[][] = [];
  private readonly adds = new Map<string, AddFile>();
  private readonly removes = new Map<string, RemoveFile>();
  private readonly prefix: string;

  constructor(readonly tablePath: string) {
    this.prefix = joinLocation(tablePath, '_').slice(0, -1);
  }

  /** Actions of the checkpoint the replay starts from; before any `apply`. */
  applyCheckpoint(actions: CheckpointActions): void {
    if (actions.adds.length > 0) this.checkpointAdds.push(actions.adds);
    if (actions.removes.length > 0) this.checkpointRemoves.push(actions.removes);
    for (const a of actions.others) this.applyTableAction(a);
  }

  /** Actions of one commit, in log order. */
  apply(actions: Action[]): void {
    for (const a of actions) {
      if (a.add) {
        const key = this.key(a.add.path, a.add.deletionVector);
        this.adds.set(key, a.add);
        this.removes.delete(key);
      } else if (a.remove) {
        const key = this.key(a.remove.path, a.remove.deletionVector);
        this.adds.delete(key);
        this.removes.set(key, a.remove);
      } else this.applyTableAction(a);
    }
  }

  private applyTableAction(a: Action): void {
    if (a.metaData) this.metadata = a.metaData;
    else if (a.protocol) this.protocol = a.protocol;
    else if (a.txn) this.txns.set(a.txn.appId, a.txn);
  }

  /** Live files: the checkpoint's that no later commit touched, then the commits'. A new list. */
  liveFiles(): AddFile[] {
    return this.current(this.checkpointAdds, this.adds);
  }

  /** Remove tombstones: the checkpoint's that no later commit touched, then the commits'. A new list. */
  tombstones(): RemoveFile[] {
    return this.current(this.checkpointRemoves, this.removes);
  }

  private current<T extends AddFile | RemoveFile>(checkpoint: T[][], later: Map<string, T>): T[] {
    let files = ([] as T[]).concat(...checkpoint);
    if (this.adds.size > 0 || this.removes.size > 0) {
      files = files.filter((f) => {
        const key = this.key(f.path, f.deletionVector);
        return !this.adds.has(key) && !this.removes.has(key);
      });
    }
    for (const f of later.values()) files.push(f);
    return files;
  }

  /**
   * A logical file is (path, deletion vector), the path compared whatever URI spelling the log used
   * (relative, absolute, escaped): the common spelling (relative, nothing escaped) is its own key.
   */
  private key(p: string, dv: unknown): string {
    // The common spelling is its own key (no string built per file); others resolve to it when inside the table.
    let file = p;
    if (p.includes('%') || p.includes(':') || p.startsWith('/') || p.includes('\\') || p.includes('./')) {
      const full = dataFilePath(this.tablePath, p);
      file = full.startsWith(this.prefix) ? full.slice(this.prefix.length) : full;
    }
    return dv ? `${file}\u0000${deletionVectorId(dv as DeletionVectorDescriptor)}` : file;
  }
}

class LoadedSnapshot implements Snapshot {
  readonly schema: StructType;
  readonly partitionColumns: string[];
  readonly metadata: MetadataAction;
  readonly protocol: ProtocolAction;
  private readonly live: AddFile[];

  constructor(readonly tablePath: string, readonly version: number, readonly timestamp: number, private readonly state: TableState) {
    if (!state.protocol) throw new DeltaError('CorruptLog', `${tablePath}: no protocol action in the log up to version ${version}`);
    if (!state.metadata) throw new DeltaError('CorruptLog', `${tablePath}: no metaData action in the log up to version ${version}`);
    this.protocol = state.protocol;
    this.metadata = state.metadata;
    this.schema = parseSchemaString(state.metadata.schemaString, tablePath);
    this.partitionColumns = state.metadata.partitionColumns ?? [];
    this.live = state.liveFiles();
  }

  files(partition?: PartitionValues): AddFile[] {
    if (!partition || Object.keys(partition).length === 0) return this.live.slice();
    const wanted = Object.entries(partition).map(([c, v]) => [c, this.canonical(c, v)] as const);
    return this.live.filter((f) => wanted.every(([c, v]) => this.canonical(c, partitionValueOf(f.partitionValues, fieldOf(this.schema, c, this.tablePath))) === v));
  }

  /** Partition values compare by typed value, so '2026-1-5' style spellings or timestamp formats still match. */
  private canonical(column: string, raw: string | null): string | null {
    if (!this.partitionColumns.includes(column)) {
      throw new DeltaError('InvalidArgument', `${this.tablePath}: ${column} is not a partition column (partition columns: ${this.partitionColumns.join(', ') || 'none'})`);
    }
    const type = fieldOf(this.schema, column, this.tablePath).type;
    return formatPartitionValue(parsePartitionValue(raw, type, column), type, column);
  }

  txnVersion(appId: string): number | undefined {
    return this.state.txns.get(appId)?.version;
  }

  numRecords(partition?: PartitionValues): number | undefined {
    let n = 0;
    for (const f of this.files(partition)) {
      const c = statsNumRecords(f);
      if (c === undefined) return undefined;
      n += c;
    }
    return n;
  }

  txns(): TxnAction[] {
    return [...this.state.txns.values()];
  }

  tombstones(): RemoveFile[] {
    return this.state.tombstones();
  }
}

/** Rows of a file per its stats, minus the rows its deletion vector removes; undefined without stats. */
export function statsNumRecords(f: AddFile): number | undefined {
  if (!f.stats) return undefined;
  try {
    const n = JSON.parse(f.stats).numRecords;
    if (typeof n !== 'number') return undefined;
    const deleted = f.deletionVector ? Number((f.deletionVector as DeletionVectorDescriptor).cardinality) : 0;
    return Number.isFinite(deleted) ? n - deleted : undefined;
  } catch {
    return undefined;
  }
}

export async function tableExists(tablePath: string): Promise<boolean> {
  const store = logStore(tablePath);
  const entries = await store.list().catch((err: unknown) => {
    if (err instanceof DeltaError && err.code === 'TableNotFound') return [];
    throw err;
  });
  return entries.some((name) => parseLogFileName(name) !== undefined);
}

/** The commit files in a listing of `_delta_log`, by version. */
export function commitsOf(names: string[]): Map<number, string> {
  const commits = new Map<number, string>();
  for (const name of names) {
    const f = parseLogFileName(name);
    if (f?.kind === 'commit') commits.set(f.version, name);
  }
  return commits;
}

/** Loads the table at its latest version, or at `at.version`, or as of `at.timestamp`. */
export async function openTable(tablePath: string, at: { version?: number; timestamp?: Date | number } = {}): Promise<Snapshot> {
  return loadSnapshot(logStore(tablePath), at);
}

export async function loadSnapshot(store: LogStore, at: { version?: number; timestamp?: Date | number } = {}): Promise<Snapshot> {
  const table = store.tablePath;
  const names = await store.list();
  const logFiles = names.map(parseLogFileName).filter((f): f is LogFile => f !== undefined);
  const commits = commitsOf(names);
  const checkpoints = completeCheckpoints(logFiles);
  if (commits.size === 0 && checkpoints.length === 0) {
    throw new DeltaError('TableNotFound', `no Delta table at ${table} (${LOG_DIR} has no commits)`);
  }
  const latest = Math.max(...commits.keys(), ...checkpoints.map((c) => c.version));

  let target = latest;
  if (at.version !== undefined) {
    if (!Number.isInteger(at.version) || at.version < 0 || at.version > latest) {
      throw new DeltaError('VersionNotFound', `${table}: version ${at.version} does not exist (latest is ${latest})`);
    }
    target = at.version;
  } else if (at.timestamp !== undefined) {
    target = await versionAtTimestamp(store, commits, at.timestamp instanceof Date ? at.timestamp.getTime() : at.timestamp);
  }

  for (const cp of [...checkpoints.filter((c) => c.version <= target), undefined]) {
    const start = cp ? cp.version + 1 : 0;
    // Commits after the checkpoint must all be there; otherwise try an older checkpoint.
    let contiguous = true;
    for (let v = start; v <= target; v++) if (!commits.has(v)) contiguous = false;
    if (!contiguous) {
      if (cp) continue;
      const missing = [...Array(target + 1).keys()].find((v) => !commits.has(v));
      throw new DeltaError('CorruptLog', `${table}: cannot reconstruct version ${target}: commit ${missing} is missing and no checkpoint covers it`);
    }
    const state = new TableState(table);
    // An unreadable checkpoint fails the open (CorruptCheckpoint), as in delta-rs: no silent replay around it.
    if (cp) await readCheckpoint(store, cp, (actions) => state.applyCheckpoint(actions));
    await readCommits(store, start, target, (actions) => state.apply(actions));
    if (state.protocol) checkReadSupport(state.protocol, state.metadata, undefined, table);
    const snap = new LoadedSnapshot(table, target, await commitTimestamp(store, commits, target, cp), state);
    checkReadSupport(snap.protocol, snap.metadata, snap.schema, table);
    return snap;
  }
  throw new DeltaError('CorruptLog', `${table}: cannot reconstruct version ${target}`);
}

export async function readCommit(store: LogStore, version: number): Promise<Action[]> {
  const name = commitFileName(version);
  const buf = await store.read(name);
  if (!buf) throw new DeltaError('CorruptLog', `${store.tablePath}: commit ${name} is missing`);
  return parseActions(buf.toString('utf8'), joinLocation(store.tablePath, LOG_DIR, name));
}

/**
 * Reads commits start…end and hands them over in version order, keeping up to 64 reads in flight: a long
 * log is thousands of small files, and one-at-a-time reads leave the process waiting on the file system.
 */
export async function readCommits(store: LogStore, start: number, end: number, onCommit: (actions: Action[], version: number) => void): Promise<void> {
  const WINDOW = 64;
  const pending = new Map<number, Promise<Action[]>>();
  let next = start;
  const fill = () => {
    while (next <= end && pending.size < WINDOW) {
      const v = next++;
      const p = readCommit(store, v);
      p.catch(() => {}); // observed below, in order
      pending.set(v, p);
    }
  };
  for (let v = start; v <= end; v++) {
    fill();
    const actions = await pending.get(v)!;
    pending.delete(v);
    onCommit(actions, v);
  }
}

/** Commit timestamps of all versions, modification times made strictly increasing. */
export async function commitTimestamps(store: LogStore, commits: Map<number, string>): Promise<Map<number, number>> {
  const versions = [...commits.keys()].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let prev = -Infinity;
  for (const v of versions) {
    let t = await store.lastModified(commits.get(v)!);
    if (t <= prev) t = prev + 1;
    out.set(v, t);
    prev = t;
  }
  return out;
}

async function commitTimestamp(store: LogStore, commits: Map<number, string>, version: number, cp: CheckpointRef | undefined): Promise<number> {
  const name = commits.get(version);
  if (name) return store.lastModified(name);
  return cp ? store.lastModified(cp.files[0]) : 0;
}

/** The latest version committed at or before `ms`. */
async function versionAtTimestamp(store: LogStore, commits: Map<number, string>, ms: number): Promise<number> {
  const times = await commitTimestamps(store, commits);
  let found: number | undefined;
  for (const [v, t] of times) if (t <= ms) found = v;
  if (found === undefined) {
    const first = Math.min(...times.values());
    throw new DeltaError('VersionNotFound', `${store.tablePath}: timestamp ${new Date(ms).toISOString()} is before the earliest available commit (${new Date(first).toISOString()})`);
  }
  return found;
}
