/**
 * The bounded buffer between the CSV reader and Bronze's data files: events wait here by event_date until the
 * rows buffered across ALL dates reach a fixed budget; then the date holding the most rows is written as one
 * staged Parquet data file (delta writeDataFile) and dropped from memory. Memory is therefore bounded by the
 * budget (rows × a row's width), never by the size of the input. Time-ordered input (the public files are)
 * fills one date at a time, so files come out near the budget; input in random time order spreads the budget
 * over its dates and makes smaller files.
 */
import { AddFile, writeDataFile } from '../delta';
import { BRONZE_EVENTS_SCHEMA, EVENT_DATE, EVENT_TYPES } from './bronze-schema';
import { EventRecord } from './event-record';

/**
 * A copy of `s` that shares no memory with the text it was cut from. V8 keeps a substring as a view of its
 * parent (the line, itself a view of a 64 KB read chunk): holding such views would keep every chunk read alive.
 */
export function detached(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** A text column as small indexes into a dictionary of its distinct values (-1: null), kept `detached`. */
class DictionaryColumn {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];
  readonly rows: number[] = [];

  push(v: string | null): void {
    if (v === null) {
      this.rows.push(-1);
      return;
    }
    let i = this.index.get(v);
    if (i === undefined) {
      i = this.values.length;
      const copy = detached(v);
      this.values.push(copy);
      this.index.set(copy, i);
    }
    this.rows.push(i);
  }

  decoded(): (string | null)[] {
    return this.rows.map((i) => (i < 0 ? null : this.values[i]));
  }
}

/**
 * A nullable column of non-negative longs (the reader accepts no sign) in a growing BigInt64Array, -1 for null:
 * 8 bytes a row and no Map. A dictionary keyed by the id (as text or bigint) cost more than parsing the row:
 * V8 hashes such keys slowly.
 */
class LongColumn {
  private values = new BigInt64Array(1024);
  private rows = 0;

  push(v: number | bigint | null): void {
    if (this.rows === this.values.length) {
      const grown = new BigInt64Array(this.rows * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.rows++] = v === null ? -1n : typeof v === 'bigint' ? v : BigInt(v);
  }

  decoded(): (bigint | null)[] {
    const out = new Array<bigint | null>(this.rows);
    for (let i = 0; i < this.rows; i++) {
      const v = this.values[i];
      out[i] = v < 0n ? null : v;
    }
    return out;
  }
}

const TYPE_CODES: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i]));

/**
 * One date's events, column by column, in numbers only: doubles (times, prices with NaN for null), small
 * integers (event type codes, dictionary indexes), category_id in a BigInt64Array and the other ids (numbers,
 * bigints past 2^53). About 100 bytes an event.
 */
class DateColumns {
  eventTime: number[] = [];
  eventType: number[] = [];
  productId: (number | bigint)[] = [];
  categoryId = new LongColumn();
  categoryCode = new DictionaryColumn();
  brand = new DictionaryColumn();
  price: number[] = [];
  userId: (number | bigint)[] = [];
  userSession = new DictionaryColumn();

  get rows(): number {
    return this.eventTime.length;
  }

  push(e: EventRecord): void {
    this.eventTime.push(e.eventTimeMicros);
    this.eventType.push(TYPE_CODES[e.eventType]);
    this.productId.push(e.productId);
    this.categoryId.push(e.categoryId);
    this.categoryCode.push(e.categoryCode);
    this.brand.push(e.brand);
    this.price.push(e.price ?? NaN);
    this.userId.push(e.userId);
    this.userSession.push(e.userSession);
  }

  /** The Delta writer's batch: event_time as exact bigint microseconds, nulls restored. */
  batch(): Record<string, ArrayLike<unknown>> {
    return {
      event_time: BigInt64Array.from(this.eventTime, (us) => BigInt(us)),
      event_type: this.eventType.map((c) => EVENT_TYPES[c]),
      product_id: this.productId,
      category_id: this.categoryId.decoded(),
      category_code: this.categoryCode.decoded(),
      brand: this.brand.decoded(),
      price: this.price.map((p) => (Number.isNaN(p) ? null : p)),
      user_id: this.userId,
      user_session: this.userSession.decoded(),
    };
  }
}

export class BronzeBuffer {
  private readonly dates = new Map<string, DateColumns>();
  private buffered = 0;
  readonly files: AddFile[] = [];

  /** `budget`: rows held in memory across all dates before the largest date is written out. */
  constructor(private readonly tablePath: string, private readonly budget: number) {}

  /**
   * Buffers one event. Returns a promise, to be awaited before the next add, only when the budget is reached
   * and a date is being written out; otherwise nothing: no promise (and no microtask) per row.
   */
  add(e: EventRecord): Promise<void> | undefined {
    let cols = this.dates.get(e.eventDate);
    if (!cols) this.dates.set(detached(e.eventDate), (cols = new DateColumns()));
    cols.push(e);
    return ++this.buffered >= this.budget ? this.writeDate(this.largestDate()) : undefined;
  }

  /** Writes every date still buffered (end of input). */
  async flush(): Promise<void> {
    for (const date of [...this.dates.keys()].sort()) await this.writeDate(date);
  }

  private largestDate(): string {
    let best = '';
    let rows = -1;
    for (const [date, cols] of this.dates) if (cols.rows > rows) [best, rows] = [date, cols.rows];
    return best;
  }

  private async writeDate(date: string): Promise<void> {
    const cols = this.dates.get(date)!;
    this.dates.delete(date);
    this.buffered -= cols.rows;
    this.files.push(await writeDataFile(this.tablePath, {
      schema: BRONZE_EVENTS_SCHEMA,
      partitionColumns: [EVENT_DATE],
      partitionValues: { [EVENT_DATE]: date },
      batch: { numRows: cols.rows, columns: cols.batch() },
    }));
  }
}
