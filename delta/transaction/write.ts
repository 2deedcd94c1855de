/**
 * Table operations on top of the commit path: create, append, full overwrite and replacePartition
 * (Spark's replaceWhere on partition values). Each is ONE commit; each checks first that this writer may
 * write the table (protocol.ts) and that the files fit the table's partitioning.
 */
import { randomUUID } from 'node:crypto';
import {
  Action, AddFile, checkWriteSupport, commitFileName, DEFAULT_PROTOCOL, isAppendOnly, loadSnapshot, LOG_DIR, logStore, MetadataAction, partitionFolder, PartitionValues, RemoveFile, serializeActions, Snapshot, statsNumRecords, tableExists,
} from '../log';
import { CommitOptions, CommitResult, PlannedCommit, commitWithRetry } from './commit';
import { DeltaError } from '../errors';
import { objectAt, storeFor } from '../storage';
import { ENGINE_INFO } from './engine';
import { fieldOf, formatPartitionValue, parsePartitionValue, sameSchema, schemaToString, StructType, typeName } from '../schema';

export interface TableDefinition {
  schema: StructType;
  partitionColumns: string[];
  name?: string;
  description?: string;
  configuration?: Record<string, string>;
}

export interface WriteOptions {
  /** Idempotence: skip the write if the table's txn version for appId is ≥ version; else commit the pair. */
  txn?: { appId: string; version: number };
  /** Merged into commitInfo, e.g. {runId, model: {...}}. */
  commitInfo?: Record<string, unknown>;
  /** The table's definition: created with it if absent; an existing table must have it (else SchemaMismatch). */
  createWith?: { schema: StructType; partitionColumns: string[]; name?: string; description?: string };
  /** Lost races retried before ConcurrentModification (default 15). */
  maxRetries?: number;
  /** A precondition checked against the snapshot of every commit attempt (CommitOptions.check). */
  check?: CommitOptions['check'];
}

/**
 * Creates the table at version 0 (protocol 1/2, metaData, commitInfo CREATE TABLE). If it already exists
 * with an equal schema and partition columns it is returned as is: two processes may race to create it.
 * A folder holding anything a Delta writer does not make (see foreignEntries) is refused with TargetNotDelta:
 * adopting it would put its files under the table's vacuum.
 */
export async function createTable(tablePath: string, def: TableDefinition): Promise<Snapshot> {
  validateDefinition(tablePath, def);
  const store = logStore(tablePath);
  if (!(await tableExists(tablePath))) {
    await refuseForeignFolder(tablePath, def.partitionColumns);
    const metadata: MetadataAction = {
      id: randomUUID(),
      name: def.name ?? null,
      description: def.description ?? null,
      format: { provider: 'parquet', options: {} },
      schemaString: schemaToString(def.schema),
      partitionColumns: def.partitionColumns,
      configuration: def.configuration ?? {},
      createdTime: Date.now(),
    };
    const actions: Action[] = [
      {
        commitInfo: {
          timestamp: Date.now(),
          operation: 'CREATE TABLE',
          operationParameters: {
            isManaged: 'false',
            description: def.description ?? null,
            partitionBy: JSON.stringify(def.partitionColumns),
            properties: JSON.stringify(def.configuration ?? {}),
          },
          isolationLevel: 'Serializable',
          isBlindAppend: true,
          engineInfo: ENGINE_INFO,
          operationMetrics: {},
          txnId: randomUUID(),
        },
      },
      { protocol: DEFAULT_PROTOCOL },
      { metaData: metadata },
    ];
    await store.putIfAbsent(commitFileName(0), serializeActions(actions)); // false: someone else created it
  }
  const snapshot = await loadSnapshot(store);
  checkDefinition(snapshot, def);
  return snapshot;
}

/** SchemaMismatch unless the table has exactly this schema and partitioning. */
function checkDefinition(snapshot: Snapshot, def: { schema: StructType; partitionColumns: string[] }): void {
  if (!sameSchema(snapshot.schema, def.schema) || snapshot.partitionColumns.join('\u0000') !== def.partitionColumns.join('\u0000')) {
    throw new DeltaError('SchemaMismatch', `${snapshot.tablePath}: table exists with a different definition: schema ${typeName(snapshot.schema)} partitioned by [${snapshot.partitionColumns.join(', ')}], wanted ${typeName(def.schema)} partitioned by [${def.partitionColumns.join(', ')}]`);
  }
}

/** Files a Delta writer makes in a table folder: Parquet data files, deletion vectors, and their temp files. */
export function isWriterFile(name: string): boolean {
  return isDataOrDv(name) || isWriterTemp(name);
}

/** `.<data file>.<id>.tmp`: a data file or deletion vector being written (renamed into place when done). */
export function isWriterTemp(name: string): boolean {
  const m = /^\.(.+)\.[^.]+\.tmp$/.exec(name);
  return m !== null && isDataOrDv(m[1]);
}

function isDataOrDv(name: string): boolean {
  return name.endsWith('.parquet') || /^deletion_vector_[0-9a-f-]+\.bin$/.test(name);
}

/**
 * What in a folder without a Delta table a writer of a table partitioned by `partitionColumns` would not have
 * made (at most `limit` paths, relative, folders ending in '/'): anything but `_delta_log/`, the partition
 * folders `col=value/` in column order, and writer files (isWriterFile) inside them. Data files staged before
 * the first commit are writer files, so the first commit of a new table still finds its folder clean.
 * Read from the store's listing of keys: on S3 a folder is a key prefix, so a folder holding no file is nothing.
 */
export async function foreignEntries(tablePath: string, partitionColumns: string[], limit = 5): Promise<string[]> {
  const found = new Set<string>();
  for (const key of await storeFor(tablePath).listKeys('')) {
    const parts = key.split('/');
    const name = parts.pop()!;
    if (parts[0] === LOG_DIR) continue;
    const outside = parts.findIndex((folder, depth) => !(depth < partitionColumns.length && isPartitionFolder(folder, partitionColumns[depth])));
    if (outside >= 0) found.add(`${parts.slice(0, outside + 1).join('/')}/`);
    else if (!(parts.length === partitionColumns.length ? isWriterFile(name) : isWriterTemp(name))) found.add(key);
    if (found.size >= limit) break;
  }
  return [...found];
}

function isPartitionFolder(name: string, column: string): boolean {
  return name.startsWith(partitionFolder([column], { [column]: 'x' }).slice(0, -1));
}

/**
 * TargetNotDelta if `tablePath` is a file (on S3: an object whose key is the location itself), or a folder
 * holding what a Delta writer does not make.
 */
async function refuseForeignFolder(tablePath: string, partitionColumns: string[]): Promise<void> {
  const { store, key } = objectAt(tablePath);
  if (key !== '' && (await store.head(key))) throw new DeltaError('TargetNotDelta', `${tablePath} is a file, not a Delta table folder: a table is never created there`);
  const foreign = await foreignEntries(tablePath, partitionColumns);
  if (foreign.length > 0) {
    throw new DeltaError('TargetNotDelta', `${tablePath} is a folder that is not empty and holds no Delta table (it has ${foreign.join(', ')}${foreign.length >= 5 ? ', ...' : ''}): a table is never created there`);
  }
}

function validateDefinition(tablePath: string, def: TableDefinition): void {
  const seen = new Set<string>();
  for (const f of def.schema.fields) {
    if (seen.has(f.name.toLowerCase())) throw new DeltaError('SchemaMismatch', `${tablePath}: duplicate column ${f.name}`);
    seen.add(f.name.toLowerCase());
  }
  for (const c of def.partitionColumns) {
    const f = fieldOf(def.schema, c, tablePath);
    if (typeof f.type !== 'string') throw new DeltaError('SchemaMismatch', `${tablePath}: partition column ${c} must have a primitive type, not ${typeName(f.type)}`);
  }
  if (def.partitionColumns.length > 0 && def.partitionColumns.length === def.schema.fields.length) {
    throw new DeltaError('SchemaMismatch', `${tablePath}: a table needs at least one column that is not a partition column`);
  }
}

async function ensureTable(tablePath: string, opts: WriteOptions): Promise<void> {
  if (opts.createWith && !(await tableExists(tablePath))) await createTable(tablePath, opts.createWith);
}

/** Canonical partition values of a file or a filter, typed per schema (so spellings compare equal). */
function canonicalPartition(snapshot: Snapshot, values: PartitionValues, columns: string[]): string {
  return JSON.stringify(columns.map((c) => {
    const t = fieldOf(snapshot.schema, c, snapshot.tablePath).type;
    return formatPartitionValue(parsePartitionValue(values[c] ?? null, t, c), t, c);
  }));
}

function checkAdds(snapshot: Snapshot, add: AddFile[]): void {
  const cols = snapshot.partitionColumns;
  for (const f of add) {
    const keys = Object.keys(f.partitionValues ?? {});
    if (keys.length !== cols.length || !cols.every((c) => keys.includes(c))) {
      throw new DeltaError('SchemaMismatch', `${snapshot.tablePath}: file ${f.path} has partition values for [${keys.join(', ')}], the table is partitioned by [${cols.join(', ')}]`);
    }
  }
}

function writable(snapshot: Snapshot): void {
  checkWriteSupport(snapshot.protocol, snapshot.metadata, snapshot.schema, snapshot.tablePath);
}

function removeOf(f: AddFile, now: number): RemoveFile {
  return { path: f.path, dataChange: true, deletionTimestamp: now, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size, ...(f.deletionVector ? { deletionVector: f.deletionVector } : {}) };
}

function writeMetrics(add: AddFile[], removed: AddFile[]): Record<string, string> {
  const rows = add.reduce((n, f) => n + (statsNumRecords(f) ?? 0), 0);
  return {
    numFiles: String(add.length),
    numOutputRows: String(rows),
    numOutputBytes: String(add.reduce((n, f) => n + f.size, 0)),
    numRemovedFiles: String(removed.length),
    numRemovedBytes: String(removed.reduce((n, f) => n + f.size, 0)),
  };
}

/** The planner, first checking that the table has the writer's definition (createWith) on every attempt. */
function conforming(opts: WriteOptions, plan: (snapshot: Snapshot) => PlannedCommit): (snapshot: Snapshot) => PlannedCommit {
  return (snapshot) => {
    if (opts.createWith) checkDefinition(snapshot, opts.createWith);
    return plan(snapshot);
  };
}

function commitOptions(opts: WriteOptions): CommitOptions {
  return { txn: opts.txn, commitInfo: opts.commitInfo, maxRetries: opts.maxRetries, check: opts.check };
}

/** Appends files (a blind append: never conflicts with other appends). */
export async function appendFiles(tablePath: string, add: AddFile[], opts: WriteOptions = {}): Promise<CommitResult> {
  await ensureTable(tablePath, opts);
  return commitWithRetry(tablePath, conforming(opts, (snapshot) => planAppend(snapshot, add)), commitOptions(opts));
}

/** Replaces the whole table's content with `add` in one commit. */
export async function overwriteTable(tablePath: string, add: AddFile[], opts: WriteOptions = {}): Promise<CommitResult> {
  await ensureTable(tablePath, opts);
  return commitWithRetry(tablePath, conforming(opts, (snapshot) => planOverwrite(snapshot, add)), commitOptions(opts));
}

/**
 * One commit that removes every live file of `partition` and adds `add` (Spark replaceWhere; operation WRITE,
 * mode Overwrite, with predicate). Every added file must belong to the partition.
 */
export async function replacePartition(tablePath: string, partition: PartitionValues, add: AddFile[], opts: WriteOptions = {}): Promise<CommitResult> {
  await ensureTable(tablePath, opts);
  return commitWithRetry(tablePath, conforming(opts, (snapshot) => planReplacePartition(snapshot, partition, add)), commitOptions(opts));
}

// ---- planners: the actions of one attempt, derived from the snapshot it read ----

export function planAppend(snapshot: Snapshot, add: AddFile[]): PlannedCommit {
  writable(snapshot);
  checkAdds(snapshot, add);
  return {
    actions: add.map((a) => ({ add: a })),
    operation: 'WRITE',
    operationParameters: { mode: 'Append', partitionBy: JSON.stringify(snapshot.partitionColumns) },
    operationMetrics: writeMetrics(add, []),
    isBlindAppend: true,
    scope: { kind: 'none' },
  };
}

export function planOverwrite(snapshot: Snapshot, add: AddFile[]): PlannedCommit {
  const tablePath = snapshot.tablePath;
  writable(snapshot);
  checkAdds(snapshot, add);
  const removed = snapshot.files();
  if (isAppendOnly(snapshot.metadata)) {
    throw new DeltaError('AppendOnly', `${tablePath}: delta.appendOnly=true forbids overwriting the table`);
  }
  const now = Date.now();
  return {
    actions: [...removed.map((f) => ({ remove: removeOf(f, now) })), ...add.map((a) => ({ add: a }))],
    operation: 'WRITE',
    operationParameters: { mode: 'Overwrite', partitionBy: JSON.stringify(snapshot.partitionColumns) },
    operationMetrics: writeMetrics(add, removed),
    isBlindAppend: false,
    scope: { kind: 'table' },
  };
}

export function planReplacePartition(snapshot: Snapshot, partition: PartitionValues, add: AddFile[]): PlannedCommit {
  const tablePath = snapshot.tablePath;
  writable(snapshot);
  checkAdds(snapshot, add);
  const cols = Object.keys(partition);
  if (cols.length === 0) throw new DeltaError('InvalidArgument', `${tablePath}: replacePartition needs at least one partition column value`);
  for (const c of cols) {
    if (!snapshot.partitionColumns.includes(c)) {
      throw new DeltaError('InvalidArgument', `${tablePath}: ${c} is not a partition column (partition columns: ${snapshot.partitionColumns.join(', ') || 'none'})`);
    }
  }
  const wanted = canonicalPartition(snapshot, partition, cols);
  const matches = (values: PartitionValues) => canonicalPartition(snapshot, values, cols) === wanted;
  for (const f of add) {
    if (!matches(f.partitionValues)) {
      throw new DeltaError('InvalidArgument', `${tablePath}: file ${f.path} has partition values ${JSON.stringify(f.partitionValues)} outside the replaced partition ${JSON.stringify(partition)}`);
    }
  }
  const removed = snapshot.files(partition);
  if (isAppendOnly(snapshot.metadata) && removed.length > 0) {
    throw new DeltaError('AppendOnly', `${tablePath}: delta.appendOnly=true forbids replacing partition ${JSON.stringify(partition)} (it has ${removed.length} files)`);
  }
  const now = Date.now();
  return {
    actions: [...removed.map((f) => ({ remove: removeOf(f, now) })), ...add.map((a) => ({ add: a }))],
    operation: 'WRITE',
    operationParameters: { mode: 'Overwrite', partitionBy: JSON.stringify(snapshot.partitionColumns), predicate: predicateText(snapshot, partition) },
    operationMetrics: writeMetrics(add, removed),
    isBlindAppend: false,
    scope: { kind: 'partition', partition, matches },
  };
}

/** `col = 'value' AND other IS NULL`, as Spark records a replaceWhere predicate. */
function predicateText(snapshot: Snapshot, partition: PartitionValues): string {
  return Object.entries(partition)
    .map(([c, v]) => {
      const t = fieldOf(snapshot.schema, c, snapshot.tablePath).type;
      const canon = formatPartitionValue(parsePartitionValue(v, t, c), t, c);
      if (canon === null) return `${c} IS NULL`;
      const numeric = ['long', 'integer', 'short', 'byte', 'float', 'double', 'boolean'].includes(t as string) || String(t).startsWith('decimal');
      return numeric ? `${c} = ${canon}` : `${c} = '${canon.replace(/'/g, "''")}'`;
    })
    .join(' AND ');
}
