/**
 * Value conversion between Parquet physical values (as hyparquet reads and hyparquet-writer writes them) and
 * the Delta value form (schema/values.ts), both ways, plus type widening of stored values on read:
 *
 *   read:  raw values (decimals unscaled, timestamps bigint micros, dates day numbers) → widen → Delta values
 *   write: Delta values → physical (bigint micros, day numbers, unscaled decimals)
 */
import { DeltaError } from '../errors';
import {
  ArrayType, DataType, DeltaTimestamp, MapType, StructField, dateFromDays, daysFromDate, decimalToString, decimalType, decimalUnscaled, isArray, isMap,
  isStruct, timestampMicros,
} from '../schema';
import type { SchemaElement } from './hyparquet-adapter';

// Parsers that keep timestamps exact (bigint microseconds) and dates as day numbers; values.ts forms come later.
export const RAW_PARSERS = {
  timestampFromMilliseconds: (ms: bigint) => BigInt(ms) * 1000n,
  timestampFromMicroseconds: (us: bigint) => BigInt(us),
  timestampFromNanoseconds: (ns: bigint) => {
    const n = BigInt(ns);
    return n >= 0n || n % 1000n === 0n ? n / 1000n : n / 1000n - 1n;
  },
  dateFromDays: (days: number) => days,
};

const TYPED = (a: ArrayLike<unknown>): boolean => ArrayBuffer.isView(a);

/**
 * Type widening (a column's Delta type widened after files were written): values stored under the narrower
 * type are brought to the table's. Integers and floats widen by plain conversion later; here the two cases
 * whose raw value means something else: a decimal of smaller scale or an integer read as decimal(p,s)
 * (unscaled values are rescaled), and a DATE read as timestamp_ntz (days → microseconds).
 * Top-level columns only; protocol.ts refuses nested widenings of these kinds.
 */
export function widen(data: ArrayLike<unknown>, file: SchemaElement | undefined, type: DataType, where: string): ArrayLike<unknown> {
  if (!file || typeof type !== 'string') return data;
  const d = decimalType(type);
  if (d) {
    const fileDecimal = file.converted_type === 'DECIMAL' || file.logical_type?.type === 'DECIMAL';
    const fileScale = fileDecimal ? file.scale ?? (file.logical_type as { scale?: number } | undefined)?.scale ?? 0 : 0;
    if (fileScale === d.scale) return data;
    if (fileScale > d.scale) throw new DeltaError('CorruptDataFile', `${where}: file scale ${fileScale} exceeds the table's decimal(${d.precision},${d.scale})`);
    const factor = 10n ** BigInt(d.scale - fileScale);
    return Array.from(data, (v) => (v === null || v === undefined ? null : unscaledFromRaw(v) * factor));
  }
  const fileDate = file.converted_type === 'DATE' || file.logical_type?.type === 'DATE';
  if ((type === 'timestamp_ntz' || type === 'timestamp') && fileDate) {
    return Array.from(data, (v) => (v === null || v === undefined ? null : BigInt(v as number) * 86_400_000_000n));
  }
  return data;
}

/** Converts a column as read by hyparquet to the Delta value form; typed arrays of the right kind pass through. */
export function columnFromParquet(data: ArrayLike<unknown>, type: DataType, where: string): ArrayLike<unknown> {
  if (type === 'double' || type === 'float') {
    if (data instanceof Float64Array || data instanceof Float32Array) return data;
  } else if (type === 'long') {
    if (data instanceof BigInt64Array) return data;
  } else if (type === 'integer' || type === 'short' || type === 'byte') {
    if (data instanceof Int32Array) return data;
  }
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = valueFromParquet(data[i], type, where);
  return out;
}

function valueFromParquet(v: unknown, type: DataType, where: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'long':
        return typeof v === 'bigint' ? v : BigInt(v as number);
      case 'integer':
      case 'short':
      case 'byte':
      case 'float':
      case 'double':
        return typeof v === 'number' ? v : Number(v);
      case 'boolean':
        return Boolean(v);
      case 'string':
        return v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v);
      case 'binary':
        return v instanceof Uint8Array ? v : new TextEncoder().encode(String(v));
      case 'date':
        return typeof v === 'number' ? dateFromDays(v) : v instanceof Date ? dateFromDays(daysFromDate(v)) : v;
      case 'timestamp':
      case 'timestamp_ntz':
        return new DeltaTimestamp(typeof v === 'bigint' ? v : timestampMicros(v, where));
      case 'variant': {
        const o = v as Record<string, unknown>;
        const bytes = (x: unknown) => (x instanceof Uint8Array ? x : x === null || x === undefined ? null : new TextEncoder().encode(String(x)));
        return { metadata: bytes(o.metadata), value: bytes(o.value) };
      }
      default: {
        const d = decimalType(type);
        if (d) return decimalToString(unscaledFromRaw(v), d.scale);
        throw new DeltaError('UnsupportedReaderFeature', `${where}: type ${type} is not supported`);
      }
    }
  }
  if (isStruct(type)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = valueFromParquet(o[f.name], f.type, `${where}.${f.name}`);
    return out;
  }
  if (isArray(type)) return Array.from(v as ArrayLike<unknown>, (x) => valueFromParquet(x, type.elementType, where));
  if (isMap(type)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[mapKey(k, type.keyType, where)] = valueFromParquet(x, type.valueType, where);
    return out;
  }
  return v;
}

/** Map keys arrive as property names of raw values (day numbers, microseconds): spell them as values. */
function mapKey(k: string, keyType: DataType, where: string): string {
  if (keyType === 'date' && /^-?\d+$/.test(k)) return dateFromDays(Number(k));
  if ((keyType === 'timestamp' || keyType === 'timestamp_ntz') && /^-?\d+$/.test(k)) {
    const iso = (valueFromParquet(BigInt(k), keyType, where) as DeltaTimestamp).toISOString();
    return keyType === 'timestamp' ? iso : iso.slice(0, -1);
  }
  return k;
}

/** Unscaled integer of a raw Parquet decimal: INT32, INT64 or big-endian two's complement bytes. */
function unscaledFromRaw(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  const bytes = v as Uint8Array;
  if (bytes.length === 0) return 0n;
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  if (bytes[0] & 0x80) x -= 1n << BigInt(bytes.length * 8);
  return x;
}

/** A Delta value as the physical value hyparquet-writer expects for the schema elements above. */
function valueToParquet(v: unknown, type: DataType, column: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') {
    switch (type) {
      case 'long': return typeof v === 'bigint' ? v : BigInt(v as number);
      case 'integer': case 'short': case 'byte': case 'float': case 'double': return typeof v === 'number' ? v : Number(v);
      case 'boolean': return Boolean(v);
      case 'string': return String(v);
      case 'binary': return v instanceof Uint8Array ? v : new TextEncoder().encode(String(v));
      case 'date': return daysFromDate(v, column);
      case 'timestamp': case 'timestamp_ntz': return timestampMicros(v, column);
      default: {
        const d = decimalType(type);
        if (d) return decimalUnscaled(v, d.scale, column);
        throw new DeltaError('SchemaMismatch', `column ${column}: cannot write type ${type}`);
      }
    }
  }
  if (isStruct(type)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = valueToParquet(o[f.name], f.type, `${column}.${f.name}`);
    return out;
  }
  if (isArray(type)) return Array.from(v as ArrayLike<unknown>, (x) => valueToParquet(x, (type as ArrayType).elementType, column));
  const m = type as MapType;
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Record<string, unknown>);
  return entries.map(([k, x]) => ({ key: valueToParquet(k, m.keyType, column), value: valueToParquet(x, m.valueType, column) }));
}

export function columnToParquet(data: ArrayLike<unknown>, f: StructField): ArrayLike<unknown> {
  // Typed arrays already hold physical values of the right kind.
  if (f.type === 'long' && data instanceof BigInt64Array) return data;
  if ((f.type === 'double' && data instanceof Float64Array) || (f.type === 'float' && data instanceof Float32Array)) return data;
  if (f.type === 'integer' && data instanceof Int32Array) return data;
  if (TYPED(data) && !(f.type === 'double' || f.type === 'float' || f.type === 'integer' || f.type === 'short' || f.type === 'byte' || f.type === 'long')) {
    return Array.from(data, (x) => valueToParquet(x, f.type, f.name));
  }
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = valueToParquet(data[i], f.type, f.name);
    if (x === null && !f.nullable) {
      throw new DeltaError('SchemaMismatch', `column ${f.name} is not nullable but row ${i} is null`);
    }
    out[i] = x;
  }
  return out;
}
