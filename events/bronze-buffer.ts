/**
 * The bounded buffer between the CSV reader and Bronze's data files: events wait here by event_date until the
 * rows buffered across ALL dates reach a fixed budget; then the date holding the most rows is written as one
 * staged Parquet data file (delta writeDataFile) and dropped from memory. Memory is therefore bounded by the
 * budget (rows × a row's width), never by the size of the input. Time-ordered input (the public files are)
 * fills one date at a time, so files come out near the budget; input in random time order spreads the budget
 * over its dates and makes smaller files.
 */
import { AddFile, writeDataFile } from '../delta';
import { BRONZE_EVENTS_SCHEMA, EVENT_DATE } from './bronze-schema';
import { EventRecord } from './event-record';

class DateColumns {
  eventTime: number[] = [];
  eventType: string[] = [];
  productId: (number | bigint)[] = [];
  categoryId: (number | bigint | null)[] = [];
  categoryCode: (string | null)[] = [];
  brand: (string | null)[] = [];
  price: (number | null)[] = [];
  userId: (number | bigint)[] = [];
  userSession: (string | null)[] = [];

  get rows(): number {
    return this.eventTime.length;
  }

  push(e: EventRecord): void {
    this.eventTime.push(e.eventTimeMicros);
    this.eventType.push(e.eventType);
    this.productId.push(e.productId);
    this.categoryId.push(e.categoryId);
    this.categoryCode.push(e.categoryCode);
    this.brand.push(e.brand);
    this.price.push(e.price);
    this.userId.push(e.userId);
    this.userSession.push(e.userSession);
  }

  /** The Delta writer's batch: event_time as exact bigint microseconds, the rest as buffered. */
  batch(): Record<string, ArrayLike<unknown>> {
    return {
      event_time: BigInt64Array.from(this.eventTime, (us) => BigInt(us)),
      event_type: this.eventType,
      product_id: this.productId,
      category_id: this.categoryId,
      category_code: this.categoryCode,
      brand: this.brand,
      price: this.price,
      user_id: this.userId,
      user_session: this.userSession,
    };
  }
}

export class BronzeBuffer {
  private readonly dates = new Map<string, DateColumns>();
  private buffered = 0;
  readonly files: AddFile[] = [];

  /** `budget`: rows held in memory across all dates before the largest date is written out. */
  constructor(private readonly tablePath: string, private readonly budget: number) {}

  async add(e: EventRecord): Promise<void> {
    let cols = this.dates.get(e.eventDate);
    if (!cols) this.dates.set(e.eventDate, (cols = new DateColumns()));
    cols.push(e);
    if (++this.buffered >= this.budget) await this.writeDate(this.largestDate());
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
