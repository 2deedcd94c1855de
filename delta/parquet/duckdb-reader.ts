/**
 * The DuckDB Parquet reader (@duckdb/node-api, native) for flat schemas of primitive columns: value for value
 * what row-group-reader.ts returns, several times faster on number columns (docs/parquet-choice.md). router.ts
 * alone decides when it runs; this reader refuses files it would read differently from hyparquet
 * (duckdb-sql.ts duckdbInexactReason) rather than choosing another reader itself.
 *
 *   ParquetFile (footer, from openParquet) → rows of row group g selected by file_row_number (DuckDB prunes the
 *   other row groups) → result chunks' typed vectors copied into one array per column → Delta values (typed
 *   arrays where a number/long column has no nulls in the row group)
 *
 * Every call opens its own connection (duckdb-adapter.ts), so concurrent reads in one process share nothing.
 */
import { DeltaError } from '../errors';
import { DeltaTimestamp, PerPrimitive, StructField, dateFromDays, decimalToString, primitiveKind, primitiveOf } from '../schema';
import { DuckDBBlobValue, DuckDBTypeId, DuckDBVector, booleanBytes, connect, itemsOf, validityBits, withConnection, type TypedColumn } from './duckdb-adapter';
import { duckDecimal, duckError, duckdbInexactReason, duckdbSupports, isValid, sameKind, sqlIdent, sqlString } from './duckdb-sql';
import { ParquetFile } from './file';

/** Collects one column of a row group from result chunks, then builds the Delta-value column. */
interface Collector {
  /**
   * Rows [from, from + rows) of the vector go to rows [at, at + rows) of the column. `same` (strings only): per
   * row, whether it equals the previous row of the file.
   */
  add(v: DuckDBVector, from: number, rows: number, at: number, same?: DuckDBVector): void;
  finish(): ArrayLike<unknown>;
}

/**
 * Numbers and longs: copied from the typed view into one typed array (SQL casts make the kinds match); with
 * nulls, an array with null at those rows. `toValue` turns the raw number into its Delta value (dates, timestamps).
 */
function typedCollector(out: TypedColumn, toValue?: (x: number | bigint) => unknown, unit?: (v: DuckDBVector) => ((x: bigint) => bigint) | undefined): Collector {
  const nulls: number[] = [];
  return {
    add(v, from, rows, at) {
      const items = itemsOf(v);
      const scale = unit?.(v);
      if (items && !scale && sameKind(items, out)) (out as any).set(items.subarray(from, from + rows), at);
      else for (let i = 0; i < rows; i++) {
        const x = items ? items[from + i] : rawOf(v.getItem(from + i));
        (out as any)[at + i] = x === null ? (typeof out[0] === 'bigint' ? 0n : 0) : scale ? scale(BigInt(x)) : x;
      }
      const bits = validityBits(v, from + rows);
      if (bits) for (let i = 0; i < rows; i++) if (!isValid(bits, from + i)) nulls.push(at + i);
    },
    finish() {
      if (!toValue && nulls.length === 0) return out;
      const isNull = new Uint8Array(out.length);
      for (const i of nulls) isNull[i] = 1;
      const arr: unknown[] = new Array(out.length);
      for (let i = 0; i < out.length; i++) arr[i] = isNull[i] ? null : toValue ? toValue(out[i]) : out[i];
      return arr;
    },
  };
}

/** The raw number inside a public value object (dates: days, timestamps: their unit). */
function rawOf(x: unknown): number | bigint | null {
  if (x === null || typeof x === 'number' || typeof x === 'bigint') return x;
  const o = x as { days?: number; micros?: bigint; millis?: bigint; nanos?: bigint; seconds?: bigint };
  return o.days ?? o.micros ?? o.millis ?? o.nanos ?? o.seconds ?? Number(x);
}

const floorDiv = (a: bigint, b: bigint) => (a >= 0n || a % b === 0n ? a / b : a / b - 1n);

/** Microseconds from a timestamp vector's unit; undefined when the vector already holds microseconds. */
function timestampUnit(v: DuckDBVector): ((x: bigint) => bigint) | undefined {
  switch (v.type.typeId) {
    case DuckDBTypeId.TIMESTAMP_S: return (x) => x * 1_000_000n;
    case DuckDBTypeId.TIMESTAMP_MS: return (x) => x * 1000n;
    case DuckDBTypeId.TIMESTAMP_NS: return (x) => floorDiv(x, 1000n); // floor, as the hyparquet reader (conversion.ts RAW_PARSERS)
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_TZ: case DuckDBTypeId.BIGINT: return undefined;
    default: throw new DeltaError('CorruptDataFile', `timestamp column stored as ${v.type.toString()}`);
  }
}

/** Any other column: the public getItem per row, converted by `toValue`. */
function valueCollector(n: number, toValue: (x: any, v: DuckDBVector) => unknown): Collector {
  const out: unknown[] = new Array(n).fill(null);
  return {
    add(v, from, rows, at) {
      for (let i = 0; i < rows; i++) {
        const x = v.getItem(from + i);
        out[at + i] = x === null ? null : toValue(x, v);
      }
    },
    finish: () => out,
  };
}

/** Booleans from the vector's byte view (public getItem when there is none). */
function booleanCollector(n: number): Collector {
  const out: (boolean | null)[] = new Array(n).fill(null);
  return {
    add(v, from, rows, at) {
      const bytes = booleanBytes(v);
      const bits = validityBits(v, from + rows);
      if (bytes) {
        for (let i = from; i < from + rows; i++) out[at + i - from] = isValid(bits, i) ? bytes[i] !== 0 : null;
      } else {
        for (let i = from; i < from + rows; i++) out[at + i - from] = v.getItem(i) as boolean | null;
      }
    },
    finish: () => out,
  };
}

const SAME = Symbol('same as the previous row');

/**
 * Strings: decoding costs a native call per row (getItem), so the query also says, per row, whether the value
 * equals the previous row's (lag over file_row_number); such rows reuse the previous string. Constant and
 * run-length columns (Gold's model_name, run_id) then cost one decode per run instead of one per row.
 */
function stringCollector(n: number): Collector {
  const out: (string | null | typeof SAME)[] = new Array(n).fill(null);
  return {
    add(v, from, rows, at, same) {
      const flags = same && booleanBytes(same);
      const bits = validityBits(v, from + rows);
      for (let i = from; i < from + rows; i++) {
        if (!isValid(bits, i)) continue;
        if (flags ? flags[i] !== 0 : same?.getItem(i) === true) {
          out[at + i - from] = SAME;
          continue;
        }
        const x = v.getItem(i);
        out[at + i - from] = typeof x === 'string' ? x : utf8.decode(bytesOf(x)); // plain BYTE_ARRAY comes as BLOB
      }
    },
    finish() {
      // Chunks may be collected in any order: runs are resolved once all rows are in.
      for (let i = 1; i < n; i++) if (out[i] === SAME) out[i] = out[i - 1];
      return out;
    },
  };
}

const utf8 = new TextDecoder();
const bytesOf = (x: unknown): Uint8Array => (x instanceof DuckDBBlobValue ? new Uint8Array(x.bytes) : new TextEncoder().encode(String(x)));

/** The SELECT expression of a column and the collector for its result column. */
interface ReadPlan {
  sql: string;
  /** Strings: the expression saying, per row, whether the value equals the previous row's. */
  same?: string;
  collector: () => Collector;
}

const cast = (col: string, t: string) => `CAST(${col} AS ${t})`;

/** The read plan of each primitive kind on the DuckDB path (undefined: not on it). */
const READ_PLANS: PerPrimitive<((col: string, n: number, type: string) => ReadPlan) | undefined> = {
  long: (col, n) => ({ sql: cast(col, 'BIGINT'), collector: () => typedCollector(new BigInt64Array(n)) }),
  integer: (col, n) => ({ sql: cast(col, 'INTEGER'), collector: () => typedCollector(new Int32Array(n)) }),
  short: (col, n) => ({ sql: cast(col, 'INTEGER'), collector: () => typedCollector(new Int32Array(n)) }),
  byte: (col, n) => ({ sql: cast(col, 'INTEGER'), collector: () => typedCollector(new Int32Array(n)) }),
  float: (col, n) => ({ sql: cast(col, 'FLOAT'), collector: () => typedCollector(new Float32Array(n)) }),
  double: (col, n) => ({ sql: cast(col, 'DOUBLE'), collector: () => typedCollector(new Float64Array(n)) }),
  date: (col, n) => ({ sql: cast(col, 'DATE'), collector: () => typedCollector(new Int32Array(n), (d) => dateFromDays(d as number)) }),
  // Not cast: DuckDB maps INT96 and TIMESTAMP(MILLIS/MICROS) to microseconds; the vector's unit is checked.
  timestamp: (col, n) => ({ sql: col, collector: () => typedCollector(new BigInt64Array(n), (us) => new DeltaTimestamp(us as bigint), timestampUnit) }),
  boolean: (col, n) => ({ sql: cast(col, 'BOOLEAN'), collector: () => booleanCollector(n) }),
  string: (col, n) => ({ sql: col, same: `coalesce(${col} = lag(${col}) OVER (ORDER BY file_row_number), false)`, collector: () => stringCollector(n) }),
  binary: (col, n) => ({ sql: col, collector: () => valueCollector(n, bytesOf) }),
  decimal: (col, n, type) => {
    const d = duckDecimal(type)!;
    // The unscaled integer as stored, spelled with the Delta type's scale (as conversion.ts does).
    return { sql: col, collector: () => valueCollector(n, (x) => decimalToString(typeof x === 'object' ? (x.value as bigint) : BigInt(x), d.scale)) };
  },
  timestamp_ntz: undefined,
  variant: undefined,
};

/** The SELECT expression for a field and the collector for its result column. */
function readPlan(f: StructField, n: number, where: string): ReadPlan {
  const plan = primitiveOf(READ_PLANS, f.type);
  if (!plan || (primitiveKind(f.type) === 'decimal' && !duckDecimal(f.type))) {
    throw new DeltaError('UnsupportedReaderFeature', `${where}: type ${String(f.type)} is not on the DuckDB path`);
  }
  return plan(sqlIdent(f.name), n, f.type as string);
}

/** UnsupportedReaderFeature for fields DuckDB cannot read, or cannot read exactly, from this file. */
function checkReadable(pf: ParquetFile, fields: StructField[]): void {
  if (!duckdbSupports(fields)) {
    throw new DeltaError('UnsupportedReaderFeature', `${pf.filePath}: fields ${fields.map((f) => f.name).join(', ')} are not all flat primitives (the router reads them with hyparquet)`);
  }
  const inexact = duckdbInexactReason(pf, fields);
  if (inexact) throw new DeltaError('UnsupportedReaderFeature', `${pf.filePath}: DuckDB would not read it exactly (${inexact}; the router reads it with hyparquet)`);
}

/**
 * Reads one row group, the given top-level fields, as Delta values: value for value what readRowGroup returns.
 * Fields absent from the file come back as all-null columns.
 */
export async function readRowGroupDuckdb(pf: ParquetFile, rowGroup: number, fields: StructField[]): Promise<Record<string, ArrayLike<unknown>>> {
  if (rowGroup < 0 || rowGroup >= pf.rowGroupRows.length) {
    throw new DeltaError('InvalidArgument', `${pf.filePath}: no row group ${rowGroup} (file has ${pf.rowGroupRows.length})`);
  }
  checkReadable(pf, fields);
  const start = pf.rowGroupStarts[rowGroup];
  const n = pf.rowGroupRows[rowGroup];
  const present = fields.filter((f) => pf.columnNames.includes(f.name));
  const read = present.length > 0 && n > 0 ? await selectRows(pf.filePath, start, n, present) : {};
  const out: Record<string, ArrayLike<unknown>> = {};
  for (const f of fields) out[f.name] = read[f.name] ?? new Array(n).fill(null);
  return out;
}

/**
 * Reads row groups `groups` one after another, yielding each as readRowGroupDuckdb returns it, with one query per
 * run of consecutive row groups instead of one per row group (a scoring unit is such a run): the footer is
 * parsed and the scan planned once, and memory still holds one row group. Columns compared with the previous
 * row (strings) need a window over the whole query, so they are read a row group at a time.
 */
export async function* readRowGroupsDuckdb(pf: ParquetFile, groups: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  for (const g of groups) {
    if (!(g >= 0 && g < pf.rowGroupRows.length)) {
      throw new DeltaError('InvalidArgument', `${pf.filePath}: no row group ${g} (file has ${pf.rowGroupRows.length})`);
    }
  }
  checkReadable(pf, fields);
  const present = fields.filter((f) => pf.columnNames.includes(f.name));
  const streamable = present.length > 0 &&
    present.every((f) => readPlan(f, 0, pf.filePath).same === undefined);
  let k = 0;
  while (k < groups.length) {
    const rows = (i: number) => pf.rowGroupRows[groups[i]];
    if (!streamable || rows(k) === 0) {
      yield await readRowGroupDuckdb(pf, groups[k++], fields);
      continue;
    }
    let end = k + 1;
    while (end < groups.length && groups[end] === groups[end - 1] + 1 && rows(end) > 0) end++;
    for await (const read of streamRun(pf, groups.slice(k, end), present)) {
      const out: Record<string, ArrayLike<unknown>> = {};
      for (const f of fields) out[f.name] = read[f.name] ?? new Array(pf.rowGroupRows[groups[k]]).fill(null);
      k++;
      yield out;
    }
  }
}

/**
 * Consecutive row groups `run` through one streaming query, split at row-group boundaries. DuckDB keeps a scan's
 * rows in file order (preserve_insertion_order, on by default, whatever the thread count); file_row_number
 * checks it, so a broken promise fails the read instead of misplacing rows.
 */
async function* streamRun(pf: ParquetFile, run: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  const last = run[run.length - 1];
  const start = pf.rowGroupStarts[run[0]];
  const end = pf.rowGroupStarts[last] + pf.rowGroupRows[last]; // exclusive
  const plans = fields.map((f) => readPlan(f, 0, `${pf.filePath}: column ${f.name}`));
  let g = 0; // index into run of the row group being filled
  let groupStart = start;
  let groupRows = pf.rowGroupRows[run[0]];
  const newCollectors = () => fields.map((f) => readPlan(f, groupRows, `${pf.filePath}: column ${f.name}`).collector());
  let collectors = newCollectors();
  let next = start; // the file row expected next
  const finish = () => Object.fromEntries(fields.map((f, j) => [f.name, collectors[j].finish()]));
  const con = await connect();
  try {
    try {
      const result = await con.stream(
        `SELECT ${plans.map((p) => p.sql).join(', ')}, file_row_number FROM read_parquet(${sqlString(pf.filePath)}, file_row_number = true, hive_partitioning = false) ` +
          `WHERE file_row_number BETWEEN ${start} AND ${end - 1}`,
      );
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        const rows = chunk.rowCount;
        if (firstRowOf(chunk.getColumnVector(plans.length), rows) !== next || next + rows > end) {
          throw new DeltaError('CorruptDataFile', `${pf.filePath}: DuckDB returned rows out of file order (expected row ${next})`);
        }
        // A chunk may end one row group and begin the next.
        for (let from = 0; from < rows;) {
          const take = Math.min(rows - from, groupStart + groupRows - next);
          for (let j = 0; j < plans.length; j++) collectors[j].add(chunk.getColumnVector(j), from, take, next - groupStart);
          from += take;
          next += take;
          if (next === groupStart + groupRows) {
            yield finish();
            if (++g === run.length) break;
            groupStart = next;
            groupRows = pf.rowGroupRows[run[g]];
            collectors = newCollectors();
          }
        }
      }
    } catch (err) {
      throw duckError('cannot read row groups of', pf.filePath, err, 'CorruptDataFile');
    }
    if (g < run.length) {
      throw new DeltaError('CorruptDataFile', `${pf.filePath}: rows ${start}..${end - 1} gave ${next - start} rows, the footer says ${end - start}`);
    }
  } finally {
    con.closeSync();
  }
}

/** Rows [start, start + n) of the file's `fields`, placed by file_row_number. */
async function selectRows(filePath: string, start: number, n: number, fields: StructField[]): Promise<Record<string, ArrayLike<unknown>>> {
  const plans = fields.map((f) => readPlan(f, n, `${filePath}: column ${f.name}`));
  const query = (ordered: boolean) =>
    `SELECT ${plans.map((p) => p.sql).join(', ')}, ${plans.map((p) => p.same ?? 'NULL').join(', ')}, file_row_number FROM read_parquet(${sqlString(filePath)}, file_row_number = true, hive_partitioning = false) ` +
    `WHERE file_row_number BETWEEN ${start} AND ${start + n - 1}${ordered ? ' ORDER BY file_row_number' : ''}`;
  return withConnection(async (con) => {
    // One thread scans in file order; should chunks ever arrive out of order, read again sorted.
    for (const ordered of [false, true]) {
      const collectors = plans.map((p) => p.collector());
      let rowsRead = 0;
      let inOrder = true;
      try {
        const result = await con.stream(query(ordered));
        for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
          const rows = chunk.rowCount;
          const at = firstRowOf(chunk.getColumnVector(2 * plans.length), rows) - start;
          if (at < 0 || at + rows > n) { inOrder = false; break; }
          for (let j = 0; j < plans.length; j++) {
            collectors[j].add(chunk.getColumnVector(j), 0, rows, at, plans[j].same ? chunk.getColumnVector(plans.length + j) : undefined);
          }
          rowsRead += rows;
        }
      } catch (err) {
        throw duckError('cannot read row group of', filePath, err, 'CorruptDataFile');
      }
      if (!inOrder) continue;
      if (rowsRead !== n) {
        throw new DeltaError('CorruptDataFile', `${filePath}: rows ${start}..${start + n - 1} gave ${rowsRead} rows, the footer says ${n}`);
      }
      return Object.fromEntries(fields.map((f, j) => [f.name, collectors[j].finish()]));
    }
    throw new DeltaError('CorruptDataFile', `${filePath}: DuckDB returned rows out of order`);
  });
}

/** file_row_number of a chunk's first row, or -1 when the chunk's rows are not consecutive. */
function firstRowOf(v: DuckDBVector, rows: number): number {
  const first = Number(v.getItem(0) as bigint);
  const last = Number(v.getItem(rows - 1) as bigint);
  return last - first === rows - 1 ? first : -1;
}

