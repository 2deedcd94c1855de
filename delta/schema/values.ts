/**
 * How table values look in JavaScript (ColumnBatch columns), and the conversions between that form, Delta
 * partition-value strings and JSON output.
 *
 *   Delta type                     JavaScript value
 *   long                           bigint
 *   integer, short, byte           number
 *   float, double                  number
 *   boolean                        boolean
 *   string                         string
 *   binary                         Uint8Array
 *   date                           'YYYY-MM-DD' string
 *   timestamp_ntz                  DeltaTimestamp holding the wall-clock time as if it were UTC
 *   timestamp                      DeltaTimestamp (a Date that also carries exact `micros: bigint` since epoch, UTC).
 *                                  Writers accept any Date (millisecond precision), a DeltaTimestamp or a bigint
 *                                  of microseconds since the epoch.
 *   decimal(p,s)                   string with exactly s fraction digits, e.g. '12.30' (writers also accept number/bigint)
 *   variant                        { metadata: Uint8Array, value: Uint8Array }: the Variant binary encoding, undecoded
 *   struct                         plain object { field: value }
 *   array                          array
 *   map                            plain object { String(key): value }
 *   null                           null
 * Columns without nulls may be typed arrays (BigInt64Array for long, Float64Array for double, ...).
 */
import { DeltaError } from '../errors';
import { PerPrimitive, primitiveOf } from './primitive-types';
import { DataType, decimalType, isArray, isMap, isStruct } from './schema';

/** A timestamp exact to the microsecond; usable anywhere a Date is. */
export class DeltaTimestamp extends Date {
  readonly micros: bigint;
  constructor(micros: bigint) {
    super(Number(floorDiv(micros, 1000n)));
    this.micros = micros;
  }
  override toISOString(): string {
    return isoMicros(this.micros);
  }
  override toJSON(): string {
    return isoMicros(this.micros);
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Microseconds since the epoch of a timestamp value in any accepted form. */
export function timestampMicros(v: unknown, column = 'timestamp'): bigint {
  if (v instanceof DeltaTimestamp) return v.micros;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw new DeltaError('InvalidArgument', `column ${column}: invalid Date`);
    return BigInt(ms) * 1000n;
  }
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') return parseTimestamp(v, column);
  throw new DeltaError('InvalidArgument', `column ${column}: expected a Date or bigint microseconds, got ${typeof v}`);
}

/** 'YYYY-MM-DDTHH:MM:SS.ffffffZ' for microseconds since the epoch. */
export function isoMicros(micros: bigint): string {
  const ms = floorDiv(micros, 1000n);
  const frac = micros - floorDiv(micros, 1_000_000n) * 1_000_000n;
  const d = new Date(Number(ms));
  const y = d.getUTCFullYear();
  const year = y < 0 ? '-' + String(-y).padStart(6, '0') : y > 9999 ? '+' + String(y).padStart(6, '0') : String(y).padStart(4, '0');
  return `${year}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(frac).padStart(6, '0')}Z`;
}
function p2(n: number): string {
  return String(n).padStart(2, '0');
}

const TS = /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a timestamp partition value: 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC, as delta-rs reads Spark's) or
 * ISO-8601 with 'Z' or an offset.
 */
export function parseTimestamp(s: string, column: string): bigint {
  const m = TS.exec(s.trim());
  if (!m) throw new DeltaError('CorruptLog', `column ${column}: cannot parse timestamp ${JSON.stringify(s)}`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number(y) < 100) ms = new Date(ms).setUTCFullYear(Number(y));
  let micros = BigInt(ms) * 1000n + BigInt((frac + '000000').slice(0, 6));
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offMin = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    micros -= sign * offMin * 60_000_000n;
  }
  return micros;
}

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' of days since the epoch. */
export function dateFromDays(days: number): string {
  return isoMicros(BigInt(days) * 86_400_000_000n).slice(0, -17);
}

/** Days since the epoch of a 'YYYY-MM-DD' string or a Date (its UTC date). */
export function daysFromDate(v: unknown, column = 'date'): number {
  if (v instanceof Date) return Math.floor(v.getTime() / DAY_MS);
  if (typeof v === 'string') {
    const m = /^([+-]?\d{4,})-(\d{2})-(\d{2})/.exec(v);
    if (m) {
      const t = new Date(0);
      t.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      return Math.floor(t.getTime() / DAY_MS);
    }
  }
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new DeltaError('InvalidArgument', `column ${column}: expected a 'YYYY-MM-DD' date, got ${JSON.stringify(String(v))}`);
}

/** Decimal string with exactly `scale` fraction digits for an unscaled integer. */
export function decimalToString(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = digits.slice(0, -scale) + '.' + digits.slice(-scale);
  }
  return (neg ? '-' : '') + digits;
}

/** Unscaled integer of a decimal given as string, number or bigint (exact for strings and bigints). */
export function decimalUnscaled(v: unknown, scale: number, column = 'decimal'): bigint {
  if (typeof v === 'bigint') return v * 10n ** BigInt(scale);
  const s = typeof v === 'number' ? v.toFixed(scale) : typeof v === 'string' ? v.trim() : undefined;
  const m = s === undefined ? null : /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new DeltaError('InvalidArgument', `column ${column}: expected a decimal, got ${JSON.stringify(String(v))}`);
  }
  let intPart = m[2] || '0';
  let frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  if (exp > 0) {
    const shift = frac.padEnd(exp, '0');
    intPart += shift.slice(0, exp);
    frac = shift.slice(exp);
  } else if (exp < 0) {
    const padded = intPart.padStart(-exp + 1, '0');
    frac = padded.slice(exp) + frac;
    intPart = padded.slice(0, exp);
  }
  if (frac.length > scale && /[^0]/.test(frac.slice(scale))) {
    throw new DeltaError('InvalidArgument', `column ${column}: ${s} has more than ${scale} fraction digits`);
  }
  const unscaled = BigInt(intPart + frac.slice(0, scale).padEnd(scale, '0'));
  return m[1] === '-' ? -unscaled : unscaled;
}

type PartitionParse = (raw: string, type: string, column: string) => unknown;
const parseNumber: PartitionParse = (raw) => Number(raw);

/** Partition value string → typed value, per primitive kind (undefined: not a partition column type). */
const PARSE_PARTITION: PerPrimitive<PartitionParse | undefined> = {
  string: (raw) => raw,
  long: (raw) => BigInt(raw),
  integer: parseNumber,
  short: parseNumber,
  byte: parseNumber,
  float: parseNumber,
  double: parseNumber,
  boolean: (raw) => raw.toLowerCase() === 'true',
  date: (raw, _t, column) => dateFromDays(daysFromDate(raw, column)),
  timestamp: (raw, _t, column) => new DeltaTimestamp(parseTimestamp(raw, column)),
  timestamp_ntz: (raw, _t, column) => new DeltaTimestamp(parseTimestamp(raw, column)),
  binary: (raw) => new TextEncoder().encode(raw),
  decimal: (raw, type, column) => {
    const d = decimalType(type)!;
    return decimalToString(decimalUnscaled(raw, d.scale, column), d.scale);
  },
  variant: undefined,
};

/**
 * A partition value from the log (a string, or null) as a typed value. '' is null, as in Spark.
 */
export function parsePartitionValue(raw: string | null | undefined, type: DataType, column: string): unknown {
  if (raw === null || raw === undefined || raw === '') return null;
  if (typeof type !== 'string') {
    throw new DeltaError('CorruptLog', `partition column ${column} has a nested type`);
  }
  const parse = primitiveOf(PARSE_PARTITION, type);
  if (!parse) throw new DeltaError('UnsupportedReaderFeature', `partition column ${column} has unsupported type ${type}`);
  return parse(raw, type, column);
}

type PartitionFormat = (v: unknown, type: string, column: string) => string;
const formatString: PartitionFormat = (v) => String(v);

/** Typed value → partition value string, per primitive kind. */
const FORMAT_PARTITION: PerPrimitive<PartitionFormat> = {
  string: formatString,
  long: formatString,
  integer: formatString,
  short: formatString,
  byte: formatString,
  float: formatString,
  double: formatString,
  boolean: formatString,
  variant: formatString,
  date: (v, _t, column) => dateFromDays(daysFromDate(v, column)),
  timestamp: (v, _t, column) => isoMicros(timestampMicros(v, column)),
  timestamp_ntz: (v, _t, column) => isoMicros(timestampMicros(v, column)).slice(0, -1).replace('T', ' '),
  binary: (v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : String(v)),
  decimal: (v, type, column) => {
    const d = decimalType(type)!;
    return decimalToString(decimalUnscaled(v, d.scale, column), d.scale);
  },
};

/** A typed value as a Delta partition-value string (null stays null). */
export function formatPartitionValue(v: unknown, type: DataType, column: string): string | null {
  if (v === null || v === undefined) return null;
  if (typeof type !== 'string') throw new DeltaError('InvalidArgument', `partition column ${column} has a nested type`);
  return (primitiveOf(FORMAT_PARTITION, type) ?? formatString)(v, type, column);
}

type JsonOf = (v: unknown) => unknown;
/** Numbers as they are, except non-finite doubles as the strings 'NaN', 'Infinity', '-Infinity'. */
const jsonPlain: JsonOf = (v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v);
const base64 = (x: Uint8Array | null) => (x === null ? null : Buffer.from(x).toString('base64'));

/** Delta value → JSON-compatible value, per primitive kind. */
const TO_JSON: PerPrimitive<JsonOf> = {
  string: jsonPlain,
  long: jsonPlain,
  integer: jsonPlain,
  short: jsonPlain,
  byte: jsonPlain,
  float: jsonPlain,
  double: jsonPlain,
  boolean: jsonPlain,
  date: jsonPlain,
  decimal: jsonPlain,
  timestamp: (v) => isoMicros(timestampMicros(v)),
  timestamp_ntz: (v) => isoMicros(timestampMicros(v)).slice(0, -1), // wall-clock time: no zone
  binary: (v) => Buffer.from(v as Uint8Array).toString('base64'),
  variant: (v) => {
    const o = v as { metadata: Uint8Array | null; value: Uint8Array | null };
    return { metadata: base64(o.metadata), value: base64(o.value) };
  },
};

/**
 * A value as JSON-compatible data for `delta read --json`: bigint stays bigint (printed as a bare JSON number
 * by `toJsonLine`), timestamps ISO-8601 UTC with microseconds, binary base64, non-finite doubles as the
 * strings 'NaN', 'Infinity', '-Infinity', maps as objects.
 */
export function toJsonValue(v: unknown, type: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof type === 'string') return (primitiveOf(TO_JSON, type) ?? jsonPlain)(v);
  if (isStruct(type)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of type.fields) out[f.name] = toJsonValue(o[f.name], f.type);
    return out;
  }
  if (isArray(type)) return Array.from(v as ArrayLike<unknown>, (x) => toJsonValue(x, type.elementType));
  if (isMap(type)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJsonValue(x, type.valueType);
    return out;
  }
  return v;
}

/** JSON text where bigints are written as bare numbers (JSON.stringify refuses them). */
export function toJsonText(v: unknown): string {
  if (typeof v === 'bigint') return v.toString();
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return '[' + v.map(toJsonText).join(',') + ']';
  if (typeof v === 'object' && !(v instanceof Date)) {
    return '{' + Object.entries(v as Record<string, unknown>).map(([k, x]) => JSON.stringify(k) + ':' + toJsonText(x)).join(',') + '}';
  }
  return JSON.stringify(v);
}
