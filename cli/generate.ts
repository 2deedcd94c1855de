/** `batch-score generate`: the demo Silver tables (user_features + purchase_labels) for one snapshot date. */
import { generateSilver } from '../demo';
import { date, integer, num, parseCommand, positiveInt, str, todayUtc } from './args';
import { dataLayout } from '../config';

const HELP = `
Usage: batch-score generate [--users N] [--seed S] [--date YYYY-MM-DD] [--file-rows N] [--data-dir DIR]

Writes partition snapshot_date=D of the Silver tables <data>/silver/user_features (user_id + ten behaviour
features) and <data>/silver/purchase_labels (purchased_next_7d), replacing that partition if it exists.
Same seed, same rows.
  --users N       users (default 100000)
  --seed S        random seed (default 42)
  --date D        snapshot date (default today, UTC)
  --file-rows N   users per data file (default 1000000)
  --data-dir DIR  data root (default ./data or BATCH_SCORE_DATA)
`;

export async function generateCommand(args: string[]): Promise<number> {
  const p = parseCommand(
    HELP,
    { users: { type: 'string' }, seed: { type: 'string' }, date: { type: 'string' }, 'file-rows': { type: 'string' }, 'data-dir': { type: 'string' } },
    args,
  );
  if (!p) return 0;
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
