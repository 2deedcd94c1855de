/**
 * Drift of a score date against the previous one: the population stability index (PSI) of the scores and of each
 * model feature. Bins are the baseline's deciles (the previous date's values), so each baseline bin holds about
 * a tenth of its users and the index weighs every part of the distribution alike, whatever the feature's range.
 *
 *   edge k (k = 1..9)  the baseline's value at sorted position ceil(k·n/10) (numpy's quantile 'inverted_cdf'),
 *                      equal edges kept once (a feature that is mostly 0 has fewer bins)
 *   bins               (-∞, e1], (e1, e2], …, (e_last, +∞)
 *   PSI                Σ (current share − baseline share) · ln(current share / baseline share), an empty bin's
 *                      share counted as 0.0001 so one empty bin gives a large, finite index
 *   status             PSI > 0.2 drift, 0.1 ≤ PSI ≤ 0.2 watch, below stable
 *
 * Edges come from a sorted window (DuckDB sorts out of core under its memory limit), counts from one GROUP BY per
 * side: memory is bounded by DuckDB's limit, not by the number of users.
 */
import type { DuckDBConnection } from '../delta';
import { sqlIdent } from './delta-duckdb';

export const PSI_WATCH = 0.1;
export const PSI_DRIFT = 0.2;
/** The share an empty bin counts as. */
export const PSI_EMPTY_SHARE = 0.0001;
export const PSI_BINS = 'baseline deciles: the previous date\'s values at sorted positions ceil(k·n/10), k = 1..9; bins (-∞, e1], (e1, e2], …, (e_last, +∞)';

export type DriftStatus = 'stable' | 'watch' | 'drift';

export interface PsiBin {
  /** The bin's upper edge (inclusive); null for the last bin (+∞). */
  upTo: number | null;
  baselineShare: number;
  currentShare: number;
}

export interface Psi {
  name: string;
  /** Null when the baseline or the current date has no value. */
  psi: number | null;
  status: DriftStatus | null;
  baselineRows: number;
  currentRows: number;
  bins: PsiBin[];
}

export function driftStatus(psi: number): DriftStatus {
  return psi > PSI_DRIFT ? 'drift' : psi >= PSI_WATCH ? 'watch' : 'stable';
}

const rowsOf = async (con: DuckDBConnection, sql: string) => (await con.runAndReadAll(sql)).getRowsJS();

/** The PSI of `column` between two relations (SQL of rows with that column); nulls are left out of both. */
export async function psiOf(con: DuckDBConnection, name: string, column: string, baselineSql: string, currentSql: string): Promise<Psi> {
  const v = `CAST(${sqlIdent(column)} AS DOUBLE)`;
  const values = (sql: string) => `SELECT ${v} AS v FROM (${sql}) WHERE ${sqlIdent(column)} IS NOT NULL`;
  const [[baselineRows]] = await rowsOf(con, `SELECT count(*) FROM (${values(baselineSql)})`);
  const n = Number(baselineRows);
  const ranks = Array.from({ length: 9 }, (_, k) => Math.ceil(((k + 1) * n) / 10));
  const edges = n === 0 ? [] : [...new Set((await rowsOf(con,
    `SELECT v FROM (SELECT v, row_number() OVER (ORDER BY v) AS rn FROM (${values(baselineSql)})) WHERE rn IN (${ranks.join(', ')}) ORDER BY rn`,
  )).map(([e]) => Number(e)))];
  // Bin i holds e_{i-1} < v <= e_i; the literal goes through a string so the edge is the exact double.
  const bin = `CASE ${edges.map((e, i) => `WHEN v <= CAST('${e}' AS DOUBLE) THEN ${i}`).join(' ')} ELSE ${edges.length} END`;
  const counts = async (sql: string) => {
    const out = new Array<number>(edges.length + 1).fill(0);
    for (const [b, c] of await rowsOf(con, `SELECT ${edges.length ? bin : '0'} AS b, count(*) FROM (${values(sql)}) GROUP BY b`)) out[Number(b)] = Number(c);
    return out;
  };
  const base = await counts(baselineSql);
  const cur = await counts(currentSql);
  const currentRows = cur.reduce((a, b) => a + b, 0);
  const bins = base.map((b, i) => ({ upTo: i < edges.length ? edges[i] : null, baselineShare: n ? b / n : 0, currentShare: currentRows ? cur[i] / currentRows : 0 }));
  if (n === 0 || currentRows === 0) return { name, psi: null, status: null, baselineRows: n, currentRows, bins };
  const psi = bins.reduce((sum, { baselineShare, currentShare }) => {
    const e = baselineShare || PSI_EMPTY_SHARE;
    const a = currentShare || PSI_EMPTY_SHARE;
    return sum + (a - e) * Math.log(a / e);
  }, 0);
  return { name, psi, status: driftStatus(psi), baselineRows: n, currentRows, bins };
}
