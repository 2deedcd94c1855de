/**
 * `batch-score features`: Silver snapshots (user_features, and purchase_labels when Bronze covers the label week)
 * built from the Bronze events table, for one date or a range of dates (backfills), one partition each.
 */
import { backfillDates, dataLayout } from '../config';
import { buildSnapshot, checkBuildInputs, FEATURE_WINDOW_DAYS, LABEL_WINDOW_DAYS, SnapshotBuilt } from '../features';
import { date, days, noPositionals, num, parseCommand, positiveInt, str } from './args';
import { usageError } from './exit-codes';
import { progressOn } from './progress';

const HELP = `
Usage: batch-score features --date YYYY-MM-DD [--allow-incomplete] [--file-rows N] [--data-dir DIR]
       batch-score features --from YYYY-MM-DD --to YYYY-MM-DD [--every 7d] [--allow-incomplete] [--file-rows N] [--data-dir DIR]

Builds partition snapshot_date=D of <data>/silver/user_features from the Bronze events table
<data>/bronze/events, using only events strictly before D: views, carts and purchases over ${LABEL_WINDOW_DAYS} and ${FEATURE_WINDOW_DAYS} days,
sessions, distinct products, spend, average price, days since the last event, cart-to-view ratio; one row per
user with an event before D. Also partition D of <data>/silver/purchase_labels (purchased_next_7d: a purchase
in [D, D+7)) when Bronze holds events through D+6; otherwise it says why the labels were not written.
Each partition is replaced in one Delta commit; the same date and Bronze give the same rows.
A date whose day before has no Bronze events (Bronze ends earlier) is refused: its features would be stale.
  --date D        one snapshot date
  --from, --to    a range of dates (inclusive), --every days apart (default 7d)
  --allow-incomplete  build dates past the end of Bronze anyway, from the events it holds
  --file-rows N   users per data file (default 1000000)
  --data-dir DIR  data root (default ./data or BATCH_SCORE_DATA)
`;

export async function featuresCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    date: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, every: { type: 'string' },
    'file-rows': { type: 'string' }, 'data-dir': { type: 'string' }, 'allow-incomplete': { type: 'boolean' },
  }, args);
  if (!p) return 0;
  noPositionals(p, 'features');
  const dates = datesOf(date(p, 'date'), date(p, 'from'), date(p, 'to'), days(p, 'every', 7), str(p, 'every') !== undefined);
  const layout = dataLayout(str(p, 'data-dir'));
  const fileRows = num(p, 'file-rows', positiveInt);
  // Refuse before any work: a Silver table of another schema, a date Bronze cannot give (fresh) features for.
  const bronze = await checkBuildInputs(layout, dates, { allowIncomplete: !!p.values['allow-incomplete'] });
  const progress = progressOn('features');
  try {
    for (const [i, d] of dates.entries()) {
      const built = await buildSnapshot(layout, bronze, d, { fileRows, onStage: (stage) => progress.update(`${d}: ${stage}`, i, dates.length, 'dates') });
      progress.update(`${d}: done`, i + 1, dates.length, 'dates');
      printBuilt(built, layout.silverFeatures, layout.silverLabels);
    }
  } finally {
    progress.end();
  }
  return 0;
}

function datesOf(one: string | undefined, from: string | undefined, to: string | undefined, every: number, everyGiven: boolean): string[] {
  if (one !== undefined) {
    if (from !== undefined || to !== undefined) throw usageError('give either --date or --from and --to, not both');
    if (everyGiven) throw usageError('--every goes with --from and --to');
    return [one];
  }
  if (from === undefined || to === undefined) throw usageError('features needs --date, or --from and --to (YYYY-MM-DD)');
  if (from > to) throw usageError(`--from ${from} is after --to ${to}`);
  return backfillDates(from, to, every);
}

function printBuilt(b: SnapshotBuilt, featuresTable: string, labelsTable: string): void {
  const events = b.windowEvents === undefined ? '' : ` from ${b.windowEvents.toLocaleString('en-US')} events in the ${FEATURE_WINDOW_DAYS} days before it`;
  console.log(`features ${b.date}: ${b.users.toLocaleString('en-US')} users${events} → ${featuresTable} version ${b.featuresVersion}`);
  if (b.labels.written) {
    console.log(`labels ${b.date}: ${b.users.toLocaleString('en-US')} users, ${b.labels.buyers.toLocaleString('en-US')} purchased in the next ${LABEL_WINDOW_DAYS} days → ${labelsTable} version ${b.labels.version}`);
  } else {
    console.log(`labels ${b.date}: not written: ${b.labels.reason}`);
  }
}
