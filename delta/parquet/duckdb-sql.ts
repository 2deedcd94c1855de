/**
 * What the DuckDB reader and writer share: which Delta types take the DuckDB path and their DuckDB types, SQL
 * spelling, error mapping, and typed-column helpers.
 */
import { DeltaError, ioError } from '../errors';
import { DataType, PerPrimitive, StructField, decimalType, primitiveOf } from '../schema';
import { BIGINT, BLOB, BOOLEAN, DATE, DOUBLE, DuckDBType, FLOAT, INTEGER, SMALLINT, TIMESTAMPTZ, TINYINT, VARCHAR, type TypedColumn } from './duckdb-adapter';
import type { ParquetFile } from './file';

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** DuckDB reports file-system failures as 'IO Error: …'; those may succeed on retry, data errors never do. */
export function duckError(what: string, filePath: string, err: unknown, dataCode: 'CorruptDataFile' | 'SchemaMismatch'): DeltaError {
  if (err instanceof DeltaError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/^IO Error/i.test(msg)) return ioError(what, filePath, err);
  return new DeltaError(dataCode, `${what} ${filePath}: ${msg}`, { cause: err });
}

// ---- types ----

/** The DuckDB type of each primitive kind on the DuckDB path (decimals: duckDecimal; undefined: hyparquet only). */
export const DUCK_TYPES: PerPrimitive<DuckDBType | undefined> = {
  long: BIGINT, integer: INTEGER, short: SMALLINT, byte: TINYINT, float: FLOAT, double: DOUBLE, boolean: BOOLEAN,
  string: VARCHAR, binary: BLOB, date: DATE, timestamp: TIMESTAMPTZ, timestamp_ntz: undefined, variant: undefined, decimal: undefined,
};

/** Decimals DuckDB holds exactly (DECIMAL width ≤ 38). */
export function duckDecimal(type: DataType): { precision: number; scale: number } | undefined {
  const d = decimalType(type);
  return d && d.precision >= 1 && d.precision <= 38 && d.scale <= d.precision ? d : undefined;
}

/** True when every field is a top-level primitive this module reads and writes exactly like the hyparquet reader and writer. */
export function duckdbSupports(fields: StructField[]): boolean {
  return fields.every((f) => primitiveOf(DUCK_TYPES, f.type) !== undefined || duckDecimal(f.type) !== undefined);
}

/** Glob characters make read_parquet match other files (or none). */
const GLOB = /[*?[\]{}]/;

/**
 * Why DuckDB would read `fields` of this file differently from the hyparquet reader, or undefined when it reads
 * them exactly: glob characters in the path, column names DuckDB resolves differently (it matches names
 * case-insensitively and adds file_row_number), NANOS timestamps (DuckDB truncates UTC-adjusted nanoseconds to
 * microseconds toward zero; Delta floors). The router reads such files through hyparquet; the DuckDB reader
 * refuses them.
 */
export function duckdbInexactReason(pf: ParquetFile, fields: StructField[]): string | undefined {
  if (GLOB.test(pf.filePath)) return 'glob characters in the path';
  const lower = pf.columnNames.map((c) => c.toLowerCase());
  if (new Set(lower).size < lower.length) return 'column names that differ only in case';
  if (lower.includes('file_row_number')) return 'a column named file_row_number';
  const timestamps = new Set(fields.filter((f) => f.type === 'timestamp').map((f) => f.name));
  if (pf.meta.schema.some((e) => timestamps.has(e.name) && (e.logical_type as { unit?: string } | undefined)?.unit === 'NANOS')) return 'NANOS timestamps';
  return undefined;
}

export function sqlType(type: DataType): string {
  const d = duckDecimal(type);
  return d ? `DECIMAL(${d.precision},${d.scale})` : primitiveOf(DUCK_TYPES, type)!.toString();
}

/** Whether one typed array can be `set` from the other (bigint and number kinds do not mix). */
export const sameKind = (a: TypedColumn, b: TypedColumn) => (a instanceof BigInt64Array) === (b instanceof BigInt64Array);

export const isValid = (bits: Uint8Array | null, i: number) => bits === null || (bits[i >> 3] & (1 << (i & 7))) !== 0;
