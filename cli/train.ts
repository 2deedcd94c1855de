/** `batch-score train`: fit the demo logistic regression on a Silver snapshot and register it (alias champion). */
import { trainDemoModel } from '../demo';
import { date, num, parseCommand, positiveInt, str, todayUtc } from './args';
import { dataLayout } from '../config';

const HELP = `
Usage: batch-score train [--date YYYY-MM-DD] [--max-rows N] [--data-dir DIR]

Fits a logistic regression (in TypeScript) on partition snapshot_date=D of <data>/silver/user_features and
<data>/silver/purchase_labels, exports it as ONNX with its feature names, and registers it in the local
registry <data>/models as purchase_propensity with alias champion (same bytes → same version).
  --date D        snapshot date (default today, UTC)
  --max-rows N    train on at most N users (default 200000)
  --data-dir DIR  data root (default ./data or BATCH_SCORE_DATA)
`;

export async function trainCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { date: { type: 'string' }, 'max-rows': { type: 'string' }, 'data-dir': { type: 'string' } }, args);
  if (!p) return 0;
  const layout = dataLayout(str(p, 'data-dir'));
  const snapshotDate = date(p, 'date') ?? todayUtc();
  const m = await trainDemoModel({
    silverPath: layout.silverFeatures,
    labelsPath: layout.silverLabels,
    snapshotDate,
    registryDir: layout.models,
    maxRows: num(p, 'max-rows', positiveInt),
  });
  console.log(`models:/${m.name}@${m.alias} → version ${m.version} (sha256 ${m.sha256})`);
  console.log(`trained on ${m.trainingRows} users of ${snapshotDate}: positive rate ${(m.positiveRate * 100).toFixed(2)}%, log-loss ${m.logLoss.toFixed(4)}`);
  console.log(`intercept ${m.intercept.toFixed(6)}`);
  m.features.forEach((f, j) => console.log(`  ${f.padEnd(24)} ${m.weights[j].toFixed(6)}`));
  return 0;
}
