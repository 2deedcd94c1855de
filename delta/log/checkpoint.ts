/**
 * Checkpoints: a Parquet file per version N holding the whole table state (one row per action, one struct
 * column per action kind), so readers need not replay every commit. Reading handles classic and multi-part
 * checkpoints (an incomplete part set is skipped); writing produces a classic single-file checkpoint plus
 * `_last_checkpoint`, written only after commit N exists.
 */
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { Action, AddFile, MetadataAction, ProtocolAction, RemoveFile, TxnAction, parseActions } from './actions';
import { tableKey } from './paths';
import { LAST_CHECKPOINT, LOG_DIR, LogFile, LogStore, checkpointFileName } from './log-store';
import { ParquetFile, openParquetBytes, readLeafRows, readListRows, readMapRows, writeParquetFile } from '../parquet';
import { StructType } from '../schema';
import { DeletionVectorDescriptor } from './deletion-vectors';
import { DeltaError, ioError } from '../errors';
import { joinLocation } from '../storage';

const str = (name: string) => ({ name, type: 'string', nullable: true, metadata: {} });
const long = (name: string) => ({ name, type: 'long', nullable: true, metadata: {} });
const int = (name: string) => ({ name, type: 'integer', nullable: true, metadata: {} });
const bool = (name: string) => ({ name, type: 'boolean', nullable: true, metadata: {} });
const strMap = (name: string) => ({ name, type: { type: 'map' as const, keyType: 'string', valueType: 'string', valueContainsNull: true }, nullable: true, metadata: {} });
const strArray = (name: string) => ({ name, type: { type: 'array' as const, elementType: 'string', containsNull: true }, nullable: true, metadata: {} });
const struct = (name: string, fields: StructType['fields']) => ({ name, type: { type: 'struct' as const, fields }, nullable: true, metadata: {} });
const deletionVector = struct('deletionVector', [str('storageType'), str('pathOrInlineDv'), int('offset'), int('sizeInBytes'), long('cardinality')]);

/** The checkpoint's columns, as Spark and delta-rs write them. */
export const CHECKPOINT_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    struct('txn', [str('appId'), long('version'), long('lastUpdated')]),
    struct('add', [str('path'), strMap('partitionValues'), long('size'), long('modificationTime'), bool('dataChange'), str('stats'), strMap('tags'), deletionVector, long('baseRowId'), long('defaultRowCommitVersion')]),
    struct('remove', [str('path'), long('deletionTimestamp'), bool('dataChange'), bool('extendedFileMetadata'), strMap('partitionValues'), long('size'), strMap('tags'), deletionVector]),
    struct('metaData', [str('id'), str('name'), str('description'), struct('format', [str('provider'), strMap('options')]), str('schemaString'), strArray('partitionColumns'), strMap('configuration'), long('createdTime')]),
    struct('protocol', [int('minReaderVersion'), int('minWriterVersion'), strArray('readerFeatures'), strArray('writerFeatures')]),
  ],
};

/** A checkpoint that can be used: all of its parts are present. */
export interface CheckpointRef {
  version: number;
  files: string[];
}

/** Complete checkpoints found in a listing, newest first: classic, multi-part (all parts present) and v2. */
export function completeCheckpoints(logFiles: LogFile[]): CheckpointRef[] {
  const byVersion = new Map<number, { single?: string; parts: Map<number, Map<number, string>> }>();
  const v2 = new Map<number, string>();
  for (const f of logFiles) {
    if (f.kind !== 'checkpoint') continue;
    if (f.v2) {
      v2.set(f.version, f.name); // UUID-named: one file, its sidecars named inside
      continue;
    }
    const e: { single?: string; parts: Map<number, Map<number, string>> } = byVersion.get(f.version) ?? { parts: new Map() };
    if (f.parts === undefined) e.single = f.name;
    else {
      const set = e.parts.get(f.parts) ?? new Map<number, string>();
      set.set(f.part!, f.name);
      e.parts.set(f.parts, set);
    }
    byVersion.set(f.version, e);
  }
  const out: CheckpointRef[] = [];
  for (const [version, e] of byVersion) {
    if (e.single) {
      out.push({ version, files: [e.single] });
      continue;
    }
    for (const [n, set] of e.parts) {
      if (set.size === n) {
        out.push({ version, files: [...set.entries()].sort((a, b) => a[0] - b[0]).map(([, name]) => name) });
        break;
      }
    }
  }
  for (const [version, name] of v2) if (!out.some((c) => c.version === version)) out.push({ version, files: [name] });
  return out.sort((a, b) => b.version - a.version);
}

/** Whether any row has a value. */
function any(rows: ArrayLike<unknown>): boolean {
  for (let i = 0; i < rows.length; i++) if (rows[i] != null) return true;
  return false;
}

const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
// Raw reads hand over bytes for string columns a writer left unannotated.
const text = (v: unknown): string => (v instanceof Uint8Array ? new TextDecoder().decode(v) : (v as string));

/** Some of a checkpoint's actions: its file actions apart (no wrapper object per file), the others as in a commit. */
export interface CheckpointActions {
  adds: AddFile[];
  removes: RemoveFile[];
  others: Action[];
}

const noActions = (): CheckpointActions => ({ adds: [], removes: [], others: [] });

/**
 * Reads the actions of a checkpoint (all parts) and hands them to `onActions` row group by row group (the
 * caller keeps what it needs; no list of the whole checkpoint is built). Actions come from leaf columns
 * directly (no nested assembly: a checkpoint of 100,000 files is 100,000 small structs).
 * A part or sidecar that cannot be read fails with `CorruptCheckpoint` naming it (docs/decisions/corrupt-checkpoint.md).
 */
export async function readCheckpoint(store: LogStore, cp: CheckpointRef, onActions: (actions: CheckpointActions) => void): Promise<void> {
  const tablePath = store.tablePath;
  const sidecars: string[] = [];
  for (const name of cp.files) {
    const file = joinLocation(tablePath, LOG_DIR, name);
    if (name.endsWith('.json')) {
      // v2 checkpoint in JSON: actions as in a commit, file actions possibly in sidecars
      const actions = noActions();
      for (const a of await checkpointFile(file, async () => parseActions((await readWhole(store, name, file)).toString('utf8'), file))) {
        const sidecar = a.sidecar as { path?: string } | undefined;
        if (sidecar?.path) sidecars.push(sidecar.path);
        else if (a.add) actions.adds.push(a.add);
        else if (a.remove) actions.removes.push(a.remove);
        else actions.others.push(a);
      }
      onActions(actions);
      continue;
    }
    await checkpointFile(file, async () => readParquetActions(file, await readWhole(store, name, file), onActions, sidecars));
  }
  // v2 checkpoints keep add/remove actions in sidecar files under _delta_log/_sidecars
  for (const p of sidecars) {
    const key = tableKey(tablePath, p, `${LOG_DIR}/_sidecars`);
    const file = key ? joinLocation(tablePath, key) : p;
    const name = key?.startsWith(`${LOG_DIR}/`) ? key.slice(LOG_DIR.length + 1) : undefined;
    if (name === undefined) throw new DeltaError('CorruptCheckpoint', `checkpoint sidecar ${p} of ${tablePath} is outside its ${LOG_DIR}`);
    await checkpointFile(file, async () => readParquetActions(file, await readWhole(store, name, file), onActions, []));
  }
}

/** A log file's bytes; a missing one is an error naming `file` (the checkpoint it belongs to is then unreadable). */
async function readWhole(store: LogStore, name: string, file: string): Promise<Buffer> {
  const bytes = await store.read(name);
  if (!bytes) throw new DeltaError('CorruptDataFile', `${file} is missing`);
  return bytes;
}

/**
 * Runs a read of one checkpoint file. A file-system error stays an `Io` error (retrying may help: the file was
 * being removed, a mount hiccuped); anything else means the file's bytes are not a checkpoint: `CorruptCheckpoint`.
 */
async function checkpointFile<T>(file: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall !== undefined) throw ioError('cannot read checkpoint', file, err);
    if (err instanceof DeltaError && err.code === 'Io') throw err;
    const reason = (err instanceof Error ? err.message : String(err)).replace(`${file}: `, '');
    throw new DeltaError('CorruptCheckpoint', `checkpoint ${file} cannot be read: ${reason}`, { cause: err });
  }
}

/** The actions of a Parquet checkpoint or sidecar file, a row group at a time; sidecar references go to `sidecars`. */
async function readParquetActions(file: string, bytes: Uint8Array, onActions: (actions: CheckpointActions) => void, sidecars: string[]): Promise<void> {
  const pf = await openParquetBytes(file, bytes);
  for (let g = 0; g < pf.rowGroupRows.length; g++) onActions(rowGroupActions(await actionColumns(pf, g), pf.rowGroupRows[g], sidecars));
}

type Rows = ArrayLike<unknown>;

/** A row group's action columns, row-aligned. */
interface ActionColumns {
  add: { path: Rows; size: Rows; time: Rows; change: Rows; stats: Rows; rowId: Rows; rowVersion: Rows; parts: Rows; tags: Rows; dv: DvColumns };
  remove: { path: Rows; time: Rows; change: Rows; ext: Rows; size: Rows; parts: Rows; dv: DvColumns };
  txn: { app: Rows; version: Rows; updated: Rows };
  sidecarPath: Rows;
  /** metaData and protocol actions by row. */
  tableActions: Map<number, Action>;
}

async function actionColumns(pf: ParquetFile, g: number): Promise<ActionColumns> {
  const leaf = (p: string) => readLeafRows(pf, g, p.split('.'));
  const [path, size, time, change, stats, rowId, rowVersion, parts, tags] = await Promise.all([
    leaf('add.path'), leaf('add.size'), leaf('add.modificationTime'), leaf('add.dataChange'), leaf('add.stats'),
    leaf('add.baseRowId'), leaf('add.defaultRowCommitVersion'),
    readMapRows(pf, g, ['add', 'partitionValues']), readMapRows(pf, g, ['add', 'tags']),
  ]);
  const add = { path, size, time, change, stats, rowId, rowVersion, parts, tags, dv: await dvLeaves(pf, g, 'add') };
  const [rPath, rTime, rChange, rExt, rSize] = await Promise.all([
    leaf('remove.path'), leaf('remove.deletionTimestamp'), leaf('remove.dataChange'), leaf('remove.extendedFileMetadata'), leaf('remove.size'),
  ]);
  // Maps are read only in a row group that has removes ([]: no rows), as footers cannot tell null maps from empty ones.
  const rParts = any(rPath) ? await readMapRows(pf, g, ['remove', 'partitionValues']) : [];
  const remove = { path: rPath, time: rTime, change: rChange, ext: rExt, size: rSize, parts: rParts, dv: await dvLeaves(pf, g, 'remove') };
  const [app, version, updated, sidecarPath] = await Promise.all([leaf('txn.appId'), leaf('txn.version'), leaf('txn.lastUpdated'), leaf('sidecar.path')]);
  return { add, remove, txn: { app, version, updated }, sidecarPath, tableActions: await tableActions(pf, g) };
}

/**
 * The actions of a row group's rows. A plain loop over small builders, apart from the async reads: one big
 * async function took the JIT 180 ms of compiling (twice, after a deopt) for a 100,000-file checkpoint.
 */
function rowGroupActions(c: ActionColumns, n: number, sidecars: string[]): CheckpointActions {
  const actions = noActions();
  for (let i = 0; i < n; i++) {
    if (c.add.path[i] != null) actions.adds.push(addAt(c.add, i));
    else if (c.remove.path[i] != null) actions.removes.push(removeAt(c.remove, i));
    else if (c.txn.app[i] != null) actions.others.push({ txn: txnAt(c.txn, i) });
    else if (c.sidecarPath[i] != null) sidecars.push(text(c.sidecarPath[i]));
    else {
      const a = c.tableActions.get(i);
      if (a) actions.others.push(a);
    }
  }
  return actions;
}

function addAt(c: ActionColumns['add'], i: number): AddFile {
  const path = text(c.path[i]);
  const partitionValues = (c.parts[i] ?? {}) as AddFile['partitionValues'];
  const size = Number(c.size[i] ?? 0);
  const modificationTime = Number(c.time[i] ?? 0);
  const dataChange = (c.change[i] ?? true) as boolean;
  // stats in the literal: a property added later would cost every file a separate property store
  const a: AddFile = c.stats[i] != null
    ? { path, partitionValues, size, modificationTime, dataChange, stats: text(c.stats[i]) }
    : { path, partitionValues, size, modificationTime, dataChange };
  if (c.tags[i] != null) a.tags = c.tags[i] as Record<string, string>;
  const dv = dvAt(c.dv, i);
  if (dv) a.deletionVector = dv;
  if (c.rowId[i] != null) a.baseRowId = Number(c.rowId[i]);
  if (c.rowVersion[i] != null) a.defaultRowCommitVersion = Number(c.rowVersion[i]);
  return a;
}

function removeAt(c: ActionColumns['remove'], i: number): RemoveFile {
  const r: RemoveFile = { path: text(c.path[i]), dataChange: (c.change[i] ?? true) as boolean };
  if (c.time[i] != null) r.deletionTimestamp = Number(c.time[i]);
  if (c.ext[i] != null) r.extendedFileMetadata = c.ext[i] as boolean;
  if (c.parts[i] != null) r.partitionValues = c.parts[i] as RemoveFile['partitionValues'];
  if (c.size[i] != null) r.size = Number(c.size[i]);
  const dv = dvAt(c.dv, i);
  if (dv) r.deletionVector = dv;
  return r;
}

function txnAt(c: ActionColumns['txn'], i: number): TxnAction {
  const tx: TxnAction = { appId: text(c.app[i]), version: Number(c.version[i]) };
  if (c.updated[i] != null) tx.lastUpdated = Number(c.updated[i]);
  return tx;
}

/** The deletion vector leaves of an add or remove column. */
interface DvColumns { type: Rows; where: Rows; offset: Rows; size: Rows; card: Rows }

async function dvLeaves(pf: ParquetFile, g: number, action: string): Promise<DvColumns> {
  const [type, where, offset, size, card] = await Promise.all(
    ['storageType', 'pathOrInlineDv', 'offset', 'sizeInBytes', 'cardinality'].map((f) => readLeafRows(pf, g, [action, 'deletionVector', f])),
  );
  return { type, where, offset, size, card };
}

/** The deletion vector descriptor of row i, if any. */
function dvAt(c: DvColumns, i: number): DeletionVectorDescriptor | undefined {
  return c.type[i] == null ? undefined : {
    storageType: text(c.type[i]),
    pathOrInlineDv: text(c.where[i]),
    ...(c.offset[i] != null ? { offset: Number(c.offset[i]) } : {}),
    sizeInBytes: Number(c.size[i]),
    cardinality: Number(c.card[i]),
  };
}

/**
 * The metaData and protocol actions of a row group, by row (a few rows at most): from leaf columns too
 * (assembling 8,192 rows of nested nulls costs more).
 */
async function tableActions(pf: ParquetFile, g: number): Promise<Map<number, Action>> {
  const out = new Map<number, Action>();
  const leaf = (p: string) => readLeafRows(pf, g, p.split('.'));
  const [id, name, description, provider, schemaString, createdTime, minReader, minWriter] = await Promise.all([
    leaf('metaData.id'), leaf('metaData.name'), leaf('metaData.description'), leaf('metaData.format.provider'), leaf('metaData.schemaString'),
    leaf('metaData.createdTime'), leaf('protocol.minReaderVersion'), leaf('protocol.minWriterVersion'),
  ]);
  if (!any(id) && !any(minReader)) return out; // a row group of file actions: its maps and lists are not read
  const [options, configuration] = await Promise.all([readMapRows(pf, g, ['metaData', 'format', 'options']), readMapRows(pf, g, ['metaData', 'configuration'])]);
  const [partitionColumns, readerFeatures, writerFeatures] = await Promise.all([
    readListRows(pf, g, ['metaData', 'partitionColumns']), readListRows(pf, g, ['protocol', 'readerFeatures']), readListRows(pf, g, ['protocol', 'writerFeatures']),
  ]);
  const texts = (v: unknown[] | null) => v && v.map((x) => (x == null ? x : text(x)));
  const textMap = (m: Record<string, unknown> | null) => m && Object.fromEntries(Object.entries(m).map(([k, x]) => [k, x == null ? null : text(x)]));
  for (let i = 0; i < pf.rowGroupRows[g]; i++) {
    if (id[i] != null) {
      const m: MetadataAction = {
        id: text(id[i]),
        name: name[i] == null ? null : text(name[i]),
        description: description[i] == null ? null : text(description[i]),
        format: { provider: provider[i] == null ? 'parquet' : text(provider[i]), options: (textMap(options[i]) ?? {}) as Record<string, string> },
        schemaString: text(schemaString[i]),
        partitionColumns: (texts(partitionColumns[i]) ?? []) as string[],
        configuration: (textMap(configuration[i]) ?? {}) as Record<string, string>,
        createdTime: num(createdTime[i]) ?? null,
      };
      out.set(i, { metaData: m });
    } else if (minReader[i] != null) {
      const pr: ProtocolAction = { minReaderVersion: Number(minReader[i]), minWriterVersion: Number(minWriter[i]) };
      if (readerFeatures[i] != null) pr.readerFeatures = texts(readerFeatures[i]) as string[];
      if (writerFeatures[i] != null) pr.writerFeatures = texts(writerFeatures[i]) as string[];
      out.set(i, { protocol: pr });
    }
  }
  return out;
}

export interface CheckpointState {
  version: number;
  protocol: ProtocolAction;
  metadata: MetadataAction;
  txns: TxnAction[];
  adds: AddFile[];
  /** Tombstones still within the retention window (vacuum needs them). */
  removes: RemoveFile[];
}

/**
 * Writes a classic checkpoint of `state` as `N.checkpoint.parquet` (into a local temp file, then replaced
 * whole in the store: a reader never sees a partial one), then `_last_checkpoint`.
 */
export async function writeCheckpoint(store: LogStore, state: CheckpointState): Promise<void> {
  const rows: Record<string, unknown>[] = [
    { protocol: state.protocol },
    { metaData: state.metadata },
    ...state.txns.map((txn) => ({ txn })),
    ...state.adds.map((add) => ({ add: { ...add, deletionVector: add.deletionVector ?? null } })),
    ...state.removes.map((remove) => ({ remove: { ...remove, extendedFileMetadata: remove.extendedFileMetadata ?? false } })),
  ];
  const columns: Record<string, unknown[]> = {};
  for (const f of CHECKPOINT_SCHEMA.fields) columns[f.name] = rows.map((r) => r[f.name] ?? null);
  const name = checkpointFileName(state.version);
  const tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'delta-checkpoint-'));
  try {
    const temp = path.join(tempDir, name);
    // Modest row groups keep a reader's working set (and its GC) small; Spark readers do not care.
    await writeParquetFile(temp, CHECKPOINT_SCHEMA, rows.length, columns, { rowGroupRows: 8192 });
    await store.replaceWithFile(name, temp);
  } finally {
    await fs.rm(tempDir, { recursive: true, force: true });
  }
  const size = rows.length;
  await store.replace(LAST_CHECKPOINT, JSON.stringify({ version: state.version, size, numOfAddFiles: state.adds.length }) + '\n');
}
