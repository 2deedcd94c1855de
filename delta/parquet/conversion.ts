/**
 * Value conversion between Parquet physical values (as hyparquet reads and hyparquet-writer writes them) and
 * the Delta value form (schema/values.ts), both ways, plus type widening of stored values on read:
 *
 *   read:  raw values (decimals unscaled, timestamps bigint micros, dates day numbers) → widen → Delta values
 *   write: Delta values → physical (bigint micros, day numbers, unscaled decimals)
 */
import { DeltaError } from '../errors';
import {
  ArrayType, DataType, DeltaTimestamp, MapType, PerPrimitive, StructField, primitiveOf, dateFromDays, daysFromDate, decimalToString, decimalType, decimalUnscaled, isArray, isMap,
  isStruct, timestampMicros,
} from '../schema';
import type { SchemaElement } from './hyparquet-adapter';

// Parsers that keep timestamps exact (bigint microseconds) and dates as day numbers; the Delta value forms come later.
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
 * Top-level columns only; log/protocol.ts refuses nested widenings of these kinds.
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

/** One primitive kind's value conversion: a non-null raw Parquet value to its Delta value, and back to physical. */
interface Conversion {
  read(v: unknown, type: string, where: string): unknown;
  write(v: unknown, type: string, column: string): unknown;
}

const toNumber = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const NUMBER: Conversion = { read: toNumber, write: toNumber };
const TIMESTAMP: Conversion = {
  read: (v, _t, where) => new DeltaTimestamp(typeof v === 'bigint' ? v : timestampMicros(v, where)),
  write: (v, _t, column) => timestampMicros(v, column),
};
const bytesOf = (v: unknown) => (v instanceof Uint8Array ? v : new TextEncoder().encode(String(v)));
const cannotWrite = (_v: unknown, type: string, column: string): never => {
  throw new DeltaError('SchemaMismatch', `column ${column}: cannot write type ${type}`);
};

/** Per primitive kind (raw values as hyparquet reads them with RAW_PARSERS; physical values as parquet-schema.ts declares them). */
const CONVERSIONS: PerPrimitive<Conversion> = {
  long: { read: (v) => (typeof v === 'bigint' ? v : BigInt(v as number)), write: (v) => (typeof v === 'bigint' ? v : BigInt(v as number)) },
  integer: NUMBER,
  short: NUMBER,
  byte: NUMBER,
  float: NUMBER,
  double: NUMBER,
  boolean: { read: (v) => Boolean(v), write: (v) => Boolean(v) },
  string: { read: (v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)), write: (v) => String(v) },
  binary: { read: bytesOf, write: bytesOf },
  date: {
    read: (v) => (typeof v === 'number' ? dateFromDays(v) : v instanceof Date ? dateFromDays(daysFromDate(v)) : v),
    write: (v, _t, column) => daysFromDate(v, column),
  },
  timestamp: TIMESTAMP,
  timestamp_ntz: TIMESTAMP,
  decimal: {
    read: (v, type) => decimalToString(unscaledFromRaw(v), decimalType(type)!.scale),
    write: (v, type, column) => decimalUnscaled(v, decimalType(type)!.scale, column),
  },
  variant: {
    read: (v) => {
      const o = v as Record<string, unknown>;
      const bytes = (x: unknown) => (x === null || x === undefined ? null : bytesOf(x));
      return { metadata: bytes(o.metadata), value: bytes(o.value) };
    },
    write: cannotWrite,
  },
};

/** The read conversion of a primitive type; an unknown type name is refused. */
function readerOf(type: string, where: string): Conversion['read'] {
  const c = primitiveOf(CONVERSIONS, type);
  if (!c) throw new DeltaError('UnsupportedReaderFeature', `${where}: type ${type} is not supported`);
  return c.read;
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
  if (typeof type === 'string') {
    // The conversion is looked up once per column (an unknown type fails only when a value needs it, as before).
    let read: Conversion['read'] | undefined;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      out[i] = v === null || v === undefined ? null : (read ??= readerOf(type, where))(v, type, where);
    }
    return out;
  }
  for (let i = 0; i < data.length; i++) out[i] = valueFromParquet(data[i], type, where);
  return out;
}

function valueFromParquet(v: unknown, type: DataType, where: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') return readerOf(type, where)(v, type, where);
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

/** A Delta value as the physical value hyparquet-writer expects for the schema elements of parquet-schema.ts. */
function valueToParquet(v: unknown, type: DataType, column: string): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') return (primitiveOf(CONVERSIONS, type)?.write ?? cannotWrite)(v, type, column);
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
