/**
 * The Silver tables `batch-score features` writes from Bronze events (the session contract every reader relies
 * on: train, run and report take every column but user_id and snapshot_date as a feature): `user_features`, one
 * row per user with at least one event strictly before the snapshot date, and `purchase_labels`, one row per
 * such user. Every column is NOT NULL, so scoring's default nullPolicy (error) accepts the table.
 */
import { StructField, StructType } from '../delta';
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';

const column = (name: string, type: string): StructField => ({ name, type, nullable: false, metadata: {} });

/**
 * The feature columns, in table order. 7d = events in [D-7d, D), 30d = [D-30d, D); the meaning of each is in
 * docs/decisions/features-from-events.md.
 */
export const EVENT_FEATURES: readonly StructField[] = [
  column('views_7d', 'integer'),
  column('views_30d', 'integer'),
  column('carts_7d', 'integer'),
  column('carts_30d', 'integer'),
  column('purchases_7d', 'integer'),
  column('purchases_30d', 'integer'),
  column('sessions_30d', 'integer'),
  column('distinct_products_30d', 'integer'),
  column('spend_30d', 'double'),
  column('avg_price_30d', 'double'),
  column('days_since_last_event', 'integer'),
  column('cart_to_view_ratio', 'double'),
];

export const USER_FEATURES_SCHEMA: StructType = {
  type: 'struct',
  fields: [column('user_id', 'long'), ...EVENT_FEATURES, column(SNAPSHOT_DATE, 'date')],
};

/** The labels the demo generates too (demo/silver.ts), so training reads either the same way. */
export const PURCHASE_LABELS_SCHEMA: StructType = {
  type: 'struct',
  fields: [column('user_id', 'long'), column('purchased_next_7d', 'boolean'), column(SNAPSHOT_DATE, 'date')],
};

export { SNAPSHOT_DATE };
