/**
 * The checkpoint leaf reader: leaf columns of a row group read page by page with their Dremel levels, without
 * nested assembly, and turned into row-aligned values, maps or lists. Checkpoint replay (log/checkpoint.ts)
 * reads a few leaves of mostly-null action structs this way, several times faster than assembling rows.
 * Plain UTF-8 pages are decoded by text-pages.ts; every other page by hyparquet's page decoders (adapter).
 */
import { DeltaError } from '../errors';
import { RAW_PARSERS } from './conversion';
import { InMemoryBuffer, ParquetFile } from './file';
import {
  DEFAULT_PARSERS, convert, convertWithDictionary, decompressPage, getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath,
  parquetHeader, readDataPage, readDataPageV2, readPlain, type FileMetaData,
} from './hyparquet-adapter';
import { COMPRESSORS } from './snappy';
import { textPageV1, textPageV2 } from './text-pages';

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
  // Plain UTF-8 strings (a checkpoint's paths and stats) are decoded a page at a time (text-pages.ts).
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
