/**
 * `batch-score generate`: the demo Silver tables (user_features + purchase_labels) for one snapshot date, or with
 * --events a synthetic events CSV in the public clickstream format (for `batch-score ingest`).
 */
import { DEFAULT_EVENTS_FROM, DEFAULT_EVENTS_TO, generateEvents, generateSilver } from '../demo';
import { date, integer, num, Parsed, parseCommand, positiveInt, str, todayUtc } from './args';
import { dataLayout } from '../config';
import { usageError } from './exit-codes';
import { progressOn } from './progress';

const HELP = `
Usage: batch-score generate [--users N] [--seed S] [--date YYYY-MM-DD] [--file-rows N] [--data-dir DIR]
       batch-score generate --events --out FILE.csv[.gz] [--users N] [--seed S] [--from D] [--to D]

Writes partition snapshot_date=D of the Silver tables <data>/silver/user_features (user_id + ten behaviour
features) and <data>/silver/purchase_labels (purchased_next_7d), replacing that partition if it exists.
With --events, writes instead a CSV of clickstream events in the public eCommerce format (about 14 events a
user: about 96% views, 2% carts, 1.6% purchases), gzip-compressed when FILE ends in .gz, users one after another
(each user's events in time order, the file as a whole not). Same seed, same rows (same bytes).
  --users N       users (default 100000)
  --seed S        random seed (default 42)
  --date D        snapshot date (default today, UTC)
  --file-rows N   users per data file (default 1000000)
  --data-dir DIR  data root (default ./data or BATCH_SCORE_DATA)
  --events        write events instead of Silver
  --out FILE      the events file (.csv or .csv.gz)
  --from D        first day of events (default ${DEFAULT_EVENTS_FROM})
  --to D          last day of events, inclusive (default ${DEFAULT_EVENTS_TO})
`;

const EVENT_ONLY = ['out', 'from', 'to'];
const SILVER_ONLY = ['date', 'file-rows', 'data-dir'];

export async function generateCommand(args: string[]): Promise<number> {
  const p = parseCommand(
    HELP,
    {
      users: { type: 'string' }, seed: { type: 'string' }, date: { type: 'string' }, 'file-rows': { type: 'string' }, 'data-dir': { type: 'string' },
      events: { type: 'boolean' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    },
    args,
  );
  if (!p) return 0;
  const events = p.values.events === true;
  const misplaced = (events ? SILVER_ONLY : EVENT_ONLY).find((o) => p.values[o] !== undefined);
  if (misplaced) throw usageError(`--${misplaced} ${events ? 'does not apply to --events' : 'needs --events'} (--help lists the options)`);
  return events ? generateEventsFile(p) : generateSilverTables(p);
}

async function generateEventsFile(p: Parsed): Promise<number> {
  const out = str(p, 'out');
  if (!out) throw usageError('--events needs --out FILE (.csv or .csv.gz)');
  if (!/\.csv(\.gz)?$/.test(out)) throw usageError(`--out: ${JSON.stringify(out)} must end in .csv or .csv.gz`);
  const [from, to] = [date(p, 'from') ?? DEFAULT_EVENTS_FROM, date(p, 'to') ?? DEFAULT_EVENTS_TO];
  if (to < from) throw usageError(`--to ${to} is before --from ${from}`);
  const users = num(p, 'users', positiveInt) ?? 100_000;
  const started = Date.now();
  const progress = progressOn('generate events');
  let result;
  try {
    result = await generateEvents({ out, users, seed: num(p, 'seed', integer) ?? 42, from, to, progress: (done) => progress.update('writing', done, users, 'users') });
  } finally {
    progress.end();
  }
  const pct = (n: number) => `${((100 * n) / result.events).toFixed(2)}%`;
  console.log(
    `${out}: ${result.events} events of ${result.users} users, ${from} .. ${to} (views ${pct(result.views)}, carts ${pct(result.carts)}, ` +
      `purchases ${pct(result.purchases)}) (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return 0;
}

async function generateSilverTables(p: Parsed): Promise<number> {
  const layout = dataLayout(str(p, 'data-dir'));
  const snapshotDate = date(p, 'date') ?? todayUtc();
  const started = Date.now();
  const result = await generateSilver({
    tablePath: layout.silverFeatures,
    labelsPath: layout.silverLabels,
    users: num(p, 'users', positiveInt) ?? 100_000,
    seed: num(p, 'seed', integer) ?? 42,
    snapshotDate,
    fileRows: num(p, 'file-rows', positiveInt),
  });
  console.log(
    `Silver ${layout.silverFeatures}: ${result.rows} users, snapshot_date=${snapshotDate}, ${result.files} file(s), ` +
      `version ${result.version} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  console.log(`labels ${layout.silverLabels}`);
  return 0;
}
