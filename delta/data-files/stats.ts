/**
 * Per-file statistics for `add.stats`: numRecords, and minValues / maxValues / nullCount of the first 32
 * primitive columns, as Spark collects them (strings cut to a 32-character prefix, timestamps truncated to
 * milliseconds). Data skipping in Spark and delta-rs relies on them being right, so a bound that cannot be
 * stated exactly is left out rather than guessed.
 */
import { ConstantColumn, WriteColumn } from '../parquet';
import { StructType } from '../schema';
import { NumericArray, typedRange } from '../parquet';
import { daysFromDate, decimalToString, decimalUnscaled, isoMicros, timestampMicros } from '../schema';

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
    const { nullCount, lo, hi } = ArrayBuffer.isView(data) ? typedBounds(data as TypedArray, f.type) : valueBounds(data, f.type);
    const name = JSON.stringify(f.name);
    nulls.push(`${name}:${column instanceof ConstantColumn ? nullCount * column.length : nullCount}`);
    if (lo === undefined || hi === undefined) continue;
    const lj = boundJson(lo, f.type, false);
    const hj = boundJson(hi, f.type, true);
    const truncatedMax = f.type === 'string' && typeof hi === 'string' && [...hi].length > STRING_PREFIX;
    if (lj !== undefined) min.push(`${name}:${lj}`);
    if (hj !== undefined && !truncatedMax) max.push(`${name}:${hj}`);
  }
  return `{"numRecords":${numRows},"minValues":{${min.join(',')}},"maxValues":{${max.join(',')}},"nullCount":{${nulls.join(',')}}}`;
}

type Key = number | bigint | string;
type TypedArray = NumericArray | Uint8Array;

/** Null count and bounds of a column of Delta values. */
function valueBounds(data: ArrayLike<unknown>, type: string): { nullCount: number; lo?: Key; hi?: Key } {
  let nullCount = 0;
  let lo: Key | undefined;
  let hi: Key | undefined;
  let previous: unknown = undefined;
  if (type === 'boolean' || type === 'binary') {
    // No order to bound (Spark records none either): nulls only.
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
    const k = sortKey(v, type);
    if (k === undefined) continue;
    if (lo === undefined || less(k, lo)) lo = k;
    if (hi === undefined || less(hi, k)) hi = k;
  }
  return { nullCount, lo, hi };
}

/** The same for a typed array (no nulls), in one tight loop: a scoring unit's user ids and probabilities. */
function typedBounds(data: TypedArray, type: string): { nullCount: number; lo?: Key; hi?: Key } {
  const ordered = type === 'long' ? data instanceof BigInt64Array : NUMBER_TYPES.has(type) && !(data instanceof BigInt64Array);
  if (!ordered || data instanceof Uint8Array) return valueBounds(data, type);
  const range = typedRange(data);
  return { nullCount: 0, lo: range?.min, hi: range?.max };
}

const NUMBER_TYPES = new Set(['integer', 'short', 'byte', 'float', 'double']);

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

/** A value comparable with less() in the type's order; undefined for values with no useful order (NaN, binary). */
function sortKey(v: unknown, type: string): number | bigint | string | undefined {
  switch (type) {
    case 'long':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'integer': case 'short': case 'byte': case 'float': case 'double': {
      const n = Number(v);
      return Number.isNaN(n) ? undefined : n;
    }
    case 'string':
      return String(v);
    case 'date':
      return daysFromDate(v);
    case 'timestamp':
      return timestampMicros(v);
    default:
      if (type.startsWith('decimal')) {
        const scale = Number(/,\s*(\d+)\)/.exec(type)?.[1] ?? 0);
        return decimalUnscaled(v, scale);
      }
      return undefined; // boolean and binary: Spark records no min/max either
  }
}

function boundJson(k: number | bigint | string, type: string, isMax: boolean): string | undefined {
  if (typeof k === 'bigint' && type === 'timestamp') {
    // Truncate to milliseconds as Spark does (readers widen max by 1 ms).
    const ms = k >= 0n || k % 1000n === 0n ? k / 1000n : k / 1000n - 1n;
    return JSON.stringify(isoMicros(ms * 1000n).replace(/(\.\d{3})\d{3}Z$/, '$1Z'));
  }
  if (typeof k === 'bigint' && type.startsWith('decimal')) {
    const scale = Number(/,\s*(\d+)\)/.exec(type)?.[1] ?? 0);
    return decimalToString(k, scale);
  }
  if (typeof k === 'bigint') return k.toString();
  if (typeof k === 'number') {
    if (type === 'date') return JSON.stringify(isoMicros(BigInt(k) * 86_400_000_000n).slice(0, 10));
    if (!Number.isFinite(k)) return undefined;
    return JSON.stringify(k);
  }
  // strings: a 32-character prefix is a valid lower bound; an upper bound after cutting is not stated.
  return isMax ? JSON.stringify(k) : JSON.stringify([...k].slice(0, STRING_PREFIX).join(''));
}
