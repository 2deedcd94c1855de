/**
 * The Gold tables' schemas: `purchase_predictions` (one row per user and score date) and `top_buyers` (the
 * campaign list), both partitioned by `score_date`. These are contracts: Spark, delta-rs and DuckDB users query them.
 */
import { Snapshot, StructField, StructType } from '../delta';

export const SCORE_DATE = 'score_date';

/** The score dates a Gold table holds (its score_date partitions), oldest first. */
export function scoreDates(snapshot: Snapshot): string[] {
  return [...new Set(snapshot.files().map((f) => f.partitionValues[SCORE_DATE]))].filter((d): d is string => !!d).sort();
}

function field(name: string, type: string, nullable = true): StructField {
  return { name, type, nullable, metadata: {} };
}

export const PREDICTIONS_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('user_id', 'long', false),
    field('purchase_probability', 'double'),
    field('predicted_buyer', 'boolean'),
    field('model_name', 'string'),
    field('model_version', 'string'),
    field('run_id', 'string'),
    field('scored_at', 'timestamp'),
    field(SCORE_DATE, 'date'),
  ],
};

export const TOP_BUYERS_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('rank', 'integer'),
    field('user_id', 'long'),
    field('purchase_probability', 'double'),
    field('model_name', 'string'),
    field('model_version', 'string'),
    field('run_id', 'string'),
    field(SCORE_DATE, 'date'),
  ],
};

export const PREDICTIONS_TABLE = {
  schema: PREDICTIONS_SCHEMA,
  partitionColumns: [SCORE_DATE],
  name: 'purchase_predictions',
  description: 'Weekly purchase-propensity score of every user (batch-score)',
};

export const TOP_BUYERS_TABLE = {
  schema: TOP_BUYERS_SCHEMA,
  partitionColumns: [SCORE_DATE],
  name: 'top_buyers',
  description: 'The most likely buyers of each score date, ranked (batch-score)',
};
