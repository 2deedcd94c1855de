/**
 * The Parquet layer as the scoring loop sees it: the row groups of a Silver data file, one row group's
 * columns, and one Gold output file. Each candidate library (layers/*.ts) implements it, so the benchmark
 * compares them on the project's own read → score → write loop.
 */
import type { ColumnBatch } from '../../delta';

export interface Predictions {
  userIds: BigInt64Array;
  probabilities: Float64Array;
  modelName: string;
  modelVersion: string;
  runId: string;
  scoredAt: Date;
  threshold: number;
}

export interface ParquetLayer {
  name: string;
  /** Rows per row group of a data file. */
  rowGroups(file: string): Promise<number[]>;
  /** One row group: user_id (BigInt64Array) and the feature columns (numeric arrays). */
  readRowGroup(file: string, rowGroup: number, columns: string[]): Promise<ColumnBatch>;
  /** Several row groups of one file, one batch each, as a scoring unit reads its segment (default: readRowGroup each). */
  readRowGroups?(file: string, rowGroups: number[], columns: string[]): AsyncGenerator<ColumnBatch>;
  /** The Gold columns (user_id, purchase_probability, predicted_buyer, model_name, model_version, run_id, scored_at) as one snappy file. */
  writePredictions(file: string, p: Predictions): Promise<void>;
  close?(): Promise<void>;
}

/** predicted_buyer = probability ≥ threshold, as the pipeline writes it. */
export function predictedBuyers(p: Predictions): boolean[] {
  const out = new Array<boolean>(p.probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = p.probabilities[i] >= p.threshold;
  return out;
}
