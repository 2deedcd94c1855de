/**
 * A synthetic Bronze events table for the features benchmark: `events` events over `days` days from
 * 2026-10-01, in sessions of a few events (96% views, 2.5% carts, 1.5% purchases) of users drawn with a skew (a few
 * heavy users, many light ones), one file per day; written once per size into the bench folder and reused.
 * Seeded, so every run measures the same table.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { AddFile, dateFromDays, daysFromDate } from '../../delta';
import { Random } from '../../demo/random';
import { BronzeEvent, commitBronze, writeBronzeFile } from '../../devkit';

export const FIRST_DAY = '2026-10-01';

export interface BenchBronze {
  table: string;
  events: number;
  users: number;
  days: number;
}

export async function benchBronze(dir: string, events: number, users: number, days: number): Promise<BenchBronze> {
  const table = path.join(dir, `bronze-${events}-${users}-${days}`, 'bronze', 'events');
  const done = path.join(table, '..', 'COMPLETE');
  const out = { table, events, users, days };
  if (await fs.stat(done).catch(() => undefined)) return out;
  await fs.rm(path.dirname(table), { recursive: true, force: true });
  const rng = new Random(20261001);
  const first = daysFromDate(FIRST_DAY);
  const files: AddFile[] = [];
  for (let d = 0; d < days; d++) {
    const perDay = Math.floor(events / days) + (d < events % days ? 1 : 0);
    const list: BronzeEvent[] = [];
    for (let s = 0; list.length < perDay; s++) {
      const user = 1 + Math.floor(users * rng.uniform() ** 2);
      const start = BigInt(first + d) * 86_400_000_000n + BigInt(Math.floor(rng.uniform() * 84_000)) * 1_000_000n;
      const length = Math.min(1 + rng.poisson(4), perDay - list.length);
      const category = Math.floor(rng.uniform() * 500);
      for (let k = 0; k < length; k++) {
        const r = rng.uniform();
        const productId = category * 100 + Math.floor(rng.uniform() * 100);
        list.push({
          time: start + BigInt(k * 30) * 1_000_000n,
          type: r < 0.96 ? 'view' : r < 0.985 ? 'cart' : 'purchase',
          productId,
          userId: user,
          price: productId % 17 === 0 ? null : 1 + (productId % 997) / 2,
          session: `${user}-${d}-${s}`,
          categoryId: category,
          brand: category % 3 === 0 ? null : `brand${category % 40}`,
        });
      }
    }
    files.push(await writeBronzeFile(table, dateFromDays(first + d), list));
    if (d % 10 === 9) console.error(`bronze: ${d + 1}/${days} days written`);
  }
  await commitBronze(table, files);
  await fs.writeFile(done, '');
  return out;
}
