/**
 * The decile table of a score date: users ranked by purchase probability (highest first, ties by the smaller
 * user_id) cut into ten groups of equal size (DuckDB's ntile(10): the first n mod 10 groups hold one more user),
 * with each group's mean, min and max probability, and, where the date has labels, its actual buyers, buyer rate,
 * lift (the group's rate over the date's rate) and cumulative gain (share of all buyers in this and the groups
 * above). Only labelled users count in rates; a user without a label is counted apart, never as a non-buyer.
 *
 * The ranking is a sort and the labels a join, both run by DuckDB under its memory limit (spilling past it).
 */
import type { DuckDBConnection } from '../delta';

export const DECILES = 10;

export interface Decile {
  /** 1 = the users with the highest probabilities. */
  decile: number;
  users: number;
  meanProbability: number;
  minProbability: number;
  maxProbability: number;
  /** Where labels exist: users of the group with a label, and those who bought. */
  labelled?: number;
  buyers?: number;
  /** buyers / labelled (null when no user of the group has a label). */
  rate?: number | null;
  /** rate / the date's rate (null when nobody bought). */
  lift?: number | null;
  /** Buyers in groups 1..decile / all buyers (null when nobody bought). */
  cumulativeGain?: number | null;
  /** Users in groups 1..decile / all users. */
  cumulativeUsers: number;
}

export interface LabelTotals {
  labelled: number;
  buyers: number;
  /** buyers / labelled. */
  rate: number | null;
  /** Users scored on the date with no label. */
  unlabelled: number;
}

/**
 * Deciles of `goldSql` (rows with user_id, purchase_probability); with `labelsSql` (rows with user_id,
 * purchased_next_7d; a user on several rows counts as a buyer if any row says so), the label columns too.
 */
export async function decilesOf(con: DuckDBConnection, goldSql: string, labelsSql?: string): Promise<{ deciles: Decile[]; labels?: LabelTotals }> {
  const ranked = `SELECT user_id, purchase_probability AS p, ntile(${DECILES}) OVER (ORDER BY purchase_probability DESC NULLS LAST, user_id) AS d FROM (${goldSql})`;
  const labels = labelsSql ? `SELECT user_id, bool_or(purchased_next_7d) AS y FROM (${labelsSql}) WHERE purchased_next_7d IS NOT NULL GROUP BY user_id` : 'SELECT NULL::BIGINT AS user_id, NULL::BOOLEAN AS y WHERE false';
  const rows = (await con.runAndReadAll(
    `SELECT g.d, count(*), fsum(g.p) / count(g.p), min(g.p), max(g.p), count(l.y), count(*) FILTER (WHERE l.y) ` +
      `FROM (${ranked}) g LEFT JOIN (${labels}) l ON g.user_id = l.user_id GROUP BY g.d ORDER BY g.d`,
  )).getRowsJS().map((r) => r.map(Number));
  const users = rows.reduce((n, r) => n + r[1], 0);
  const labelled = rows.reduce((n, r) => n + r[5], 0);
  const buyers = rows.reduce((n, r) => n + r[6], 0);
  const rate = labelled ? buyers / labelled : null;
  let cumUsers = 0;
  let cumBuyers = 0;
  const deciles = rows.map(([d, n, mean, min, max, lab, bought]): Decile => {
    cumUsers += n;
    cumBuyers += bought;
    const base = { decile: d, users: n, meanProbability: mean, minProbability: min, maxProbability: max, cumulativeUsers: cumUsers / users };
    if (!labelsSql) return base;
    const groupRate = lab ? bought / lab : null;
    return {
      ...base, labelled: lab, buyers: bought, rate: groupRate,
      lift: groupRate !== null && rate ? groupRate / rate : null,
      cumulativeGain: buyers ? cumBuyers / buyers : null,
    };
  });
  return { deciles, labels: labelsSql ? { labelled, buyers, rate, unlabelled: users - labelled } : undefined };
}
