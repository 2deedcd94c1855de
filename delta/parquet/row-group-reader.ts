/**
 * The row-group reader (hyparquet): one row group of the given top-level fields as Delta values. The footer
 * prunes the read: columns its statistics prove all-null in the row group are not read, and struct columns are
 * narrowed to the members the Delta type asks for, so the library neither reads nor assembles the others.
 *
 *   footer → row group g → projected metadata → hyparquet (decimals and timestamps left raw) → conversion.ts
 *
 * Timestamps INT96, MILLIS, MICROS and NANOS are all read.
 */
import { DeltaError } from '../errors';
import { DataType, StructField, isStruct } from '../schema';
import { RAW_PARSERS, columnFromParquet, widen } from './conversion';
import { ParquetFile } from './file';
import { parquetRead, type FileMetaData, type SchemaElement } from './hyparquet-adapter';
import { COMPRESSORS } from './snappy';

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
