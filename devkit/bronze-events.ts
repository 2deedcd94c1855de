/**
 * Bronze events tables for tests and benchmarks of `batch-score features`, written straight through the Delta
 * layer's writer with the Bronze contract's schema (the one `batch-score ingest` writes), so they do not depend
 * on ingest: events grouped by their UTC date into partition event_date, one appendFiles commit per call.
 */
import { AddFile, appendFiles, parseTimestamp, writeDataFile } from '../delta';
import { BRONZE_EVENTS_SCHEMA } from '../events';

export { BRONZE_EVENTS_SCHEMA };


export interface BronzeEvent {
  /** UTC, 'YYYY-MM-DD HH:MM:SS[.ffffff]' (as the public CSV without ' UTC'), or microseconds since the epoch. */
  time: string | bigint;
  type: 'view' | 'cart' | 'purchase';
  productId: number;
  userId: number;
  price?: number | null;
  session?: string | null;
  categoryId?: number | null;
  categoryCode?: string | null;
  brand?: string | null;
}

const DAY_US = 86_400_000_000n;

export function eventMicros(e: BronzeEvent): bigint {
  return typeof e.time === 'bigint' ? e.time : parseTimestamp(`${e.time.replace(' ', 'T')}Z`, 'event_time');
}

/** One staged Bronze data file of one event date (not yet committed). */
export async function writeBronzeFile(tablePath: string, date: string, events: BronzeEvent[]): Promise<AddFile> {
  const n = events.length;
  const time = new BigInt64Array(n);
  const productId = new BigInt64Array(n);
  const userId = new BigInt64Array(n);
  events.forEach((e, i) => {
    time[i] = eventMicros(e);
    productId[i] = BigInt(e.productId);
    userId[i] = BigInt(e.userId);
  });
  return writeDataFile(tablePath, {
    schema: BRONZE_EVENTS_SCHEMA,
    partitionColumns: ['event_date'],
    partitionValues: { event_date: date },
    batch: {
      numRows: n,
      columns: {
        event_time: time,
        event_type: events.map((e) => e.type),
        product_id: productId,
        category_id: events.map((e) => (e.categoryId == null ? null : BigInt(e.categoryId))),
        category_code: events.map((e) => e.categoryCode ?? null),
        brand: events.map((e) => e.brand ?? null),
        price: events.map((e) => e.price ?? null),
        user_id: userId,
        user_session: events.map((e) => e.session ?? null),
      },
    },
  });
}

/** Commits staged Bronze files (creating the table on first use). */
export async function commitBronze(tablePath: string, files: AddFile[]): Promise<number> {
  const { version } = await appendFiles(tablePath, files, { createWith: { schema: BRONZE_EVENTS_SCHEMA, partitionColumns: ['event_date'] } });
  return version;
}

/** Appends events to a Bronze table in one commit, one file per event date. */
export async function writeBronzeEvents(tablePath: string, events: BronzeEvent[]): Promise<number> {
  const byDate = new Map<string, BronzeEvent[]>();
  for (const e of events) {
    const date = new Date(Number((eventMicros(e) / DAY_US) * 86_400_000n)).toISOString().slice(0, 10);
    byDate.set(date, [...(byDate.get(date) ?? []), e]);
  }
  const files: AddFile[] = [];
  for (const [date, list] of [...byDate].sort(([a], [b]) => (a < b ? -1 : 1))) files.push(await writeBronzeFile(tablePath, date, list));
  return commitBronze(tablePath, files);
}
