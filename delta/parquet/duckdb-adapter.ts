/**
 * The DuckDB adapter (@duckdb/node-api, native): the only module that imports the library. It holds the
 * process's engine (one in-memory DuckDB, created on first use with 1 thread: workers parallelise by process
 * and by unit; BATCH_SCORE_DUCKDB_THREADS overrides) and the library internals the DuckDB Parquet path relies
 * on for speed: vectors' typed views of their values, validity bits and boolean bytes. Every internal has a
 * public fallback; the version is pinned exactly in package.json, and test/delta/parquet/adapters.test.ts
 * fails, naming what changed, when an upgrade removes one of them.
 */
import {
  BIGINT, BLOB, BOOLEAN, DATE, DOUBLE, DuckDBBlobValue, DuckDBConnection, DuckDBDataChunk, DuckDBDateValue,
  DuckDBInstance, DuckDBTimestampTZValue, DuckDBType, DuckDBTypeId, DuckDBVector, FLOAT, INTEGER, SMALLINT,
  TIMESTAMPTZ, TINYINT, VARCHAR,
} from '@duckdb/node-api';

export {
  BIGINT, BLOB, BOOLEAN, DATE, DOUBLE, DuckDBBlobValue, DuckDBConnection, DuckDBDataChunk, DuckDBDateValue,
  DuckDBInstance, DuckDBTimestampTZValue, DuckDBType, DuckDBTypeId, DuckDBVector, FLOAT, INTEGER, SMALLINT,
  TIMESTAMPTZ, TINYINT, VARCHAR,
};

/** The version this adapter was written and measured against (package.json pins it exactly). */
export const DUCKDB_VERSION = '1.5.6-r.1';

// ---- the engine ----

let instance: Promise<DuckDBInstance> | undefined;

/** A fresh connection to the process's DuckDB instance (the caller closes it). */
export async function connect(): Promise<DuckDBConnection> {
  instance ??= DuckDBInstance.create(':memory:', { threads: process.env.BATCH_SCORE_DUCKDB_THREADS ?? '1' }).catch((err) => {
    instance = undefined; // let a later call try again
    throw err;
  });
  return (await instance).connect();
}

/** Runs `fn` on a fresh connection, closing it afterwards. */
export async function withConnection<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const con = await connect();
  try {
    return await fn(con);
  } finally {
    con.closeSync();
  }
}

// ---- vectors (typed views are internal to @duckdb/node-api; every use has a public fallback) ----

export type NumArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | Uint8Array;
export type TypedColumn = NumArray | BigInt64Array;

/** The vector's typed view of its values (`items`), when it has one. */
export function itemsOf(v: DuckDBVector): TypedColumn | undefined {
  const items = (v as unknown as { items?: unknown }).items;
  return ArrayBuffer.isView(items) ? (items as TypedColumn) : undefined;
}

/** Validity bits of a vector as bytes (bit i set = row i valid), null when all rows are valid. */
export function validityBits(v: DuckDBVector, rows: number): Uint8Array | null {
  const validity = (v as unknown as { validity?: { data?: unknown; offset?: number } }).validity;
  if (validity && 'data' in validity && (validity.offset ?? 0) === 0) {
    const data = validity.data;
    if (data === null) return null;
    if (data instanceof BigUint64Array) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  // Public fallback: ask each row.
  const bits = new Uint8Array(Math.ceil(rows / 8));
  let anyNull = false;
  for (let i = 0; i < rows; i++) {
    if (v.getItem(i) === null) anyNull = true;
    else bits[i >> 3] |= 1 << (i & 7);
  }
  return anyNull ? bits : null;
}

/** A boolean vector's bytes (one per row), when it has a byte view. */
export function booleanBytes(v: DuckDBVector): Uint8Array | undefined {
  const view = (v as unknown as { dataView?: unknown }).dataView;
  return view instanceof DataView ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : undefined;
}
