/**
 * Checkpoints: a Parquet file per version N holding the whole table state (one row per action, one struct
 * column per action kind), so readers need not replay every commit. Reading handles classic and multi-part
 * checkpoints (an incomplete part set is skipped); writing produces a classic single-file checkpoint plus
 * `_last_checkpoint`, written only after commit N exists.
 */
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Action, AddFile, MetadataAction, ProtocolAction, RemoveFile, TxnAction, parseActions } from './actions';
import { dataFilePath } from './paths';
import { LAST_CHECKPOINT, LOG_DIR, LogFile, LogStore, checkpointFileName } from './log-store';
import { ParquetFile, openParquet, readLeafRows, readListRows, readMapRows, writeParquetFile } from './parquet';
import { StructType } from './schema';
import { DeletionVectorDescriptor } from './deletion-vectors';

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
 */
export async function readCheckpoint(tablePath: string, cp: CheckpointRef, onActions: (actions: CheckpointActions) => void): Promise<void> {
  const sidecars: string[] = [];
  for (const name of cp.files) {
    const file = path.join(tablePath, LOG_DIR, name);
    if (name.endsWith('.json')) {
      // v2 checkpoint in JSON: actions as in a commit, file actions possibly in sidecars
      const actions = noActions();
      for (const a of parseActions(await fs.readFile(file, 'utf8'), file)) {
        const sidecar = a.sidecar as { path?: string } | undefined;
        if (sidecar?.path) sidecars.push(sidecar.path);
        else if (a.add) actions.adds.push(a.add);
        else if (a.remove) actions.removes.push(a.remove);
        else actions.others.push(a);
      }
      onActions(actions);
      continue;
    }
    await readParquetActions(file, onActions, sidecars);
  }
  // v2 checkpoints keep add/remove actions in sidecar files under _delta_log/_sidecars
  for (const p of sidecars) await readParquetActions(dataFilePath(path.join(tablePath, LOG_DIR, '_sidecars'), p), onActions, []);
}

/** The actions of a Parquet checkpoint or sidecar file, a row group at a time; sidecar references go to `sidecars`. */
async function readParquetActions(file: string, onActions: (actions: CheckpointActions) => void, sidecars: string[]): Promise<void> {
  const pf = await openParquet(file, { inMemory: true });
  for (let g = 0; g < pf.rowGroupRows.length; g++) {
    const actions = noActions();
    const n = pf.rowGroupRows[g];
    const leaf = (p: string) => readLeafRows(pf, g, p.split('.'));
    const [aPath, aSize, aTime, aChange, aStats, aRowId, aRowVersion, aParts, aTags] = await Promise.all([
      leaf('add.path'), leaf('add.size'), leaf('add.modificationTime'), leaf('add.dataChange'), leaf('add.stats'),
      leaf('add.baseRowId'), leaf('add.defaultRowCommitVersion'),
      readMapRows(pf, g, ['add', 'partitionValues']), readMapRows(pf, g, ['add', 'tags']),
    ]);
    const aDv = await dvLeaves(pf, g, 'add');
    const [rPath, rTime, rChange, rExt, rSize] = await Promise.all([
      leaf('remove.path'), leaf('remove.deletionTimestamp'), leaf('remove.dataChange'), leaf('remove.extendedFileMetadata'), leaf('remove.size'),
    ]);
    // Maps are read only in a row group that has removes ([]: no rows), as footers cannot tell null maps from empty ones.
    const rParts = any(rPath) ? await readMapRows(pf, g, ['remove', 'partitionValues']) : [];
    const rDv = await dvLeaves(pf, g, 'remove');
    const [tApp, tVersion, tUpdated, sidecarPath] = await Promise.all([leaf('txn.appId'), leaf('txn.version'), leaf('txn.lastUpdated'), leaf('sidecar.path')]);
    const other = await tableActions(pf, g);
    for (let i = 0; i < n; i++) {
      if (aPath[i] != null) {
        const filePath = text(aPath[i]);
        const partitionValues = (aParts[i] ?? {}) as AddFile['partitionValues'];
        const size = Number(aSize[i] ?? 0);
        const modificationTime = Number(aTime[i] ?? 0);
        const dataChange = (aChange[i] ?? true) as boolean;
        // stats in the literal: a property added later would cost every file a separate property store
        const a: AddFile = aStats[i] != null
          ? { path: filePath, partitionValues, size, modificationTime, dataChange, stats: text(aStats[i]) }
          : { path: filePath, partitionValues, size, modificationTime, dataChange };
        if (aTags[i] != null) a.tags = aTags[i] as Record<string, string>;
        const dv = aDv(i);
        if (dv) a.deletionVector = dv;
        if (aRowId[i] != null) a.baseRowId = Number(aRowId[i]);
        if (aRowVersion[i] != null) a.defaultRowCommitVersion = Number(aRowVersion[i]);
        actions.adds.push(a);
      } else if (rPath[i] != null) {
        const r: RemoveFile = { path: text(rPath[i]), dataChange: (rChange[i] ?? true) as boolean };
        if (rTime[i] != null) r.deletionTimestamp = Number(rTime[i]);
        if (rExt[i] != null) r.extendedFileMetadata = rExt[i] as boolean;
        if (rParts[i] != null) r.partitionValues = rParts[i] as RemoveFile['partitionValues'];
        if (rSize[i] != null) r.size = Number(rSize[i]);
        const dv = rDv(i);
        if (dv) r.deletionVector = dv;
        actions.removes.push(r);
      } else if (tApp[i] != null) {
        const tx: TxnAction = { appId: text(tApp[i]), version: Number(tVersion[i]) };
        if (tUpdated[i] != null) tx.lastUpdated = Number(tUpdated[i]);
        actions.others.push({ txn: tx });
      } else if (sidecarPath[i] != null) {
        sidecars.push(text(sidecarPath[i]));
      } else {
        const a = other(i);
        if (a) actions.others.push(a);
      }
    }
    onActions(actions);
  }
}

/** The deletion vector descriptor of row i of an add or remove column, if any. */
async function dvLeaves(pf: Awaited<ReturnType<typeof openParquet>>, g: number, action: string): Promise<(i: number) => DeletionVectorDescriptor | undefined> {
  const [type, where, offset, size, card] = await Promise.all(
    ['storageType', 'pathOrInlineDv', 'offset', 'sizeInBytes', 'cardinality'].map((f) => readLeafRows(pf, g, [action, 'deletionVector', f])),
  );
  return (i) => (type[i] == null ? undefined : {
    storageType: text(type[i]),
    pathOrInlineDv: text(where[i]),
    ...(offset[i] != null ? { offset: Number(offset[i]) } : {}),
    sizeInBytes: Number(size[i]),
    cardinality: Number(card[i]),
  });
}

/** The metaData or protocol action of row i, if any: from leaf columns too (assembling 8,192 rows of nested nulls costs more). */
async function tableActions(pf: ParquetFile, g: number): Promise<(i: number) => Action | undefined> {
  const leaf = (p: string) => readLeafRows(pf, g, p.split('.'));
  const [id, name, description, provider, schemaString, createdTime, minReader, minWriter] = await Promise.all([
    leaf('metaData.id'), leaf('metaData.name'), leaf('metaData.description'), leaf('metaData.format.provider'), leaf('metaData.schemaString'),
    leaf('metaData.createdTime'), leaf('protocol.minReaderVersion'), leaf('protocol.minWriterVersion'),
  ]);
  if (!any(id) && !any(minReader)) return () => undefined; // a row group of file actions: its maps and lists are not read
  const [options, configuration] = await Promise.all([readMapRows(pf, g, ['metaData', 'format', 'options']), readMapRows(pf, g, ['metaData', 'configuration'])]);
  const [partitionColumns, readerFeatures, writerFeatures] = await Promise.all([
    readListRows(pf, g, ['metaData', 'partitionColumns']), readListRows(pf, g, ['protocol', 'readerFeatures']), readListRows(pf, g, ['protocol', 'writerFeatures']),
  ]);
  const texts = (v: unknown[] | null) => v && v.map((x) => (x == null ? x : text(x)));
  const textMap = (m: Record<string, unknown> | null) => m && Object.fromEntries(Object.entries(m).map(([k, x]) => [k, x == null ? null : text(x)]));
  return (i) => {
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
      return { metaData: m };
    }
    if (minReader[i] != null) {
      const pr: ProtocolAction = { minReaderVersion: Number(minReader[i]), minWriterVersion: Number(minWriter[i]) };
      if (readerFeatures[i] != null) pr.readerFeatures = texts(readerFeatures[i]) as string[];
      if (writerFeatures[i] != null) pr.writerFeatures = texts(writerFeatures[i]) as string[];
      return { protocol: pr };
    }
    return undefined;
  };
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
 * Writes a classic checkpoint of `state` as `N.checkpoint.parquet` (temp file + rename: a reader never sees
 * a partial one), then `_last_checkpoint`.
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
  const logPath = path.join(store.tablePath, LOG_DIR);
  const temp = path.join(logPath, `.${name}.${randomUUID()}.tmp`);
  try {
    // Modest row groups keep a reader's working set (and its GC) small; Spark readers do not care.
    await writeParquetFile(temp, CHECKPOINT_SCHEMA, rows.length, columns, { rowGroupRows: 8192 });
    await fs.rename(temp, path.join(logPath, name));
  } finally {
    await fs.rm(temp, { force: true });
  }
  const size = rows.length;
  await store.replace(LAST_CHECKPOINT, JSON.stringify({ version: state.version, size, numOfAddFiles: state.adds.length }) + '\n');
}
