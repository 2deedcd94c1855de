/**
 * Per-file statistics for `add.stats`: numRecords, and minValues / maxValues / nullCount of the first 32
 * primitive columns, as Spark collects them (strings cut to a 32-character prefix, timestamps truncated to
 * milliseconds). Data skipping in Spark and delta-rs relies on them being right, so a bound that cannot be
 * stated exactly is left out rather than guessed.
 */
import { ConstantColumn, NumericArray, WriteColumn, typedRange } from '../parquet';
import {
  NUMBER_KINDS, PerPrimitive, StructType, daysFromDate, decimalToString, decimalType, decimalUnscaled, isoMicros, primitiveOf, timestampMicros,
} from '../schema';

const MAX_COLUMNS = 32;
const STRING_PREFIX = 32;

export function computeStats(schema: StructType, numRows: number, columns: Record<string, WriteColumn>): string {
  const min: string[] = [];
  const max: string[] = [];
  const nulls: string[] = [];
  for (const f of schema.fields.slice(0, MAX_COLUMNS)) {
    const column = columns[f.name];
    if (!column || typeof f.type !== 'string') continue;
    // A constant column has the bounds of its one value.
    const data = column instanceof ConstantColumn ? [column.value] : column;
    const bounds = primitiveOf(BOUNDS, f.type);
    const { nullCount, lo, hi } = ArrayBuffer.isView(data) ? typedBounds(data as TypedArray, f.type, bounds) : valueBounds(data, f.type, bounds);
    const name = JSON.stringify(f.name);
    nulls.push(`${name}:${column instanceof ConstantColumn ? nullCount * column.length : nullCount}`);
    if (lo === undefined || hi === undefined) continue;
    const lj = bounds!.json(lo, f.type, false);
    const hj = bounds!.json(hi, f.type, true);
    const truncatedMax = f.type === 'string' && typeof hi === 'string' && [...hi].length > STRING_PREFIX;
    if (lj !== undefined) min.push(`${name}:${lj}`);
    if (hj !== undefined && !truncatedMax) max.push(`${name}:${hj}`);
  }
  return `{"numRecords":${numRows},"minValues":{${min.join(',')}},"maxValues":{${max.join(',')}},"nullCount":{${nulls.join(',')}}}`;
}

type Key = number | bigint | string;
type TypedArray = NumericArray | Uint8Array;

/** How a primitive kind is bounded in stats: its order (a comparable key per value) and a bound's JSON text. */
interface Bounds {
  /** A key comparable with less() in the type's order; undefined for values with no useful order (NaN). */
  key(v: unknown, type: string): Key | undefined;
  json(k: Key, type: string, isMax: boolean): string | undefined;
}

const numberKey = (v: unknown): Key | undefined => {
  const n = Number(v);
  return Number.isNaN(n) ? undefined : n;
};

/** A number or bigint bound as JSON: non-finite numbers are not stated. */
function numberJson(k: Key): string | undefined {
  if (typeof k === 'bigint') return k.toString();
  if (typeof k === 'number' && !Number.isFinite(k)) return undefined;
  return JSON.stringify(k);
}

const NUMBER: Bounds = { key: numberKey, json: numberJson };

/**
 * Per primitive kind; undefined where Spark records no min/max either (boolean, binary) and for kinds this
 * writer does not bound (timestamp_ntz, variant): their null count only.
 */
const BOUNDS: PerPrimitive<Bounds | undefined> = {
  long: { key: (v) => (typeof v === 'bigint' ? v : BigInt(v as number)), json: numberJson },
  integer: NUMBER,
  short: NUMBER,
  byte: NUMBER,
  float: NUMBER,
  double: NUMBER,
  // A 32-character prefix is a valid lower bound; an upper bound after cutting is not stated.
  string: { key: (v) => String(v), json: (k, _t, isMax) => JSON.stringify(isMax ? k : [...(k as string)].slice(0, STRING_PREFIX).join('')) },
  date: { key: (v) => daysFromDate(v), json: (k) => JSON.stringify(isoMicros(BigInt(k) * 86_400_000_000n).slice(0, 10)) },
  timestamp: {
    key: (v) => timestampMicros(v),
    json: (k) => {
      // Truncate to milliseconds as Spark does (readers widen max by 1 ms).
      const us = k as bigint;
      const ms = us >= 0n || us % 1000n === 0n ? us / 1000n : us / 1000n - 1n;
      return JSON.stringify(isoMicros(ms * 1000n).replace(/(\.\d{3})\d{3}Z$/, '$1Z'));
    },
  },
  decimal: { key: (v, type) => decimalUnscaled(v, decimalType(type)!.scale), json: (k, type) => decimalToString(k as bigint, decimalType(type)!.scale) },
  boolean: undefined,
  binary: undefined,
  timestamp_ntz: undefined,
  variant: undefined,
};

/** Null count and bounds of a column of Delta values. */
function valueBounds(data: ArrayLike<unknown>, type: string, bounds: Bounds | undefined): { nullCount: number; lo?: Key; hi?: Key } {
  let nullCount = 0;
  let lo: Key | undefined;
  let hi: Key | undefined;
  let previous: unknown = undefined;
  if (!bounds) {
    // No order to bound: nulls only.
    for (let i = 0; i < data.length; i++) if (data[i] === null || data[i] === undefined) nullCount++;
    return { nullCount };
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === null || v === undefined) {
      nullCount++;
      continue;
    }
    // A run of the same value cannot move a bound.
    if (v === previous) continue;
    previous = v;
    const k = bounds.key(v, type);
    if (k === undefined) continue;
    if (lo === undefined || less(k, lo)) lo = k;
    if (hi === undefined || less(hi, k)) hi = k;
  }
  return { nullCount, lo, hi };
}

/** The same for a typed array (no nulls), in one tight loop: a scoring unit's user ids and probabilities. */
function typedBounds(data: TypedArray, type: string, bounds: Bounds | undefined): { nullCount: number; lo?: Key; hi?: Key } {
  const ordered = type === 'long' ? data instanceof BigInt64Array : NUMBER_KINDS.has(type) && !(data instanceof BigInt64Array);
  if (!ordered || data instanceof Uint8Array) return valueBounds(data, type, bounds);
  const range = typedRange(data);
  return { nullCount: 0, lo: range?.min, hi: range?.max };
}

/**
 * Order of the type. Strings compare by code point (= UTF-8 byte order, as Parquet and Spark compare them),
 * not by UTF-16 unit as JavaScript's < does: otherwise 'ﬀ' (U+FB00) and '😀' (U+1F600) would swap and a
 * reader skipping files by these bounds could skip the wrong one.
 */
function less(a: number | bigint | string, b: number | bigint | string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return a < b;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF, i.e. code points above U+FFFF) sort after U+E000–FFFF.
    const rx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x;
    const ry = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y;
    return rx < ry;
  }
  return a.length < b.length;
}
