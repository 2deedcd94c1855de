/** `batch-score report`: a date's score report, printed and written as an HTML page under <data>/reports. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoreReport } from '../pipeline/score-report';
import { date, parseCommand, str, todayUtc } from './args';
import { dataLayout } from '../config';
import { reportHtml } from './report-html';
import { readTopBuyers, TopBuyerRow } from './top';

const HELP = `
Usage: batch-score report [--date YYYY-MM-DD] [--out FILE] [--json] [--data-dir DIR]

Summarise the Gold predictions of a score date (default today, UTC): users, predicted buyers, users by
probability band, top buyers and lineage (run, model and sha256, Silver version). Writes an HTML page to
<data>/reports/purchase-propensity-<date>.html (or --out).
`;

const TOP_SHOWN = 20;

export async function reportCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { date: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, 'data-dir': { type: 'string' } }, args);
  if (!p) return 0;
  const layout = dataLayout(str(p, 'data-dir'));
  const scoreDate = date(p, 'date') ?? todayUtc();
  const report = await scoreReport(layout.goldPredictions, scoreDate);
  let top: TopBuyerRow[] = [];
  try {
    top = (await readTopBuyers(layout.goldTopBuyers, scoreDate)).rows.slice(0, TOP_SHOWN);
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
  console.log(`report: ${out}`);
  return 0;
}
