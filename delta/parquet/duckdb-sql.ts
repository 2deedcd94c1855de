/**
 * What the DuckDB reader and writer share: which Delta types take the DuckDB path and their DuckDB types, SQL
 * spelling, error mapping, and typed-column helpers.
 */
import { DeltaError, ioError } from '../errors';
import { DataType, StructField, decimalType } from '../schema';
import { BIGINT, BLOB, BOOLEAN, DATE, DOUBLE, DuckDBType, FLOAT, INTEGER, SMALLINT, TIMESTAMPTZ, TINYINT, VARCHAR, type TypedColumn } from './duckdb-adapter';

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

export const DUCK_TYPES: Record<string, DuckDBType> = {
  long: BIGINT, integer: INTEGER, short: SMALLINT, byte: TINYINT, float: FLOAT, double: DOUBLE, boolean: BOOLEAN,
  string: VARCHAR, binary: BLOB, date: DATE, timestamp: TIMESTAMPTZ,
};

/** Decimals DuckDB holds exactly (DECIMAL width ≤ 38). */
export function duckDecimal(type: DataType): { precision: number; scale: number } | undefined {
  const d = decimalType(type);
  return d && d.precision >= 1 && d.precision <= 38 && d.scale <= d.precision ? d : undefined;
}

/** True when every field is a top-level primitive this module reads and writes exactly like parquet.ts. */
export function duckdbSupports(fields: StructField[]): boolean {
  return fields.every((f) => typeof f.type === 'string' && (Object.hasOwn(DUCK_TYPES, f.type) || duckDecimal(f.type) !== undefined));
}

export function sqlType(type: DataType): string {
  const d = duckDecimal(type);
  return d ? `DECIMAL(${d.precision},${d.scale})` : DUCK_TYPES[type as string].toString();
}

/** Whether one typed array can be `set` from the other (bigint and number kinds do not mix). */
export const sameKind = (a: TypedColumn, b: TypedColumn) => (a instanceof BigInt64Array) === (b instanceof BigInt64Array);

export const isValid = (bits: Uint8Array | null, i: number) => bits === null || (bits[i >> 3] & (1 << (i & 7))) !== 0;
