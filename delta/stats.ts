/**
 * Per-file statistics for `add.stats`: numRecords, and minValues / maxValues / nullCount of the first 32
 * primitive columns, as Spark collects them (strings cut to a 32-character prefix, timestamps truncated to
 * milliseconds). Data skipping in Spark and delta-rs relies on them being right, so a bound that cannot be
 * stated exactly is left out rather than guessed.
 */
import { StructType } from './schema';
import { daysFromDate, decimalToString, decimalUnscaled, isoMicros, timestampMicros } from './values';

const MAX_COLUMNS = 32;
const STRING_PREFIX = 32;

type Bound = { json: string; cmp: number | bigint | string };

export function computeStats(schema: StructType, numRows: number, columns: Record<string, ArrayLike<unknown>>): string {
  const min: string[] = [];
  const max: string[] = [];
  const nulls: string[] = [];
  for (const f of schema.fields.slice(0, MAX_COLUMNS)) {
    const data = columns[f.name];
    if (!data || typeof f.type !== 'string') continue;
    let nullCount = 0;
    let lo: Bound | undefined;
    let hi: Bound | undefined;
    let truncatedMax = false;
    const key = (v: unknown) => sortKey(v, f.type as string);
    let previous: unknown = undefined;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v === null || v === undefined) {
        nullCount++;
        continue;
      }
      // A run of the same value (constant Gold columns: model, run id, scored_at) cannot move a bound.
      if (v === previous) continue;
      previous = v;
      const k = key(v);
      if (k === undefined) continue;
      if (lo === undefined || less(k, lo.cmp)) lo = { cmp: k, json: '' };
      if (hi === undefined || less(hi.cmp, k)) hi = { cmp: k, json: '' };
    }
    const name = JSON.stringify(f.name);
    nulls.push(`${name}:${nullCount}`);
    if (lo === undefined || hi === undefined) continue;
    const lj = boundJson(lo.cmp, f.type, false);
    const hj = boundJson(hi.cmp, f.type, true);
    if (f.type === 'string' && typeof hi.cmp === 'string' && [...hi.cmp].length > STRING_PREFIX) truncatedMax = true;
    if (lj !== undefined) min.push(`${name}:${lj}`);
    if (hj !== undefined && !truncatedMax) max.push(`${name}:${hj}`);
  }
  return `{"numRecords":${numRows},"minValues":{${min.join(',')}},"maxValues":{${max.join(',')}},"nullCount":{${nulls.join(',')}}}`;
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
