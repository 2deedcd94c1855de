/** `batch-score train`: fit the demo logistic regression on a Silver snapshot, measure it on held-out users, register it. */
import { trainDemoModel } from '../demo';
import { BatchScoreError } from '../errors';
import { date, integer, num, parseCommand, positiveInt, str, todayUtc } from './args';
import { dataLayout } from '../config';

const HELP = `
Usage: batch-score train [--date YYYY-MM-DD] [--max-rows N] [--split-seed S] [--data-dir DIR]

Fits a logistic regression (in TypeScript) on partition snapshot_date=D of <data>/silver/user_features joined
with <data>/silver/purchase_labels (purchased_next_7d). Features: every Silver column but user_id and
snapshot_date; non-negative columns (counts, days, spend) are modelled as log(1 + x). 20% of the users, chosen
by a hash of user_id and the split seed, are held out: AUC, log loss and positive rate are reported for them and
for the training part, and stored with the version. Exports ONNX with its feature names and registers it in
the local registry <data>/models as purchase_propensity with alias champion (same bytes → same version).
  --date D          snapshot date (default today, UTC)
  --max-rows N      train on about N users, picked by a hash of user_id when the snapshot has more
                    (default 200000)
  --split-seed S    seed of the held-out split (default 1)
  --data-dir DIR    data root (default ./data or BATCH_SCORE_DATA)
`;

export async function trainCommand(args: string[]): Promise<number> {
  const p = parseCommand(
    HELP,
    { date: { type: 'string' }, 'max-rows': { type: 'string' }, 'split-seed': { type: 'string' }, 'data-dir': { type: 'string' } },
    args,
  );
  if (!p) return 0;
  const layout = dataLayout(str(p, 'data-dir'));
  const snapshotDate = date(p, 'date') ?? todayUtc();
  let m;
  try {
    m = await trainDemoModel({
      silverPath: layout.silverFeatures,
      labelsPath: layout.silverLabels,
      snapshotDate,
      registryDir: layout.models,
      maxRows: num(p, 'max-rows', positiveInt),
      splitSeed: num(p, 'split-seed', integer),
    });
  } catch (e) {
    if (!(e instanceof BatchScoreError)) throw e;
    console.error(`batch-score train: ${e.code}: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    return 1;
  }
  const reused = m.newVersion ? '' : ' (same bytes as before: version reused)';
  console.log(`models:/${m.name}@${m.alias} → version ${m.version}${reused} (sha256 ${m.sha256})`);
  console.log(`snapshot ${snapshotDate}, split ${m.params.split}`);
  if (Number(m.params.rows_used) < Number(m.params.rows_available)) {
    console.log(`sampled ${m.params.rows_used} of ${m.params.rows_available} users (--max-rows ${m.params.max_rows}, by a hash of user_id)`);
  }
  console.log(`             users  positive rate      AUC  log loss`);
  for (const [what, r] of [['held out', m.holdout], ['training', m.train]] as const) {
    const auc = Number.isFinite(r.auc) ? r.auc.toFixed(4) : '     n/a';
    console.log(`  ${what.padEnd(9)} ${String(r.rows).padStart(7)}  ${(r.positiveRate * 100).toFixed(2).padStart(12)}%  ${auc.padStart(7)}  ${r.logLoss.toFixed(4).padStart(8)}`);
  }
  console.log(`intercept ${m.intercept.toFixed(6)}`);
  m.features.forEach((f, j) => console.log(`  ${(m.logScale[j] ? `log1p(${f})` : f).padEnd(32)} ${m.weights[j].toFixed(6)}`));
  return 0;
}
