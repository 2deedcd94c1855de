/**
 * The SQL that turns Bronze events into one snapshot date's features and labels, run by DuckDB over the Bronze
 * files the Delta log names (features/bronze-events.ts). Point in time: every feature reads only events strictly
 * before D; the label reads only events in [D, D+7). Each file list is already pruned to its event dates by the
 * log's partition values; the time conditions are repeated on event_time so a row in the wrong partition
 * cannot leak across D.
 *
 *   history (event dates < D-30d): user_id, last event time ─┐
 *   window  (event dates in [D-30d, D)): per-user counts ────┴─ FULL JOIN ─► features (one row per user)
 *   label   (event dates in [D, D+7)): users with a purchase ──── LEFT JOIN features ─► labels
 *
 * Memory is DuckDB's: per-user hash aggregates, spilled to disk beyond its memory_limit.
 */
import { BronzeColumn } from './bronze-events';
import { EVENT_FEATURES } from './silver-schemas';

export const DAY_US = 86_400_000_000;

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

const DUCK_TYPES: Record<BronzeColumn, string> = {
  event_time: 'TIMESTAMPTZ', event_type: 'VARCHAR', product_id: 'BIGINT', price: 'DOUBLE', user_id: 'BIGINT', user_session: 'VARCHAR',
};

/**
 * The events of some files as rows (user_id, event_type, product_id, price, user_session, t: event_time in
 * microseconds since the epoch), only those with t in [fromUs, toUs); no files: no rows, with the same columns.
 */
export function eventsOf(paths: string[], physical: Record<BronzeColumn, string>, fromUs: number | undefined, toUs: number): string {
  const names = Object.keys(DUCK_TYPES) as BronzeColumn[];
  if (paths.length === 0) {
    const empty = names.map((n) => `NULL::${DUCK_TYPES[n]} AS ${n}`).join(', ');
    return `(SELECT user_id, event_type, product_id, price, user_session, epoch_us(event_time) AS t FROM (SELECT ${empty}) WHERE false)`;
  }
  const columns = names.map((n) => `${sqlIdent(physical[n])}::${DUCK_TYPES[n]} AS ${n}`).join(', ');
  const from = fromUs === undefined ? '' : `epoch_us(event_time) >= ${fromUs} AND `;
  return (
    `(SELECT user_id, event_type, product_id, price, user_session, epoch_us(event_time) AS t ` +
    `FROM (SELECT ${columns} FROM read_parquet([${paths.map(sqlString).join(', ')}])) WHERE ${from}epoch_us(event_time) < ${toUs})`
  );
}

export interface SnapshotSources {
  /** Days since the epoch of the snapshot date D. */
  day: number;
  /** eventsOf(...) for event dates before D-30d, in [D-30d, D), and in [D, D+7). */
  history: string;
  window: string;
  label: string;
}

/** Creates temp table `features` (the feature columns, every user with an event before D). */
export function featuresSql(s: SnapshotSources): string {
  const d = s.day * DAY_US;
  const from7 = d - 7 * DAY_US;
  const count = (type: string, since?: number) =>
    `count(*) FILTER (WHERE event_type = '${type}'${since === undefined ? '' : ` AND t >= ${since}`})`;
  const computed: Record<string, string> = {
    views_7d: count('view', from7),
    views_30d: count('view'),
    carts_7d: count('cart', from7),
    carts_30d: count('cart'),
    purchases_7d: count('purchase', from7),
    purchases_30d: count('purchase'),
    sessions_30d: 'count(DISTINCT user_session)',
    distinct_products_30d: 'count(DISTINCT product_id)',
    spend_30d: `coalesce(sum(price) FILTER (WHERE event_type = 'purchase'), 0)`,
    avg_price_30d: 'coalesce(avg(price), 0)',
  };
  const windowed = Object.entries(computed).map(([name, expr]) => `${expr} AS ${name}`).join(',\n    ');
  const out = EVENT_FEATURES.map((f) => {
    const type = f.type === 'double' ? 'DOUBLE' : 'INTEGER';
    if (f.name === 'days_since_last_event') return `(${s.day} - floor(greatest(w.last_t, h.last_t) / ${DAY_US}))::INTEGER AS days_since_last_event`;
    if (f.name === 'cart_to_view_ratio') return `CASE WHEN coalesce(w.views_30d, 0) = 0 THEN 0 ELSE w.carts_30d / w.views_30d END::DOUBLE AS cart_to_view_ratio`;
    if (!(f.name in computed)) throw new Error(`no SQL for feature ${f.name}`);
    return `coalesce(w.${f.name}, 0)::${type} AS ${f.name}`;
  });
  return `CREATE TEMP TABLE features AS
SELECT coalesce(w.user_id, h.user_id) AS user_id,
  ${out.join(',\n  ')}
FROM (
  SELECT user_id,
    ${windowed},
    max(t) AS last_t
  FROM ${s.window} GROUP BY user_id
) w
FULL OUTER JOIN (SELECT user_id, max(t) AS last_t FROM ${s.history} GROUP BY user_id) h USING (user_id)`;
}

/** Rows of the features, by user_id. */
export const FEATURE_ROWS_SQL = `SELECT user_id, ${EVENT_FEATURES.map((f) => f.name).join(', ')} FROM features ORDER BY user_id`;

/** Rows (user_id, purchased_next_7d) for every user of `features`, by user_id. */
export function labelRowsSql(s: SnapshotSources): string {
  return `SELECT f.user_id, (p.user_id IS NOT NULL) AS purchased_next_7d FROM features f
LEFT JOIN (SELECT DISTINCT user_id FROM ${s.label} WHERE event_type = 'purchase') p USING (user_id)
ORDER BY f.user_id`;
}
