/**
 * One CSV record of the public events format checked and typed for Bronze, or the reason it cannot be: the
 * quarantine table records that reason with the file and line. Times are `YYYY-MM-DD HH:MM:SS UTC` (optionally
 * with up to six fraction digits); ids are whole numbers that fit a Delta long; empty optional text is null.
 */
import { EVENT_COLUMNS, EVENT_TYPES, EventType } from './bronze-schema';

export interface EventRecord {
  /** Microseconds since the epoch (exact in a double until the year 287396). */
  eventTimeMicros: number;
  /** YYYY-MM-DD, the UTC day of event_time: the Bronze partition. */
  eventDate: string;
  eventType: EventType;
  productId: number | bigint;
  categoryId: number | bigint | null;
  categoryCode: string | null;
  brand: string | null;
  price: number | null;
  userId: number | bigint;
  userSession: string | null;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? UTC$/;
const WHOLE = /^\d{1,19}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const LONG_MAX = 9223372036854775807n;
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** The record, or the reason it is malformed (naming the column and the value). */
export function parseEventRecord(fields: string[]): EventRecord | { error: string } {
  if (fields.length !== EVENT_COLUMNS.length) return { error: `wrong column count: ${fields.length}, expected ${EVENT_COLUMNS.length}` };
  const [time, type, product, category, categoryCode, brand, price, user, session] = fields;
  const m = TIME.exec(time);
  if (!m) return { error: `bad event_time ${quote(time)}: expected YYYY-MM-DD HH:MM:SS UTC` };
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) {
    return { error: `bad event_time ${quote(time)}: not a calendar time` };
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (!TYPES.has(type)) return { error: `unknown event_type ${quote(type)}: expected ${EVENT_TYPES.join(', ')}` };
  const productId = parseLong(product);
  if (productId === undefined) return { error: `bad product_id ${quote(product)}: expected a whole number` };
  const categoryId = category === '' ? null : parseLong(category);
  if (categoryId === undefined) return { error: `bad category_id ${quote(category)}: expected a whole number or nothing` };
  let priceValue: number | null = null;
  if (price !== '') {
    priceValue = NUMBER.test(price) ? Number(price) : NaN;
    if (!Number.isFinite(priceValue)) return { error: `bad price ${quote(price)}: expected a number or nothing` };
  }
  const userId = parseLong(user);
  if (userId === undefined) return { error: `bad user_id ${quote(user)}: expected a whole number` };
  const fraction = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  return {
    eventTimeMicros: ms * 1000 + fraction,
    eventDate: time.slice(0, 10),
    eventType: type as EventType,
    productId,
    categoryId,
    categoryCode: categoryCode === '' ? null : categoryCode,
    brand: brand === '' ? null : brand,
    price: priceValue,
    userId,
    userSession: session === '' ? null : session,
  };
}

/** Days in a month (1-12) of the proleptic Gregorian calendar, as Date.UTC counts them; no Date per row. */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A non-negative whole number that fits a Delta long: a number when exact, else a bigint; undefined if not one. */
function parseLong(s: string): number | bigint | undefined {
  if (!WHOLE.test(s)) return undefined;
  if (s.length <= 15) return Number(s);
  const b = BigInt(s);
  return b <= LONG_MAX ? b : undefined;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
}
