/**
 * The Parquet layer: the only module that touches the Parquet library (hyparquet / hyparquet-writer).
 * It maps Delta types to Parquet schema elements and converts values between the Delta value form
 * (see values.ts) and Parquet physical values, in both directions:
 *
 *   read:  footer → row group g → hyparquet (decimals and timestamps left raw) → Delta values per Delta type
 *   write: Delta values → physical (bigint micros, day numbers, unscaled decimals) → hyparquet-writer → file
 *
 * Timestamps are written as INT64 TIMESTAMP(MICROS, UTC-adjusted), as Spark 3.x and delta-rs write them;
 * INT96, MILLIS, MICROS and NANOS are all read.
 */
import { parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData, type SchemaElement } from 'hyparquet';
import { fileWriter, parquetWrite } from 'hyparquet-writer';
// Page-level building blocks (exact version pinned in package.json) for the leaf reader below.
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { promises as fs } from 'node:fs';
import { DeltaError, ioError } from './errors';
import { textPageV1, textPageV2 } from './parquet-text';
import { COMPRESSORS } from './snappy';
import { ArrayType, DataType, MapType, StructField, StructType, decimalType, isArray, isMap, isStruct } from './schema';
import { DeltaTimestamp, dateFromDays, daysFromDate, decimalToString, decimalUnscaled, timestampMicros } from './values';

export interface ParquetFile {
  readonly filePath: string;
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
  /** @internal top-level leaf columns as the file declares them (decimal scale, DATE...), for type widening. */
  readonly topLeaves: Map<string, SchemaElement>;
}

/**
 * Opens a Parquet file and reads its footer only; with `inMemory` the whole file is read at once (for
 * checkpoints, read end to end anyway: one read instead of one per column chunk).
 */
export async function openParquet(filePath: string, opts: { inMemory?: boolean } = {}): Promise<ParquetFile> {
  const buffer = opts.inMemory ? await wholeFile(filePath) : await fileBuffer(filePath);
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
async function fileBuffer(filePath: string): Promise<AsyncBuffer> {
  let size: number;
  try {
    size = (await fs.stat(filePath)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new DeltaError('CorruptDataFile', `data file ${filePath} is missing (referenced by the log)`, { cause: err });
    }
    throw ioError('cannot stat', filePath, err);
  }
  return {
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
}

async function wholeFile(filePath: string): Promise<AsyncBuffer> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(filePath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new DeltaError('CorruptDataFile', `${filePath} is missing`, { cause: err });
    throw ioError('cannot read', filePath, err);
  }
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const whole: InMemoryBuffer = { byteLength: ab.byteLength, slice: (start: number, end?: number) => ab.slice(start, end ?? ab.byteLength), bytes: ab };
  return whole;
}

/** A file read whole: the leaf reader takes views of it instead of copies (`slice` copies, as the library expects). */
interface InMemoryBuffer extends AsyncBuffer {
  bytes: ArrayBuffer;
}

// Parsers that keep timestamps exact (bigint microseconds) and dates as day numbers; values.ts forms come later.
const RAW_PARSERS = {
  timestampFromMilliseconds: (ms: bigint) => BigInt(ms) * 1000n,
  timestampFromMicroseconds: (us: bigint) => BigInt(us),
  timestampFromNanoseconds: (ns: bigint) => {
    const n = BigInt(ns);
    return n >= 0n || n % 1000n === 0n ? n / 1000n : n / 1000n - 1n;
  },
  dateFromDays: (days: number) => days,
};

export interface ReadOptions {
  /**
   * Read a top-level struct whose members are all null in the row group as null without decoding it. Exact
   * for checkpoints (an action struct with a null path is no action; an empty tags map is no tags); for data
   * it would turn {a: null} into null and [null] or {} into null, so data reads leave it off: there only
   * primitive columns and non-repeated struct members are skipped that way.
   */
  nullStructWhenMembersNull?: boolean;
  /**
   * Values as the Parquet library assembles them (longs as bigint, structs and maps as objects, missing values
   * undefined), without conversion to the Delta value forms: for callers that convert a few fields
   * themselves (checkpoint replay), saving a copy of every row.
   */
  raw?: boolean;
}

/**
 * Reads one row group, the given top-level fields (by Delta schema field), as Delta values.
 * Fields absent from the file (added to the schema later) come back as all-null columns.
 */
export async function readRowGroup(pf: ParquetFile, rowGroup: number, fields: StructField[], opts: ReadOptions = {}): Promise<Record<string, ArrayLike<unknown>>> {
  if (rowGroup < 0 || rowGroup >= pf.rowGroupRows.length) {
    throw new DeltaError('InvalidArgument', `${pf.filePath}: no row group ${rowGroup} (file has ${pf.rowGroupRows.length})`);
  }
  const rowStart = pf.rowGroupStarts[rowGroup];
  const numRows = pf.rowGroupRows[rowGroup];
  // Columns the footer proves all-null in this row group are not read (a checkpoint's remove/txn/metaData
  // columns are null in almost every row: skipping them halves the cost of loading a checkpoint).
  const nulls = nullLeaves(pf.meta, rowGroup, opts.nullStructWhenMembersNull);
  const skippable = (f: StructField) => (typeof f.type === 'string' || opts.nullStructWhenMembersNull) && allNull(pf.meta, rowGroup, f.name, nulls);
  const present = fields.filter((f) => pf.columnNames.includes(f.name) && !skippable(f));
  const chunks = new Map<string, { start: number; data: ArrayLike<unknown> }[]>();
  if (present.length > 0 && numRows > 0) {
    try {
      await parquetRead({
        file: pf.buffer,
        metadata: projectMetadata(pf.meta, present, nulls),
        columns: present.map((f) => f.name),
        rowStart,
        rowEnd: rowStart + numRows,
        utf8: false,
        parsers: RAW_PARSERS,
        compressors: COMPRESSORS,
        onChunk: (c) => {
          const list = chunks.get(c.columnName) ?? [];
          list.push({ start: c.rowStart, data: c.columnData });
          chunks.set(c.columnName, list);
        },
      });
    } catch (err) {
      throw new DeltaError('CorruptDataFile', `${pf.filePath}: cannot read row group ${rowGroup} (${(err as Error).message})`, { cause: err });
    }
  }
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const f of fields) {
    const list = chunks.get(f.name);
    if (!list) {
      out[f.name] = new Array(numRows).fill(null);
      continue;
    }
    const data = sliceRows(list, rowStart, numRows);
    const where = `${pf.filePath}: column ${f.name}`;
    out[f.name] = opts.raw ? data : columnFromParquet(widen(data, pf.topLeaves.get(f.name), f.type, where), f.type, where);
  }
  return out;
}

// ---- leaf columns: values with their Dremel levels, no nested assembly ----

/** One leaf column of a row group: its non-null values and the definition/repetition level of each entry. */
interface LeafColumn {
  values: ArrayLike<unknown>;
  def: ArrayLike<number>;
  rep: ArrayLike<number>;
  maxDef: number;
  /** Definition level at which each ancestor along the path is defined, root first (index = depth - 1). */
  levels: number[];
}

/**
 * Reads leaf columns of a row group without assembling nested values: the fast path for checkpoints, whose
 * rows are mostly one small struct per action. Undefined for a leaf the file does not have.
 */
async function readLeaves(pf: ParquetFile, rowGroup: number, paths: string[][]): Promise<(LeafColumn | undefined)[]> {
  const out: (LeafColumn | undefined)[] = [];
  for (const p of paths) {
    const chunk = columnChunk(pf, rowGroup, p);
    if (!chunk) {
      out.push(undefined);
      continue;
    }
    try {
      out.push(await readLeaf(pf, chunk, p));
    } catch (err) {
      throw new DeltaError('CorruptDataFile', `${pf.filePath}: cannot read column ${p.join('.')} of row group ${rowGroup} (${(err as Error).message})`, { cause: err });
    }
  }
  return out;
}

type ColumnChunkMeta = NonNullable<FileMetaData['row_groups'][number]['columns'][number]['meta_data']>;
const CHUNKS = new WeakMap<object, Map<string, ColumnChunkMeta>>();

/** The column chunk of the leaf at `path` in a row group (looked up by path, indexed once per row group). */
function columnChunk(pf: ParquetFile, rowGroup: number, path: string[]): ColumnChunkMeta | undefined {
  const group = pf.meta.row_groups[rowGroup];
  let byPath = CHUNKS.get(group);
  if (!byPath) {
    byPath = new Map();
    for (const c of group.columns) if (c.meta_data) byPath.set(c.meta_data.path_in_schema.join('\u0000'), c.meta_data);
    CHUNKS.set(group, byPath);
  }
  return byPath.get(path.join('\u0000'));
}

const SCHEMA_PATHS = new WeakMap<object, Map<string, ReturnType<typeof getSchemaPath>>>();

/** Schema nodes from the root to the leaf at `path`, worked out once per file and leaf (the library builds the whole tree each time). */
function schemaPathOf(pf: ParquetFile, path: string[]): ReturnType<typeof getSchemaPath> {
  let byPath = SCHEMA_PATHS.get(pf.meta.schema);
  if (!byPath) SCHEMA_PATHS.set(pf.meta.schema, (byPath = new Map()));
  const key = path.join('\u0000');
  let found = byPath.get(key);
  if (!found) byPath.set(key, (found = getSchemaPath(pf.meta.schema, path)));
  return found;
}

async function readLeaf(pf: ParquetFile, meta: ColumnChunkMeta, p: string[]): Promise<LeafColumn> {
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const size = Number(meta.total_compressed_size);
  const whole = (pf.buffer as Partial<InMemoryBuffer>).bytes;
  const chunk = whole ? new Uint8Array(whole, start, size) : new Uint8Array(await pf.buffer.slice(start, start + size));
  const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
  const schemaPath = schemaPathOf(pf, p);
  const element = schemaPath[schemaPath.length - 1].element;
  const decoder = { pathInSchema: p, type: meta.type, element, schemaPath, codec: meta.codec, compressors: COMPRESSORS, parsers: { ...DEFAULT_PARSERS, ...RAW_PARSERS }, utf8: false };
  const valuePages: ArrayLike<unknown>[] = [];
  const defPages: ArrayLike<number>[] = [];
  const repPages: ArrayLike<number>[] = [];
  let dictionary: any;
  let seen = 0;
  const total = Number(meta.num_values);
  const maxDef = getMaxDefinitionLevel(schemaPath);
  const maxRep = getMaxRepetitionLevel(schemaPath);
  // Plain UTF-8 strings (a checkpoint's paths and stats) are decoded a page at a time (parquet-text.ts).
  const text = meta.type === 'BYTE_ARRAY' && (element.converted_type === 'UTF8' || element.logical_type?.type === 'STRING') && (!element.logical_type || element.logical_type.type === 'STRING');
  const append = (page: { definitionLevels?: ArrayLike<number>; repetitionLevels?: ArrayLike<number>; dataPage: any }, encoding: string, n: number) => {
    valuePages.push(encoding === 'TEXT' ? page.dataPage : convertWithDictionary(page.dataPage, dictionary, encoding as any, decoder as any));
    // The library drops a v1 page's definition levels when it has no nulls; pages must stay aligned.
    if (page.definitionLevels?.length) defPages.push(page.definitionLevels);
    else if (maxDef > 0) defPages.push(new Array(n).fill(maxDef));
    if (page.repetitionLevels?.length) repPages.push(page.repetitionLevels);
    seen += n;
  };
  while (seen < total && reader.offset < chunk.byteLength) {
    const header = parquetHeader(reader);
    const compressed = chunk.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(compressed, Number(header.uncompressed_page_size), meta.codec, COMPRESSORS);
      const dict = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, meta.type, header.dictionary_page_header!.num_values, element.type_length);
      dictionary = convert(dict, decoder as any);
    } else if (header.type === 'DATA_PAGE') {
      const daph = header.data_page_header!;
      if (text && daph.encoding === 'PLAIN') append(textPageV1(compressed, header, meta.codec, maxRep, maxDef), 'TEXT', daph.num_values);
      else append(readDataPage(decompressPage(compressed, Number(header.uncompressed_page_size), meta.codec, COMPRESSORS), daph, decoder as any), daph.encoding, daph.num_values);
    } else if (header.type === 'DATA_PAGE_V2') {
      const daph2 = header.data_page_header_v2!;
      if (text && daph2.encoding === 'PLAIN') append(textPageV2(compressed, header, meta.codec, maxRep, maxDef), 'TEXT', daph2.num_values);
      else append(readDataPageV2(compressed, header, decoder as any), daph2.encoding, daph2.num_values);
    }
  }
  const levels: number[] = [];
  let d = 0;
  for (const node of schemaPath.slice(1)) {
    if (node.element.repetition_type !== 'REQUIRED') d++;
    levels.push(d);
  }
  return { values: joinPages(valuePages), def: joinPages(defPages), rep: joinPages(repPages), maxDef, levels };
}

function joinPages<T>(pages: ArrayLike<T>[]): ArrayLike<T> {
  if (pages.length === 1) return pages[0];
  let n = 0;
  for (const p of pages) n += p.length;
  if (pages.every((p) => p instanceof Uint8Array)) {
    const out = new Uint8Array(n);
    let at = 0;
    for (const p of pages as unknown as Uint8Array[]) {
      out.set(p, at);
      at += p.length;
    }
    return out as unknown as ArrayLike<T>;
  }
  const out = new Array<T>(n);
  let at = 0;
  for (const p of pages) for (let i = 0; i < p.length; i++) out[at++] = p[i];
  return out;
}

/** Row-aligned values of the leaf at `path` (no list or map on the way): null where it or an ancestor is null. */
export async function readLeafRows(pf: ParquetFile, rowGroup: number, path: string[]): Promise<ArrayLike<unknown>> {
  // A leaf the footer proves null in every row is not read: in a checkpoint's row group of adds, that is every
  // remove, txn, deletion vector and metaData leaf (a page of levels each, for nothing).
  const chunk = columnChunk(pf, rowGroup, path);
  const nulls = chunk?.statistics?.null_count;
  if (chunk && nulls !== undefined && nulls !== null && BigInt(nulls) === BigInt(chunk.num_values) && BigInt(chunk.num_values) === BigInt(pf.rowGroupRows[rowGroup])) {
    return nullRows(pf.rowGroupRows[rowGroup]);
  }
  const [leaf] = await readLeaves(pf, rowGroup, [path]);
  return leafRows(leaf, pf.rowGroupRows[rowGroup]);
}

/** Row-aligned maps (plain objects) of the map column at `path` (inside structs only): null where null. */
export async function readMapRows(pf: ParquetFile, rowGroup: number, path: string[]): Promise<(Record<string, unknown> | null)[]> {
  const prefix = path.join('\u0000') + '\u0000';
  const leafPaths = pf.meta.row_groups[rowGroup].columns
    .map((c) => c.meta_data?.path_in_schema ?? [])
    .filter((p) => p.length === path.length + 2 && p.join('\u0000').startsWith(prefix));
  const keyPath = leafPaths.find((p) => p[p.length - 1] === 'key');
  const valuePath = leafPaths.find((p) => p[p.length - 1] === 'value');
  const numRows = pf.rowGroupRows[rowGroup];
  if (!keyPath || !valuePath) return new Array(numRows).fill(null);
  const [keys] = await readLeaves(pf, rowGroup, [keyPath]);
  // Values only matter for entries: a row group with none (a checkpoint's add.tags, mostly) skips them.
  const [values] = keys && keys.values.length === 0 ? [NO_ENTRIES] : await readLeaves(pf, rowGroup, [valuePath]);
  return mapRows(keys, values, numRows, path.length);
}

/**
 * Row-aligned lists of the list column at `path` (inside structs only; elements a primitive, in the standard
 * 3-level layout or the legacy 2-level one): null where null.
 */
export async function readListRows(pf: ParquetFile, rowGroup: number, path: string[]): Promise<(unknown[] | null)[]> {
  const prefix = path.join('\u0000') + '\u0000';
  const leafPaths = pf.meta.row_groups[rowGroup].columns
    .map((c) => c.meta_data?.path_in_schema ?? [])
    .filter((p) => p.join('\u0000').startsWith(prefix));
  const numRows = pf.rowGroupRows[rowGroup];
  const out: (unknown[] | null)[] = new Array(numRows).fill(null);
  if (leafPaths.length !== 1) return out;
  const [elements] = await readLeaves(pf, rowGroup, leafPaths);
  if (!elements) return out;
  const listDef = elements.levels[path.length - 1]; // the list itself is defined
  const entryDef = elements.levels[path.length]; // its repeated level: an element exists
  let row = -1;
  let vi = 0;
  for (let i = 0; i < elements.def.length; i++) {
    if (elements.rep[i] === 0) row++;
    const d = elements.def[i];
    if (d < listDef) continue;
    const list = out[row] ?? (out[row] = []);
    if (d >= entryDef) list.push(d === elements.maxDef ? elements.values[vi++] : null);
  }
  return out;
}

const NO_ENTRIES: LeafColumn = { values: [], def: [], rep: [], maxDef: 0, levels: [] };

function leafRows(leaf: LeafColumn | undefined, numRows: number): ArrayLike<unknown> {
  // No values: every row null (a checkpoint's remove/txn leaves in a group of adds); a value per row: no nulls.
  if (!leaf || leaf.values.length === 0) return nullRows(numRows);
  if (leaf.def.length === 0 || leaf.values.length === numRows) return leaf.values;
  const out = new Array(numRows).fill(null);
  let k = 0;
  for (let i = 0; i < numRows; i++) if (leaf.def[i] === leaf.maxDef) out[i] = leaf.values[k++];
  return out;
}

const NULL_ROWS = new Map<number, readonly null[]>();
function nullRows(n: number): readonly null[] {
  let a = NULL_ROWS.get(n);
  if (!a) {
    a = Object.freeze(new Array(n).fill(null));
    if (NULL_ROWS.size < 16) NULL_ROWS.set(n, a);
  }
  return a;
}

/**
 * Row-aligned maps (plain objects) from the key and value leaves of a map column at depth `mapDepth` (1 =
 * top-level): null where the map or an ancestor is null.
 */
function mapRows(keys: LeafColumn | undefined, vals: LeafColumn | undefined, numRows: number, mapDepth: number): (Record<string, unknown> | null)[] {
  const out: (Record<string, unknown> | null)[] = new Array(numRows).fill(null);
  if (!keys || !vals) return out;
  const mapDef = keys.levels[mapDepth - 1]; // the map itself is defined
  const entryDef = keys.levels[mapDepth]; // key_value: an entry exists
  let row = -1;
  let ki = 0;
  let vi = 0;
  for (let i = 0; i < keys.def.length; i++) {
    if (keys.rep[i] === 0) row++;
    const d = keys.def[i];
    if (d < mapDef) continue;
    const obj = out[row] ?? (out[row] = {});
    if (d >= entryDef) {
      const key = keys.values[ki++];
      const hasValue = vals.def[i] === vals.maxDef;
      obj[String(key)] = hasValue ? vals.values[vi++] : null;
    }
  }
  return out;
}

/**
 * Leaf paths (joined with NUL) whose footer statistics prove every value null in the row group. Leaves under
 * a list or map are left out: there a null leaf says nothing about the container ([null], {} or null).
 */
function nullLeaves(meta: FileMetaData, rowGroup: number, includeRepeated = false): Set<string> {
  const repeated = new Set<string>();
  let i = 1;
  const walk = (prefix: string[], underRepeated: boolean) => {
    const e = meta.schema[i++];
    const path = [...prefix, e.name];
    const rep = underRepeated || e.repetition_type === 'REPEATED';
    if (!e.num_children) {
      if (rep) repeated.add(path.join('\u0000'));
      return;
    }
    for (let c = 0; c < e.num_children; c++) walk(path, rep);
  };
  while (i < meta.schema.length) walk([], false);
  const out = new Set<string>();
  for (const c of meta.row_groups[rowGroup].columns) {
    const m = c.meta_data;
    const nulls = m?.statistics?.null_count;
    const key = m?.path_in_schema.join('\u0000');
    if (m && key !== undefined && (includeRepeated || !repeated.has(key)) && nulls !== undefined && nulls !== null && BigInt(nulls) === BigInt(m.num_values)) out.add(key);
  }
  return out;
}

/** Whether the footer proves top-level column `name` null in every row of the row group. */
function allNull(meta: FileMetaData, rowGroup: number, name: string, nulls = nullLeaves(meta, rowGroup)): boolean {
  const chunks = meta.row_groups[rowGroup].columns.filter((c) => c.meta_data?.path_in_schema[0] === name);
  return chunks.length > 0 && chunks.every((c) => nulls.has(c.meta_data!.path_in_schema.join('\u0000')));
}

interface Node { element: SchemaElement; children: Node[] }

/**
 * Metadata narrowed to the leaves the Delta fields ask for (nested projection): struct groups keep only the
 * sub-fields named in the Delta struct type, so hyparquet neither reads nor assembles the others (a
 * checkpoint's add.deletionVector, remove.tags...). Lists and maps are kept whole.
 */
function projectMetadata(meta: FileMetaData, fields: StructField[], nulls: Set<string>): FileMetaData {
  // Leaves whose statistics say "all null" in this row group; struct members made only of those are dropped
  // too (read back as null), which spares assembling e.g. every add.tags map of a checkpoint.
  const allNullNode = (n: Node, path: string[]): boolean =>
    n.children.length === 0 ? nulls.has(path.join('\u0000')) : n.children.every((ch) => allNullNode(ch, [...path, ch.element.name]));
  let i = 0;
  const build = (): Node => {
    const element = meta.schema[i++];
    const children: Node[] = [];
    for (let c = 0; c < (element.num_children ?? 0); c++) children.push(build());
    return { element, children };
  };
  const root = build();
  const keep = (node: Node, type: DataType | undefined, path: string[]): Node | undefined => {
    const e = node.element;
    const container = e.converted_type === 'LIST' || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE' || e.logical_type?.type === 'LIST' || e.logical_type?.type === 'MAP';
    if (node.children.length === 0 || container || type === undefined || !isStruct(type)) return node;
    const wanted = node.children
      .map((ch) => {
        const f = type.fields.find((x) => x.name === ch.element.name);
        return f ? keep(ch, f.type, [...path, ch.element.name]) : undefined;
      })
      .filter((x): x is Node => x !== undefined);
    // Keep at least one member so a non-null struct of null members still reads as an object.
    const nonNull = wanted.filter((ch) => !allNullNode(ch, [...path, ch.element.name]));
    const children = nonNull.length ? nonNull : wanted.slice(0, 1);
    return children.length ? { element: { ...e, num_children: children.length }, children } : undefined;
  };
  const top = root.children.map((ch) => {
    const f = fields.find((x) => x.name === ch.element.name);
    return f ? keep(ch, f.type, [ch.element.name]) : undefined;
  }).filter((x): x is Node => x !== undefined);
  const schema: SchemaElement[] = [{ ...root.element, num_children: top.length }];
  const leaves = new Set<string>();
  const flatten = (n: Node, prefix: string[]) => {
    schema.push(n.element);
    const p = [...prefix, n.element.name];
    if (n.children.length === 0) leaves.add(p.join('\u0000'));
    n.children.forEach((ch) => flatten(ch, p));
  };
  top.forEach((n) => flatten(n, []));
  const row_groups = meta.row_groups.map((g) => ({ ...g, columns: g.columns.filter((c) => leaves.has((c.meta_data?.path_in_schema ?? []).join('\u0000'))) }));
  return { ...meta, schema, row_groups };
}

/** Joins chunks and cuts them to [rowStart, rowStart + n): chunks may extend beyond the asked range. */
function sliceRows(list: { start: number; data: ArrayLike<unknown> }[], rowStart: number, n: number): ArrayLike<unknown> {
  list.sort((a, b) => a.start - b.start);
  if (list.length === 1 && list[0].start === rowStart && list[0].data.length === n) return list[0].data;
  const out: unknown[] = new Array(n);
  for (const { start, data } of list) {
    for (let i = 0; i < data.length; i++) {
      const r = start + i - rowStart;
      if (r >= 0 && r < n) out[r] = data[i];
    }
  }
  return out;
}

const TYPED = (a: ArrayLike<unknown>): boolean => ArrayBuffer.isView(a);

/**
 * Type widening (a column's Delta type widened after files were written): values stored under the narrower
 * type are brought to the table's. Integers and floats widen by plain conversion later; here the two cases
 * whose raw value means something else: a decimal of smaller scale or an integer read as decimal(p,s)
 * (unscaled values are rescaled), and a DATE read as timestamp_ntz (days → microseconds).
 * Top-level columns only; protocol.ts refuses nested widenings of these kinds.
 */
function widen(data: ArrayLike<unknown>, file: SchemaElement | undefined, type: DataType, where: string): ArrayLike<unknown> {
  if (!file || typeof type !== 'string') return data;
  const d = decimalType(type);
  if (d) {
    const fileDecimal = file.converted_type === 'DECIMAL' || file.logical_type?.type === 'DECIMAL';
    const fileScale = fileDecimal ? file.scale ?? (file.logical_type as { scale?: number } | undefined)?.scale ?? 0 : 0;
    if (fileScale === d.scale) return data;
    if (fileScale > d.scale) throw new DeltaError('CorruptDataFile', `${where}: file scale ${fileScale} exceeds the table's decimal(${d.precision},${d.scale})`);
    const factor = 10n ** BigInt(d.scale - fileScale);
    return Array.from(data, (v) => (v === null || v === undefined ? null : unscaledFromRaw(v) * factor));
  }
  const fileDate = file.converted_type === 'DATE' || file.logical_type?.type === 'DATE';
  if ((type === 'timestamp_ntz' || type === 'timestamp') && fileDate) {
    return Array.from(data, (v) => (v === null || v === undefined ? null : BigInt(v as number) * 86_400_000_000n));
  }
  return data;
}

/** Converts a column as read by hyparquet to the Delta value form; typed arrays of the right kind pass through. */
function columnFromParquet(data: ArrayLike<unknown>, type: DataType, where: string): ArrayLike<unknown> {
  if (type === 'double' || type === 'float') {
    if (data instanceof Float64Array || data instanceof Float32Array) return data;
  } else if (type === 'long') {
    if (data instanceof BigInt64Array) return data;
  } else if (type === 'integer' || type === 'short' || type === 'byte') {
    if (data instanceof Int32Array) return data;
  }
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = valueFromParquet(data[i], type, where);
  return out;
}

function valueFromParquet(v: unknown, type: DataType, where: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'long':
        return typeof v === 'bigint' ? v : BigInt(v as number);
      case 'integer':
      case 'short':
      case 'byte':
      case 'float':
      case 'double':
        return typeof v === 'number' ? v : Number(v);
      case 'boolean':
        return Boolean(v);
      case 'string':
        return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
      case 'binary':
        return v instanceof Uint8Array ? v : new TextEncoder().encode(String(v));
      case 'date':
        return typeof v === 'number' ? dateFromDays(v) : v instanceof Date ? dateFromDays(daysFromDate(v)) : v;
      case 'timestamp':
      case 'timestamp_ntz':
        return new DeltaTimestamp(typeof v === 'bigint' ? v : timestampMicros(v, where));
      case 'variant': {
        const o = v as Record<string, unknown>;
        const bytes = (x: unknown) => (x instanceof Uint8Array ? x : x === null || x === undefined ? null : new TextEncoder().encode(String(x)));
        return { metadata: bytes(o.metadata), value: bytes(o.value) };
      }
      default: {
        const d = decimalType(type);
        if (d) return decimalToString(unscaledFromRaw(v), d.scale);
        throw new DeltaError('UnsupportedReaderFeature', `${where}: type ${type} is not supported`);
      }
    }
  }
  if (isStruct(type)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = valueFromParquet(o[f.name], f.type, `${where}.${f.name}`);
    return out;
  }
  if (isArray(type)) return Array.from(v as ArrayLike<unknown>, (x) => valueFromParquet(x, type.elementType, where));
  if (isMap(type)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[mapKey(k, type.keyType, where)] = valueFromParquet(x, type.valueType, where);
    return out;
  }
  return v;
}

/** Map keys arrive as property names of raw values (day numbers, microseconds): spell them as values. */
function mapKey(k: string, keyType: DataType, where: string): string {
  if (keyType === 'date' && /^-?\d+$/.test(k)) return dateFromDays(Number(k));
  if ((keyType === 'timestamp' || keyType === 'timestamp_ntz') && /^-?\d+$/.test(k)) {
    const iso = (valueFromParquet(BigInt(k), keyType, where) as DeltaTimestamp).toISOString();
    return keyType === 'timestamp' ? iso : iso.slice(0, -1);
  }
  return k;
}

/** Unscaled integer of a raw Parquet decimal: INT32, INT64 or big-endian two's complement bytes. */
function unscaledFromRaw(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const bytes = v as Uint8Array;
  if (bytes.length === 0) return 0n;
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  if (bytes[0] & 0x80) x -= 1n << BigInt(bytes.length * 8);
  return x;
}

// ---- writing ----

/** Parquet schema elements (depth-first, as in the footer) for a Delta field. */
function schemaElements(name: string, type: DataType, nullable: boolean): SchemaElement[] {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  if (typeof type === 'string') return [{ name, repetition_type, ...primitiveElement(type, name) }];
  if (isStruct(type)) {
    return [
      { name, repetition_type, num_children: type.fields.length },
      ...type.fields.flatMap((f) => schemaElements(f.name, f.type, f.nullable)),
    ];
  }
  if (isArray(type)) {
    return [
      { name, repetition_type, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...schemaElements('element', type.elementType, type.containsNull),
    ];
  }
  const m = type as MapType;
  return [
    { name, repetition_type, num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } },
    { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
    ...schemaElements('key', m.keyType, false),
    ...schemaElements('value', m.valueType, m.valueContainsNull),
  ];
}

export function primitiveElement(type: string, column: string): Omit<SchemaElement, 'name'> {
  switch (type) {
    case 'long': return { type: 'INT64' };
    case 'integer': return { type: 'INT32' };
    case 'short': return { type: 'INT32', converted_type: 'INT_16', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } };
    case 'byte': return { type: 'INT32', converted_type: 'INT_8', logical_type: { type: 'INTEGER', bitWidth: 8, isSigned: true } };
    case 'float': return { type: 'FLOAT' };
    case 'double': return { type: 'DOUBLE' };
    case 'boolean': return { type: 'BOOLEAN' };
    case 'string': return { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'binary': return { type: 'BYTE_ARRAY' };
    case 'date': return { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamp':
      return { type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } };
    case 'timestamp_ntz':
      return { type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } };
    default: {
      const d = decimalType(type);
      if (d) {
        const common = { converted_type: 'DECIMAL' as const, precision: d.precision, scale: d.scale, logical_type: { type: 'DECIMAL' as const, precision: d.precision, scale: d.scale } };
        if (d.precision <= 9) return { type: 'INT32', ...common };
        if (d.precision <= 18) return { type: 'INT64', ...common };
        return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(d.precision), ...common };
      }
      throw new DeltaError('SchemaMismatch', `column ${column}: cannot write type ${type}`);
    }
  }
}

/** Fewest bytes holding any unscaled value of the given precision (as Spark sizes FIXED_LEN_BYTE_ARRAY). */
function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}

/** A Delta value as the physical value hyparquet-writer expects for the schema elements above. */
function valueToParquet(v: unknown, type: DataType, column: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'long': return typeof v === 'bigint' ? v : BigInt(v as number);
      case 'integer': case 'short': case 'byte': case 'float': case 'double': return typeof v === 'number' ? v : Number(v);
      case 'boolean': return Boolean(v);
      case 'string': return String(v);
      case 'binary': return v instanceof Uint8Array ? v : new TextEncoder().encode(String(v));
      case 'date': return daysFromDate(v, column);
      case 'timestamp': case 'timestamp_ntz': return timestampMicros(v, column);
      default: {
        const d = decimalType(type);
        if (d) return decimalUnscaled(v, d.scale, column);
        throw new DeltaError('SchemaMismatch', `column ${column}: cannot write type ${type}`);
      }
    }
  }
  if (isStruct(type)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = valueToParquet(o[f.name], f.type, `${column}.${f.name}`);
    return out;
  }
  if (isArray(type)) return Array.from(v as ArrayLike<unknown>, (x) => valueToParquet(x, (type as ArrayType).elementType, column));
  const m = type as MapType;
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
  return entries.map(([k, x]) => ({ key: valueToParquet(k, m.keyType, column), value: valueToParquet(x, m.valueType, column) }));
}

function columnToParquet(data: ArrayLike<unknown>, f: StructField): ArrayLike<unknown> {
  // Typed arrays already hold physical values of the right kind.
  if (f.type === 'long' && data instanceof BigInt64Array) return data;
  if ((f.type === 'double' && data instanceof Float64Array) || (f.type === 'float' && data instanceof Float32Array)) return data;
  if (f.type === 'integer' && data instanceof Int32Array) return data;
  if (TYPED(data) && !(f.type === 'double' || f.type === 'float' || f.type === 'integer' || f.type === 'short' || f.type === 'byte' || f.type === 'long')) {
    return Array.from(data, (x) => valueToParquet(x, f.type, f.name));
  }
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = valueToParquet(data[i], f.type, f.name);
    if (x === null && !f.nullable) {
      throw new DeltaError('SchemaMismatch', `column ${f.name} is not nullable but row ${i} is null`);
    }
    out[i] = x;
  }
  return out;
}

export interface WriteParquetOptions {
  /** Rows per row group (default 131072). */
  rowGroupRows?: number;
}

/** Writes `columns` (Delta values, one entry per field of `schema`) as a snappy Parquet file at `filePath`. */
export async function writeParquetFile(filePath: string, schema: StructType, numRows: number, columns: Record<string, ArrayLike<unknown>>, opts: WriteParquetOptions = {}): Promise<void> {
  const elements: SchemaElement[] = [{ name: 'spark_schema', num_children: schema.fields.length }, ...schema.fields.flatMap((f) => schemaElements(f.name, f.type, f.nullable))];
  const columnData = schema.fields.map((f) => {
    const data = columns[f.name];
    if (data === undefined) throw new DeltaError('SchemaMismatch', `batch has no column ${f.name}`);
    if (data.length !== numRows) throw new DeltaError('SchemaMismatch', `column ${f.name} has ${data.length} values, batch numRows is ${numRows}`);
    return { name: f.name, data: columnToParquet(data, f) as any, nullable: f.nullable };
  });
  try {
    const writer = fileWriter(filePath);
    await parquetWrite({
      writer,
      columnData,
      schema: elements,
      codec: 'SNAPPY',
      rowGroupSize: opts.rowGroupRows ?? 131072,
      createdBy: 'batch-score (hyparquet-writer)',
      statisticsTruncateLength: 32,
    });
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw ioError('cannot write Parquet file', filePath, err);
  }
}
