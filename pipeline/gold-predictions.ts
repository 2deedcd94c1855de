/**
 * Gold `purchase_predictions`: stage one unit's scores as a data file, then publish all units in ONE commit.
 *
 *   scoreUnit ─► stagePredictions: Parquet file under score_date=D/, named after the run and unit (a retried
 *                unit rewrites the same name, so retries never leave two copies) — invisible until committed
 *   commitPredictions ─► replacePartition(score_date=D): remove the partition's old files, add the staged ones,
 *                txn {appId, version} so a retried commit is a no-op
 */
import { AddFile, CommitResult, replacePartition, StructType, writeDataFile } from '../delta';
import { PREDICTIONS_TABLE, SCORE_DATE } from './gold-schemas';

export interface ModelIdentity {
  uri: string;
  name: string;
  version: string;
  sha256: string;
}

export interface ScoredRows {
  userIds: BigInt64Array;
  probabilities: Float64Array;
}

export interface StageRequest {
  goldTable: string;
  scoreDate: string;
  runId: string;
  unitIndex: number;
  model: ModelIdentity;
  scoredAt: Date;
  /** predicted_buyer = probability >= threshold (Spark's `prediction` uses 0.5). */
  threshold: number;
  scored: ScoredRows;
}

export function stagedFileName(runId: string, unitIndex: number): string {
  return `part-${String(unitIndex).padStart(5, '0')}-${runId}.c000.snappy.parquet`;
}

export async function stagePredictions(req: StageRequest): Promise<AddFile> {
  const n = req.scored.userIds.length;
  const predicted = new Array<boolean>(n);
  for (let i = 0; i < n; i++) predicted[i] = req.scored.probabilities[i] >= req.threshold;
  const { schema, partitionColumns } = PREDICTIONS_TABLE;
  return writeStaged(req.goldTable, schema, partitionColumns, req.scoreDate, stagedFileName(req.runId, req.unitIndex), n, {
    user_id: req.scored.userIds,
    purchase_probability: req.scored.probabilities,
    predicted_buyer: predicted,
    model_name: constant(req.model.name, n),
    model_version: constant(req.model.version, n),
    run_id: constant(req.runId, n),
    scored_at: constant(req.scoredAt, n),
  });
}

export interface CommitRequest {
  goldTable: string;
  scoreDate: string;
  adds: AddFile[];
  txn: { appId: string; version: number };
  commitInfo: Record<string, unknown>;
}

export function commitPredictions(req: CommitRequest): Promise<CommitResult> {
  return replacePartition(req.goldTable, { [SCORE_DATE]: req.scoreDate }, req.adds, {
    txn: req.txn,
    commitInfo: req.commitInfo,
    createWith: PREDICTIONS_TABLE,
  });
}

export function constant<T>(value: T, n: number): T[] {
  return new Array<T>(n).fill(value);
}

/** Write a staged (uncommitted) data file into partition score_date=D of a Gold table. */
export function writeStaged(
  table: string, schema: StructType, partitionColumns: string[], scoreDate: string, fileName: string,
  numRows: number, columns: Record<string, ArrayLike<unknown>>,
): Promise<AddFile> {
  return writeDataFile(table, {
    schema, partitionColumns, partitionValues: { [SCORE_DATE]: scoreDate }, fileName, batch: { numRows, columns },
  });
}
