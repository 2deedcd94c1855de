/**
 * The alternative measured against DuckDB for `batch-score features` (docs/decisions/features-from-events.md): a
 * streaming aggregation in TypeScript over the Delta scan, row group by row group, into one Map entry per user
 * (counts, spend, price sum, last time, and the Sets that count distinct sessions and products). It only
 * aggregates (no Silver write), so its time is a lower bound of what a full build would take.
 */
import { AddFile, daysFromDate, openTable, partitionValueOf, readDataFile, Snapshot, fieldOf } from '../../delta';

interface Agg {
  views7: number; views30: number; carts7: number; carts30: number; purchases7: number; purchases30: number;
  spend: number; priceSum: number; priceN: number; last: bigint;
  sessions: Set<string>; products: Set<bigint>;
}

const DAY_US = 86_400_000_000n;

function filesBetween(s: Snapshot, from: number | undefined, to: number): AddFile[] {
  const field = fieldOf(s.schema, 'event_date', s.tablePath);
  return s.files().filter((f) => {
    const day = daysFromDate(partitionValueOf(f.partitionValues, field));
    return (from === undefined || day >= from) && day < to;
  });
}

/** Per-user aggregates of date D; returns how many users and events it saw. */
export async function streamingFeatures(table: string, date: string): Promise<{ users: number; events: number }> {
  const snapshot = await openTable(table);
  const day = daysFromDate(date);
  const d = BigInt(day) * DAY_US;
  const from7 = d - 7n * DAY_US;
  const users = new Map<bigint, Agg>();
  let events = 0;
  const agg = (u: bigint): Agg => {
    let a = users.get(u);
    if (!a) {
      a = { views7: 0, views30: 0, carts7: 0, carts30: 0, purchases7: 0, purchases30: 0, spend: 0, priceSum: 0, priceN: 0, last: -1n, sessions: new Set(), products: new Set() };
      users.set(u, a);
    }
    return a;
  };
  const columns = ['user_id', 'event_type', 'product_id', 'price', 'user_session', 'event_time'];
  for (const f of filesBetween(snapshot, day - 30, day)) {
    for await (const b of readDataFile(table, f, { schema: snapshot.schema, columns })) {
      const c = b.columns;
      for (let i = 0; i < b.numRows; i++) {
        const t = (c.event_time[i] as { micros: bigint }).micros;
        if (t >= d) continue;
        const a = agg(c.user_id[i] as bigint);
        const type = c.event_type[i];
        const recent = t >= from7;
        if (type === 'view') { a.views30++; if (recent) a.views7++; }
        else if (type === 'cart') { a.carts30++; if (recent) a.carts7++; }
        else if (type === 'purchase') { a.purchases30++; if (recent) a.purchases7++; a.spend += (c.price[i] as number | null) ?? 0; }
        const price = c.price[i] as number | null;
        if (price !== null) { a.priceSum += price; a.priceN++; }
        const session = c.user_session[i] as string | null;
        if (session !== null) a.sessions.add(session);
        a.products.add(c.product_id[i] as bigint);
        if (t > a.last) a.last = t;
      }
      events += b.numRows;
    }
  }
  for (const f of filesBetween(snapshot, undefined, day - 30)) {
    for await (const b of readDataFile(table, f, { schema: snapshot.schema, columns: ['user_id', 'event_time'] })) {
      for (let i = 0; i < b.numRows; i++) {
        const a = agg(b.columns.user_id[i] as bigint);
        const t = (b.columns.event_time[i] as { micros: bigint }).micros;
        if (t > a.last) a.last = t;
      }
      events += b.numRows;
    }
  }
  return { users: users.size, events };
}
