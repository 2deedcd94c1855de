/** `batch-score top`: print the top buyers of a score date from the Gold `top_buyers` table. */
import { openTable, scanTable } from '../delta';
import { SCORE_DATE, scoreDates } from '../pipeline/gold-schemas';
import { date, num, parseCommand, positiveInt, str } from './args';
import { dataLayout } from '../config';

const HELP = `
Usage: batch-score top [--date YYYY-MM-DD] [-n N] [--json] [--table T] [--data-dir DIR]

Print the top buyers of a score date (default: the latest date in the table), best first.
  -n N         rows to print (default 20)
  --json       one JSON object per row
  --table T    the top buyers table (default <data>/gold/top_buyers)
`;

export interface TopBuyerRow {
  rank: number;
  user_id: number;
  purchase_probability: number;
  model_name: string;
  model_version: string;
  run_id: string;
  score_date: string;
}

/** The top buyers of a date (default the latest), best first. */
export async function readTopBuyers(table: string, scoreDate?: string): Promise<{ scoreDate: string; version: number; rows: TopBuyerRow[] }> {
  const snapshot = await openTable(table);
  const dates = scoreDates(snapshot);
  const day = scoreDate ?? dates[dates.length - 1];
  if (!day) throw new Error(`${table} has no top buyers yet`);
  const rows: TopBuyerRow[] = [];
  for await (const batch of scanTable(snapshot, { partition: { [SCORE_DATE]: day } })) {
    const c = batch.columns as Record<string, ArrayLike<unknown>>;
    for (let i = 0; i < batch.numRows; i++) {
      rows.push({
        rank: Number(c.rank[i]), user_id: Number(c.user_id[i]), purchase_probability: Number(c.purchase_probability[i]),
        model_name: String(c.model_name[i]), model_version: String(c.model_version[i]), run_id: String(c.run_id[i]),
        score_date: String(c[SCORE_DATE][i]),
      });
    }
  }
  if (rows.length === 0 && !dates.includes(day)) throw new Error(`${table} has no top buyers for ${day}; dates: ${dates.slice(-5).join(', ')}`);
  rows.sort((a, b) => a.rank - b.rank);
  return { scoreDate: day, version: snapshot.version, rows };
}

export async function topCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { date: { type: 'string' }, n: { type: 'string', short: 'n' }, json: { type: 'boolean' }, table: { type: 'string' }, 'data-dir': { type: 'string' } }, args);
  if (!p) return 0;
  const table = str(p, 'table') ?? dataLayout(str(p, 'data-dir')).goldTopBuyers;
  const n = num(p, 'n', positiveInt) ?? 20;
  const top = await readTopBuyers(table, date(p, 'date'));
  const shown = top.rows.slice(0, n);
  if (p.values.json) {
    for (const r of shown) console.log(JSON.stringify(r));
    return 0;
  }
  console.log(`top buyers of ${top.scoreDate}: ${top.rows.length} (table ${table} @ version ${top.version})`);
  console.log(' rank  user_id       probability  model');
  for (const r of shown) {
    console.log(`${String(r.rank).padStart(5)}  ${String(r.user_id).padEnd(12)}  ${r.purchase_probability.toFixed(6)}     ${r.model_name} v${r.model_version}`);
  }
  return 0;
}
