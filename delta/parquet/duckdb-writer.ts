/**
 * The DuckDB Parquet writer for flat schemas of primitive columns: validate and convert each column to physical
 * values (typed arrays + null flags, or value arrays); a column with one value in every row becomes a SQL
 * literal, the rest go into a scratch table as 2048-row data chunks → COPY (SELECT … in exact row groups) TO
 * file (parquet, snappy) → drop scratch. Every call uses its own connection and its own uniquely named scratch
 * table, so concurrent calls in one process share nothing. Same contract and value forms as writer.ts.
 */
import { randomUUID } from 'node:crypto';
import { DeltaError } from '../errors';
import { DataType, NUMBER_KINDS, PerPrimitive, StructField, StructType, daysFromDate, decimalToString, decimalUnscaled, primitiveOf, timestampMicros } from '../schema';
import { DuckDBBlobValue, DuckDBDataChunk, DuckDBDateValue, DuckDBTimestampTZValue, DuckDBType, DuckDBVector, VARCHAR, booleanBytes, itemsOf, withConnection, type TypedColumn } from './duckdb-adapter';
import { DUCK_TYPES, duckDecimal, duckError, duckdbSupports, sameKind, sqlIdent, sqlString, sqlType } from './duckdb-sql';

/** A column ready for DuckDB: a SQL literal, a typed array (+ null flags), or an array of values. */
type Prepared =
  | { kind: 'literal'; sql: string }
  | { kind: 'typed'; data: TypedColumn; nulls: Uint8Array | null }
  | { kind: 'values'; data: unknown[] };

/** How a primitive kind is written through DuckDB. */
interface WritePlan {
  /** Delta value → physical value for the scratch column (as conversion.ts converts before writing). */
  physical(column: string, type: string): (v: unknown) => unknown;
  /** The typed array a scratch column of this kind is filled from (absent: per-value columns). */
  typed?: (n: number) => TypedColumn;
  /** A physical value as a SQL literal of the column's DuckDB type `t` (absent: a CAST of its text). */
  literal?: (x: unknown, t: string) => string;
  /** DuckDB's value object for a raw typed value, used when a vector has no typed view (absent: as is). */
  value?: (x: number | bigint) => unknown;
}

const toNumber = () => (v: unknown) => (typeof v === 'number' ? v : Number(v));
// 'NaN', 'Infinity' parse; -0 keeps its sign.
const floatLiteral = (x: unknown, t: string) => `CAST('${Object.is(x, -0) ? '-0.0' : String(x)}' AS ${t})`;

/** The write plan of each primitive kind on the DuckDB path (undefined: not on it). */
const WRITE_PLANS: PerPrimitive<WritePlan | undefined> = {
  long: { physical: () => (v) => (typeof v === 'bigint' ? v : BigInt(v as number)), typed: (n) => new BigInt64Array(n) },
  integer: { physical: toNumber, typed: (n) => new Int32Array(n) },
  short: { physical: toNumber, typed: (n) => new Int16Array(n) },
  byte: { physical: toNumber, typed: (n) => new Int8Array(n) },
  float: { physical: toNumber, typed: (n) => new Float32Array(n), literal: floatLiteral },
  double: { physical: toNumber, typed: (n) => new Float64Array(n), literal: floatLiteral },
  boolean: { physical: () => (v) => (v ? 1 : 0), typed: (n) => new Uint8Array(n), literal: (x) => (x ? 'TRUE' : 'FALSE'), value: (x) => x !== 0 },
  string: { physical: () => (v) => String(v), literal: (x) => `CAST(${sqlString(x as string)} AS VARCHAR)` },
  binary: { physical: () => (v) => (v instanceof Uint8Array ? v : new TextEncoder().encode(String(v))) },
  date: {
    physical: (column) => (v) => daysFromDate(v, column),
    typed: (n) => new Int32Array(n),
    literal: (x) => `(DATE '1970-01-01' + ${x as number})`,
    value: (x) => new DuckDBDateValue(x as number),
  },
  timestamp: {
    physical: (column) => (v) => timestampMicros(v, column),
    typed: (n) => new BigInt64Array(n),
    literal: (x) => `make_timestamptz(CAST(${x as bigint} AS BIGINT))`,
    value: (x) => new DuckDBTimestampTZValue(x as bigint),
  },
  decimal: {
    physical: (column, type) => {
      const d = duckDecimal(type)!;
      return (v) => decimalToString(decimalUnscaled(v, d.scale, column), d.scale);
    },
  },
  timestamp_ntz: undefined,
  variant: undefined,
};

/** The write plan of a type duckdbSupports accepts. */
const planOf = (type: DataType): WritePlan => primitiveOf(WRITE_PLANS, type)!;

const NUMERIC = new Set(['long', ...NUMBER_KINDS]);

/** Validates one column and converts it; a single repeated value becomes a literal. */
function prepare(f: StructField, data: ArrayLike<unknown>, numRows: number): Prepared {
  // Typed arrays of the column's number kind go in as they are (they hold no nulls).
  if (ArrayBuffer.isView(data) && NUMERIC.has(f.type as string) && (data instanceof BigInt64Array) === (f.type === 'long')) {
    return { kind: 'typed', data: data as unknown as TypedColumn, nulls: null };
  }
  const plan = planOf(f.type);
  const toPhysical = plan.physical(f.name, f.type as string);
  const typed = plan.typed?.(numRows);
  const values: unknown[] = typed ? [] : new Array(numRows);
  let nulls: Uint8Array | null = null;
  let first: unknown;
  let constant = true;
  for (let i = 0; i < numRows; i++) {
    const v = data[i];
    let x: unknown = null;
    if (v !== null && v !== undefined) {
      try {
        x = toPhysical(v);
      } catch (err) {
        if (err instanceof DeltaError) throw err;
        throw new DeltaError('InvalidArgument', `column ${f.name}: row ${i}: ${(err as Error).message}`, { cause: err });
      }
    } else if (!f.nullable) {
      throw new DeltaError('SchemaMismatch', `column ${f.name} is not nullable but row ${i} is null`);
    }
    if (i === 0) first = x;
    else if (constant && !Object.is(x, first)) constant = false;
    if (!typed) values[i] = x;
    else if (x === null) (nulls ??= new Uint8Array(numRows))[i] = 1;
    else (typed as any)[i] = x;
  }
  if (numRows > 0 && constant && f.type !== 'binary') return { kind: 'literal', sql: literal(first, f.type) };
  return typed ? { kind: 'typed', data: typed, nulls } : { kind: 'values', data: values };
}

/** A physical value as a SQL literal of the column's DuckDB type. */
function literal(x: unknown, type: DataType): string {
  const t = sqlType(type);
  if (x === null) return `CAST(NULL AS ${t})`;
  const spell = planOf(type).literal;
  return spell ? spell(x, t) : `CAST(${sqlString(String(x))} AS ${t})`; // numbers and decimals: exact from their text
}

/** The scratch column type: decimals travel as text and are cast while writing. */
const scratchType = (type: DataType): DuckDBType => (duckDecimal(type) ? VARCHAR : primitiveOf(DUCK_TYPES, type)!);

/** Fills one vector of a data chunk with rows [start, start + n) of a prepared column. */
function fillVector(v: DuckDBVector, p: Prepared, type: DataType, start: number, n: number): void {
  if (p.kind === 'typed') {
    const items = type === 'boolean' ? booleanBytes(v) : itemsOf(v);
    if (items && sameKind(items, p.data)) {
      (items as any).set(p.data.subarray(start, start + n));
      if (p.nulls) for (let i = 0; i < n; i++) if (p.nulls[start + i]) v.setItem(i, null);
    } else {
      for (let i = 0; i < n; i++) v.setItem(i, p.nulls?.[start + i] ? null : duckValue(p.data[start + i], type));
    }
  } else if (p.kind === 'values') {
    for (let i = 0; i < n; i++) {
      const x = p.data[start + i];
      v.setItem(i, x === null ? null : type === 'binary' ? new DuckDBBlobValue(x as Uint8Array) : (x as string));
    }
  }
  v.flush();
}

/** The public value object for a raw typed value (fallback when a vector has no typed view). */
function duckValue(x: number | bigint, type: DataType): any {
  const value = planOf(type).value;
  return value ? value(x) : x;
}

const VECTOR = 2048; // DuckDB's vector size: one data chunk per 2048 rows

/** Writes `columns` (Delta values, one entry per field of `schema`) as a snappy Parquet file at `filePath`. */
export async function writeParquetFileDuckdb(filePath: string, schema: StructType, numRows: number, columns: Record<string, ArrayLike<unknown>>, opts: { rowGroupRows?: number } = {}): Promise<void> {
  if (!duckdbSupports(schema.fields)) {
    throw new DeltaError('InvalidArgument', `${filePath}: schema is not all flat primitives (use writeParquetFile)`);
  }
  if (schema.fields.length === 0) {
    throw new DeltaError('InvalidArgument', `${filePath}: no columns to write (SQL cannot select none; use writeParquetFile)`);
  }
  const prepared = schema.fields.map((f) => {
    const data = columns[f.name];
    if (data === undefined) throw new DeltaError('SchemaMismatch', `batch has no column ${f.name}`);
    if (data.length !== numRows) throw new DeltaError('SchemaMismatch', `column ${f.name} has ${data.length} values, batch numRows is ${numRows}`);
    return prepare(f, data, numRows);
  });
  const groupRows = Math.max(1, Math.floor(opts.rowGroupRows ?? 131072));
  await withConnection(async (con) => {
    const scratch = `scratch_${randomUUID().replace(/-/g, '')}`;
    const stored = schema.fields.map((f, j) => ({ f, p: prepared[j], j })).filter((c) => c.p.kind !== 'literal');
    try {
      if (stored.length > 0) {
        await con.run(`CREATE TABLE ${scratch} (${stored.map((c) => `c${c.j} ${scratchType(c.f.type).toString()}`).join(', ')})`);
        const appender = await con.createAppender(scratch);
        const types = stored.map((c) => scratchType(c.f.type));
        for (let start = 0; start < numRows; start += VECTOR) {
          const n = Math.min(VECTOR, numRows - start);
          const chunk = DuckDBDataChunk.create(types, n);
          stored.forEach((c, k) => fillVector(chunk.getColumnVector(k), c.p, c.f.type, start, n));
          appender.appendDataChunk(chunk);
        }
        appender.closeSync();
      }
      const select = schema.fields.map((f, j) => {
        const p = prepared[j];
        const expr = p.kind === 'literal' ? p.sql : duckDecimal(f.type) ? `CAST(c${j} AS ${sqlType(f.type)})` : `c${j}`;
        return `${expr} AS ${sqlIdent(f.name)}`;
      }).join(', ');
      await con.run(`COPY (${rowGroupSelects(select, stored.length > 0 ? scratch : undefined, numRows, groupRows)}) TO ${sqlString(filePath)} ` +
        `(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${groupRows})`);
    } catch (err) {
      throw duckError('cannot write Parquet file', filePath, err, 'SchemaMismatch');
    } finally {
      await con.run(`DROP TABLE IF EXISTS ${scratch}`).catch(() => undefined);
    }
  });
}

/**
 * The rows to write, in order. DuckDB closes a row group at the first 2048-row vector boundary at or past
 * ROW_GROUP_SIZE, so for sizes that are not multiples of 2048 each row group is its own branch of a UNION ALL
 * (a branch's last chunk is short and closes the group exactly). All-literal files take rows from range().
 */
function rowGroupSelects(select: string, scratch: string | undefined, numRows: number, groupRows: number): string {
  const [from, row] = scratch ? [scratch, 'rowid'] : [`range(${numRows})`, 'range'];
  if (numRows <= groupRows || groupRows % VECTOR === 0) return `SELECT ${select} FROM ${from}`;
  const parts: string[] = [];
  for (let s = 0; s < numRows; s += groupRows) parts.push(`SELECT ${select} FROM ${from} WHERE ${row} >= ${s} AND ${row} < ${Math.min(s + groupRows, numRows)}`);
  return parts.join(' UNION ALL ');
}
