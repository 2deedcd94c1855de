/**
 * Data files: reading one row group at a time (partition columns filled from the log's partition values),
 * and writing a staged file under its Hive-style partition folder with stats. A staged file is invisible
 * until a commit adds it. On a local file system it is written to a temp file in the same folder and renamed
 * (linked with `noReplace`); on object storage it is written to a local temp file, uploaded whole (multipart
 * when large), and the temp file removed. Either way a reader or a retried unit never sees half a file, and
 * writing the same name again replaces it (unless `noReplace`). docs/decisions/s3-staged-files.md.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaError, ioError } from '../errors';
import {
  AddFile, DeletionVectorDescriptor, PartitionValues, dataFilePath, hasPartitionValue, logicalColumn, partitionFolder,
  partitionValueOf, physicalField, readDeletionVector, tableKey, toAddPath,
} from '../log';
// Which Parquet reader or writer runs is the router's decision (delta/parquet/router.ts, with the measurements).
import {
  IntegerRange, ParquetFile, WriteColumn, integerColumnRanges, localCopy, openParquet, openParquetObject, parquetWriterFor, readRowGroups,
} from '../parquet';
import { StructField, StructType, fieldOf, formatPartitionValue, parsePartitionValue } from '../schema';
import { fsyncDir, localRoot, ObjectStore, objectAt, storeFor } from '../storage';
import { computeStats } from './stats';

export interface ColumnBatch {
  numRows: number;
  columns: Record<string, unknown[] | ArrayLike<unknown>>;
}

/**
 * Opens a data file on the table's store: on the local file system by path (DuckDB reads it there), elsewhere
 * as a store object read by ranged gets.
 */
async function open(tablePath: string, file: AddFile): Promise<ParquetFile> {
  const store = storeFor(tablePath);
  if (localRoot(store) !== undefined) return openParquet(dataFilePath(tablePath, file.path));
  const key = tableKey(tablePath, file.path);
  if (key !== undefined) return openParquetObject(store, key, `${store.location}/${key}`, file.size);
  const location = dataFilePath(tablePath, file.path); // a path the log names outside the table (a shallow clone)
  const at = objectAt(location);
  return openParquetObject(at.store, at.key, location, file.size);
}

/**
 * Row count of each Parquet row group of a data file, from its footer only (physical rows: rows a deletion
 * vector removes are still counted; readDataFile drops them).
 */
export async function dataFileRowGroups(tablePath: string, file: AddFile): Promise<number[]> {
  return (await open(tablePath, file)).rowGroupRows;
}

/**
 * Row counts of each row group of a data file and, per row group, the [min, max] its footer states for `field` (a
 * long or integer column; undefined where the footer states none, and for a partition column), from one footer
 * read. Like the counts, a range covers rows a deletion vector removes.
 */
export async function dataFileRowGroupRanges(tablePath: string, file: AddFile, field: StructField): Promise<{ rows: number[]; ranges: (IntegerRange | undefined)[] }> {
  const pf = await open(tablePath, file);
  const ranges = hasPartitionValue(file.partitionValues, field) ? pf.rowGroupRows.map(() => undefined) : integerColumnRanges(pf, physicalField(field).name);
  return { rows: pf.rowGroupRows, ranges };
}

/** A data file at a local path a SQL engine can read (DuckDB); `remove` deletes it when it is a copy. */
export interface LocalDataFile {
  path: string;
  remove(): Promise<void>;
}

/**
 * The data file at a local path for a SQL engine reading it by path (DuckDB): the file itself on the local file
 * system (remove does nothing); on an object store, a sparse local copy holding the footer and the chunks of the
 * given physical columns in every row group (delta/parquet/local-copy.ts), which the caller removes.
 */
export async function localDataFile(tablePath: string, file: AddFile, physicalColumns: string[]): Promise<LocalDataFile> {
  if (localRoot(storeFor(tablePath)) !== undefined) return { path: dataFilePath(tablePath, file.path), remove: async () => undefined };
  const pf = await open(tablePath, file);
  const copy = await localCopy(pf, pf.rowGroupRows.map((_, g) => g), physicalColumns);
  return { path: copy.pf.filePath, remove: copy.remove };
}

/**
 * Reads a data file as one batch per row group (memory bounded by a row group). Columns default to the
 * whole schema; partition columns are filled from `file.partitionValues` (the log, never the path).
 */
export async function* readDataFile(tablePath: string, file: AddFile, opts: { schema: StructType; columns?: string[]; rowGroups?: number[] }): AsyncGenerator<ColumnBatch> {
  const { schema } = opts;
  const names = opts.columns ?? schema.fields.map((f) => f.name);
  const fields = names.map((n) => fieldOf(schema, n, tablePath));
  const isPartition = (f: StructField) => hasPartitionValue(file.partitionValues, f);
  const fromFile = fields.filter((f) => !isPartition(f));
  const physical = fromFile.map(physicalField);
  const pf = await open(tablePath, file);
  const deleted = file.deletionVector ? await readDeletionVector(tablePath, file.path, file.deletionVector as DeletionVectorDescriptor) : undefined;
  const groups = opts.rowGroups ?? pf.rowGroupRows.map((_, i) => i);
  for (const g of groups) {
    if (pf.rowGroupRows[g] === undefined) {
      throw new DeltaError('InvalidArgument', `${tablePath}: file ${file.path} has no row group ${g} (it has ${pf.rowGroupRows.length})`);
    }
  }
  const reads = readRowGroups(pf, groups, physical);
  try {
    for (const g of groups) {
      const numRows = pf.rowGroupRows[g];
      const read = (await reads.next()).value!;
      const columns: Record<string, ArrayLike<unknown>> = {};
      for (const f of fields) {
        if (isPartition(f)) {
          const v = parsePartitionValue(partitionValueOf(file.partitionValues, f), f.type, f.name);
          columns[f.name] = new Array(numRows).fill(v);
        } else {
          columns[f.name] = logicalColumn(read[physicalField(f).name], f);
        }
      }
      if (!deleted) {
        yield { numRows, columns };
        continue;
      }
      // Row positions count from the start of the file.
      const first = pf.rowGroupStarts[g];
      const keep: number[] = [];
      for (let i = 0; i < numRows; i++) if (!deleted.has(first + i)) keep.push(i);
      if (keep.length === numRows) {
        yield { numRows, columns };
        continue;
      }
      const kept: Record<string, ArrayLike<unknown>> = {};
      for (const [name, col] of Object.entries(columns)) kept[name] = pick(col, keep);
      yield { numRows: keep.length, columns: kept };
    }
  } finally {
    await reads.return(undefined); // a consumer that stops early releases the reader's query
  }
}

/** The entries of a column at the given indexes (typed arrays stay typed). */
function pick(col: ArrayLike<unknown>, idx: number[]): ArrayLike<unknown> {
  const out: any = ArrayBuffer.isView(col) ? new (col.constructor as any)(idx.length) : new Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = col[idx[k]];
  return out;
}

/** Columns to write: values row by row, or a ConstantColumn for one value in every row. */
export interface WriteBatch {
  numRows: number;
  columns: Record<string, WriteColumn>;
}

export interface WriteDataFileOptions {
  /** The table schema. */
  schema: StructType;
  partitionColumns: string[];
  partitionValues: PartitionValues;
  /** Non-partition columns. */
  batch: WriteBatch;
  /** Deterministic file name; default part-<uuid>[.snappy].parquet, after the codec. */
  fileName?: string;
  /** Rows per Parquet row group (default 131072). */
  rowGroupRows?: number;
  /** Fail instead of replacing a file of the same name (put-if-absent: link, not rename). */
  noReplace?: boolean;
}

/** link() fails with EEXIST where rename() would replace: an existing file is never touched. */
async function linkIfAbsent(temp: string, target: string, what: string): Promise<void> {
  try {
    await fs.link(temp, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new DeltaError('InvalidArgument', `${what} already exists and is never replaced`);
    throw err;
  }
  await fs.rm(temp, { force: true });
}

/** Writes a staged (uncommitted) data file and returns the `add` action that would commit it. */
export async function writeDataFile(tablePath: string, opts: WriteDataFileOptions): Promise<AddFile> {
  const { schema, partitionColumns, batch } = opts;
  const partitionValues: PartitionValues = {};
  for (const c of partitionColumns) {
    const f = fieldOf(schema, c, tablePath);
    if (!(c in opts.partitionValues)) {
      throw new DeltaError('SchemaMismatch', `${tablePath}: no value for partition column ${c}`);
    }
    // Canonical form, so the same date or timestamp is always spelled the same way in the log.
    partitionValues[c] = formatPartitionValue(parsePartitionValue(opts.partitionValues[c], f.type, c), f.type, c);
  }
  for (const c of Object.keys(opts.partitionValues)) {
    if (!partitionColumns.includes(c)) throw new DeltaError('SchemaMismatch', `${tablePath}: ${c} is not a partition column`);
  }
  const dataSchema: StructType = { type: 'struct', fields: schema.fields.filter((f) => !partitionColumns.includes(f.name)) };
  for (const c of Object.keys(batch.columns)) {
    if (!dataSchema.fields.some((f) => f.name === c)) {
      throw new DeltaError('SchemaMismatch', `${tablePath}: batch column ${c} is not a data column of the table (columns: ${dataSchema.fields.map((f) => f.name).join(', ')})`);
    }
  }
  const writer = parquetWriterFor(dataSchema.fields, batch.columns);
  const fileName = opts.fileName ?? `part-${randomUUID()}${writer.suffix}.parquet`;
  if (fileName.includes('/') || fileName.includes(path.sep) || fileName.startsWith('.')) {
    throw new DeltaError('InvalidArgument', `${tablePath}: invalid data file name ${fileName}`);
  }
  const folder = partitionFolder(partitionColumns, partitionValues);
  const relative = folder ? `${folder}/${fileName}` : fileName;
  const write = (file: string) => writer.write(file, dataSchema, batch.numRows, batch.columns, { rowGroupRows: opts.rowGroupRows });
  const store = storeFor(tablePath);
  const written = localRoot(store) !== undefined
    ? await stageLocal(tablePath, relative, write, !!opts.noReplace)
    : await stageUpload(store, relative, write, !!opts.noReplace);
  return {
    path: toAddPath(relative),
    partitionValues,
    size: written.size,
    modificationTime: written.modificationTime,
    dataChange: true,
    stats: computeStats(dataSchema, batch.numRows, batch.columns),
  };
}

interface Staged {
  size: number;
  modificationTime: number;
}

/** Writes the file in place: a temp file beside it, fsynced, then renamed (or linked) to its name. */
async function stageLocal(tablePath: string, relative: string, write: (file: string) => Promise<void>, noReplace: boolean): Promise<Staged> {
  const fileName = relative.slice(relative.lastIndexOf('/') + 1);
  const target = path.join(tablePath, ...relative.split('/'));
  const temp = path.join(path.dirname(target), `.${fileName}.${randomUUID()}.tmp`);
  try {
    await fs.mkdir(path.dirname(target), { recursive: true });
    await write(temp);
    const fh = await fs.open(temp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (noReplace) await linkIfAbsent(temp, target, `${tablePath}: data file ${relative}`);
    else await fs.rename(temp, target);
    await fsyncDir(path.dirname(target)); // durable before any commit can reference it
  } catch (err) {
    await fs.rm(temp, { force: true });
    if (err instanceof DeltaError) throw err;
    throw ioError('cannot write data file', target, err);
  }
  const st = await fs.stat(target);
  return { size: st.size, modificationTime: Math.floor(st.mtimeMs) };
}

/**
 * Writes the file to a local temp folder, then uploads it under its key (put-if-absent with `noReplace`); the
 * temp folder is removed whatever happens. A failed upload leaves no object (a multipart one is aborted).
 */
async function stageUpload(store: ObjectStore, relative: string, write: (file: string) => Promise<void>, noReplace: boolean): Promise<Staged> {
  const where = `${store.location}/${relative}`;
  let dir: string | undefined;
  try {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-stage-'));
    const temp = path.join(dir, relative.slice(relative.lastIndexOf('/') + 1));
    await write(temp);
    const size = (await fs.stat(temp)).size;
    if (!(await store.putFile(relative, temp, { ifAbsent: noReplace }))) {
      throw new DeltaError('InvalidArgument', `${store.location}: data file ${relative} already exists and is never replaced`);
    }
    return { size, modificationTime: Date.now() };
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw ioError('cannot write data file', where, err);
  } finally {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  }
}
