/** `batch-score report`: a date's score report, printed and written as an HTML page under <data>/reports. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoreReport } from '../pipeline/score-report';
import { date, parseCommand, str } from './args';
import { dataLayout } from '../config';
import { reportHtml } from './report-html';
import { readTopBuyers, TopBuyerRow } from './top';

const HELP = `
Usage: batch-score report [--date YYYY-MM-DD] [--out FILE] [--json] [--data-dir DIR]
                          [--gold T] [--top-buyers T] [--silver T] [--labels T]

Report a score date (default: the latest date in Gold) from Gold: users, predicted buyers, a histogram of
probabilities (log scale), the decile table (with actual buyers, lift and cumulative gain where the labels table
has the date), drift against the previous score date in Gold (PSI of the scores and of each Silver feature), top
buyers and lineage (run, model and sha256, Silver version, Gold version). Writes a self-contained HTML page to
<data>/reports/purchase-propensity-<date>.html (or --out).
  --json           print the same numbers as one JSON object
  --gold T         Gold predictions table (default <data>/gold/purchase_predictions)
  --top-buyers T   Gold top buyers table (default <data>/gold/top_buyers)
  --silver T       Silver features table, for feature drift (default <data>/silver/user_features)
  --labels T       labels table, partition snapshot_date = the date (default <data>/silver/purchase_labels)
A table T is a folder or an s3://bucket/path location (S3 settings from the AWS SDK's standard variables).
`;

const TOP_SHOWN = 20;

export async function reportCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    date: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' },
    gold: { type: 'string' }, 'top-buyers': { type: 'string' }, silver: { type: 'string' }, labels: { type: 'string' },
  }, args);
  if (!p) return 0;
  const layout = dataLayout(str(p, 'data-dir'));
  const report = await scoreReport(str(p, 'gold') ?? layout.goldPredictions, date(p, 'date'), {
    silverTable: str(p, 'silver') ?? layout.silverFeatures,
    labelsTable: str(p, 'labels') ?? layout.silverLabels,
  });
  const { scoreDate } = report;
  let top: TopBuyerRow[] = [];
  try {
    top = (await readTopBuyers(str(p, 'top-buyers') ?? layout.goldTopBuyers, scoreDate)).rows.slice(0, TOP_SHOWN);
  } catch {
    // No top buyers table or date yet: the report still describes the predictions.
  }
  const out = str(p, 'out') ?? path.join(layout.reports, `purchase-propensity-${scoreDate}.html`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, reportHtml(report, top));
  if (p.values.json) {
    console.log(JSON.stringify({ ...report, html: out }));
    return 0;
  }
  console.log(`${scoreDate}: ${report.users} users, ${report.predictedBuyers} predicted buyers, mean probability ${report.meanProbability.toFixed(4)}`);
  for (const l of report.lineage) console.log(`run ${l.runId}: model ${l.model?.name} v${l.model?.version}, Silver version ${l.silver?.version}, Gold version ${l.goldVersion}`);
  const top1 = report.deciles[0];
  console.log(report.labels.available
    ? `labels: ${report.labels.buyers} buyers of ${report.labels.labelled} labelled users; top decile lift ${top1.lift?.toFixed(2) ?? '–'}, gain ${top1.cumulativeGain?.toFixed(3) ?? '–'}`
    : `labels: none (${report.labels.reason})`);
  const d = report.drift;
  if (!d.available) console.log(`drift: none (${d.reason})`);
  else {
    const flagged = d.features.filter((f) => f.status === 'drift' || f.status === 'watch').map((f) => `${f.name} ${f.psi!.toFixed(3)} (${f.status})`);
    console.log(`drift vs ${d.previousDate}: scores PSI ${d.scores?.psi?.toFixed(3) ?? '–'} (${d.scores?.status ?? 'no data'}); features ${d.featuresReason ? `not compared (${d.featuresReason})` : flagged.join(', ') || 'all stable'}`);
  }
  console.log(`report: ${out}`);
  return 0;
}
