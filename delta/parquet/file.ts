/**
 * Parquet file access: opening a file reads its footer (through the hyparquet adapter) and exposes row-group
 * sizes and top-level columns; the bytes are read on demand, by range, or all at once for a file read whole
 * (checkpoints, whose bytes may also come from a store: openParquetBytes). A file on a store that is not the
 * local file system is read by ranged gets (openParquetObject). Every reader in this room starts from a
 * ParquetFile.
 */
import { promises as fs, type BigIntStats } from 'node:fs';
import { DeltaError, ioError } from '../errors';
import { FileIdentityCache, ObjectStore } from '../storage';
import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData, type SchemaElement } from './hyparquet-adapter';

export interface ParquetFile {
  /** The local file, or where the file is for messages (`s3://bucket/t/part-0.parquet`) when not local. */
  readonly filePath: string;
  /** Whether `filePath` is a local file other tools (DuckDB) can open by path. */
  readonly local: boolean;
  /** Whether the bytes come by ranged gets from an object store (not a local file, not bytes already read). */
  readonly remote: boolean;
  readonly numRows: number;
  /** Row count of each row group. */
  readonly rowGroupRows: number[];
  /** Position in the file of each row group's first row (deletion vectors and row selection count from it). */
  readonly rowGroupStarts: number[];
  /** Top-level column names in the file. */
  readonly columnNames: string[];
  /** @internal library metadata with decimal annotations stripped so decimals reach us unscaled. */
  readonly meta: FileMetaData;
  /** @internal */
  readonly buffer: AsyncBuffer;
  /**
   * @internal For a file on an object store: bytes [start, end) read into `into` when the store can (a view of
   * it, else other bytes), so a reader of many ranges reuses its buffers (local-copy.ts).
   */
  readonly readInto?: (start: number, end: number, into: Uint8Array) => Promise<Uint8Array>;
  /** @internal top-level leaf columns as the file declares them (decimal scale, DATE...), for type widening. */
  readonly topLeaves: Map<string, SchemaElement>;
}

/**
 * Opens a Parquet file and reads its footer only; with `inMemory` the whole file is read at once (for
 * checkpoints, read end to end anyway: one read instead of one per column chunk).
 */
export async function openParquet(filePath: string, opts: { inMemory?: boolean } = {}): Promise<ParquetFile> {
  if (opts.inMemory) return parquetFileOf(filePath, true, false, await wholeFile(filePath));
  const { buffer, stat } = await fileBuffer(filePath);
  return { ...(await footers.get(filePath, stat, () => parquetFileOf(filePath, true, false, buffer))), buffer };
}

/**
 * Footers parsed lately in this process (32 files), by path with the file's identity and times: a worker scoring
 * many small units of one file (each a few of its row groups) parses its footer once. Any change to the file
 * (size, inode, mtime, ctime) parses it again, and a file changed in the last 2 s is not remembered. Data files
 * are not rewritten in place anyway: every write is a temp file renamed over its name, a new inode.
 */
const footers = new FileIdentityCache<ParquetFile>(32);

/** Opens a Parquet file already read whole (`name` names it in messages). */
export function openParquetBytes(name: string, bytes: Uint8Array): Promise<ParquetFile> {
  return parquetFileOf(name, false, false, inMemory(bytes));
}

/**
 * Opens the Parquet object `key` of a store, reading its footer by a ranged get and later only the byte
 * ranges a reader asks for (`name` names it in messages). `size`, when the log gives it (an add's size), saves
 * asking the store (a HEAD per file opened); a size that is not the object's fails the footer read.
 */
export async function openParquetObject(store: ObjectStore, key: string, name: string, size?: number): Promise<ParquetFile> {
  const missing = () => new DeltaError('CorruptDataFile', `data file ${name} is missing (referenced by the log)`);
  const byteLength = size !== undefined && size > 0 ? size : (await store.head(key))?.size;
  if (byteLength === undefined) throw missing();
  // The first get is the footer read (the file's tail); kept, so a later read of the footer (a local copy for
  // DuckDB, local-copy.ts) costs no second get.
  let tail: { start: number; bytes: ArrayBuffer } | undefined;
  const buffer: AsyncBuffer = {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? byteLength;
      if (tail && start >= tail.start && stop <= tail.start + tail.bytes.byteLength) return tail.bytes.slice(start - tail.start, stop - tail.start);
      const bytes = await store.get(key, { offset: start, length: stop - start });
      if (!bytes) throw missing();
      // The bytes' own buffer when they fill it (a get's body is one buffer of its length): no copy of 4 MiB pieces.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      const got = whole ? (bytes.buffer as ArrayBuffer) : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      if (!tail && stop === byteLength) tail = { start, bytes: got.slice(0) };
      return got;
    },
  };
  const readInto = async (start: number, end: number, into: Uint8Array): Promise<Uint8Array> => {
    if (tail && start >= tail.start && end <= tail.start + tail.bytes.byteLength) return new Uint8Array(tail.bytes, start - tail.start, end - start);
    const bytes = await store.get(key, { offset: start, length: end - start }, into);
    if (!bytes) throw missing();
    return bytes;
  };
  return { ...(await parquetFileOf(name, false, true, buffer)), readInto };
}

async function parquetFileOf(filePath: string, local: boolean, remote: boolean, buffer: AsyncBuffer): Promise<ParquetFile> {
  let meta: FileMetaData;
  try {
    meta = await parquetMetadataAsync(buffer);
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw new DeltaError('CorruptDataFile', `${filePath}: not a readable Parquet file (${(err as Error).message})`, { cause: err });
  }
  // Decimals reach us unscaled (exact); variants stay in their binary encoding (not decoded by the library).
  const schema = meta.schema.map((e) => (isDecimalElement(e) || e.logical_type?.type === 'VARIANT' ? { ...e, converted_type: undefined, logical_type: undefined } : e));
  const columnNames: string[] = [];
  // Top-level columns are the root's direct children, found by walking num_children.
  let i = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let c = 0; c < (meta.schema[at].num_children ?? 0); c++) next = skip(next);
    return next;
  };
  const topLeaves = new Map<string, SchemaElement>();
  while (i < meta.schema.length) {
    columnNames.push(meta.schema[i].name);
    if (!meta.schema[i].num_children) topLeaves.set(meta.schema[i].name, meta.schema[i]);
    i = skip(i);
  }
  const rowGroupRows = meta.row_groups.map((g) => Number(g.num_rows));
  const rowGroupStarts: number[] = [];
  for (let g = 0, at = 0; g < rowGroupRows.length; at += rowGroupRows[g++]) rowGroupStarts.push(at);
  return {
    filePath,
    local,
    remote,
    numRows: Number(meta.num_rows),
    rowGroupRows,
    rowGroupStarts,
    columnNames,
    meta: { ...meta, schema },
    buffer,
    topLeaves,
  };
}

function isDecimalElement(e: SchemaElement): boolean {
  return e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL';
}

/** An AsyncBuffer over a local file that reads only the byte ranges asked for. */
async function fileBuffer(filePath: string): Promise<{ buffer: AsyncBuffer; stat: BigIntStats }> {
  let size: number;
  let stat: BigIntStats;
  try {
    stat = await fs.stat(filePath, { bigint: true });
    size = Number(stat.size);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DeltaError('CorruptDataFile', `data file ${filePath} is missing (referenced by the log)`, { cause: err });
    }
    throw ioError('cannot stat', filePath, err);
  }
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const stop = end ?? size;
      const fh = await fs.open(filePath, 'r');
      try {
        const buf = Buffer.alloc(stop - start);
        let off = 0;
        while (off < buf.length) {
          const { bytesRead } = await fh.read(buf, off, buf.length - off, start + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return buf.buffer.slice(buf.byteOffset, buf.byteOffset + off) as ArrayBuffer;
      } finally {
        await fh.close();
      }
    },
  };
  return { buffer, stat };
}

async function wholeFile(filePath: string): Promise<AsyncBuffer> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(filePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DeltaError('CorruptDataFile', `${filePath} is missing`, { cause: err });
    throw ioError('cannot read', filePath, err);
  }
  return inMemory(buf);
}

function inMemory(buf: Uint8Array): InMemoryBuffer {
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const whole: InMemoryBuffer = { byteLength: ab.byteLength, slice: (start: number, end?: number) => ab.slice(start, end ?? ab.byteLength), bytes: ab };
  return whole;
}

/** A file read whole: the leaf reader takes views of it instead of copies (`slice` copies, as the library expects). */
export interface InMemoryBuffer extends AsyncBuffer {
  bytes: ArrayBuffer;
}
