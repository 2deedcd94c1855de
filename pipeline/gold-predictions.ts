/**
 * Gold `purchase_predictions`: stage one unit's scores as a data file, then publish all units in ONE commit.
 *
 *   scoreUnit ─► stagePredictions: Parquet file under score_date=D/, named after the run, the unit and the
 *                activity attempt, never rewritten once written (a late attempt cannot change a file already
 *                committed) — invisible until committed
 *   publishPredictions ─► checkStagedFiles (staged-files.ts: each unit's file on storage holds what it scored)
 *                ─► commitPredictions: replacePartition(score_date=D): remove the partition's old files, add the
 *                staged ones, txn {appId, version} so a retried commit is a no-op; a run that started later and
 *                already published D wins (same-date-runs.ts)
 *                ─► removeUnpublishedStaged: the run's staged files of failed attempts
 */
import { AddFile, CommitResult, ConstantColumn, replacePartition, StructType, WriteColumn, writeDataFile } from '../delta';
import { ModelIdentity, modelIdentity } from '../registry';
import { PREDICTIONS_TABLE, SCORE_DATE } from './gold-schemas';
import { notSuperseded, RunStamp, stampCommitInfo } from './same-date-runs';
import { checkStagedFiles, removeUnpublishedStaged, UnitResult } from './staged-files';

export interface ScoredRows {
  userIds: BigInt64Array;
  probabilities: Float64Array;
}

export interface StageRequest {
  goldTable: string;
  scoreDate: string;
  runId: string;
  unitIndex: number;
  /** The scoring activity's attempt (1, 2, ...): each attempt stages its own file. */
  attempt: number;
  model: ModelIdentity;
  scoredAt: Date;
  /** predicted_buyer = probability >= threshold (Spark's `prediction` uses 0.5). */
  threshold: number;
  scored: ScoredRows;
}

export function stagedFileName(runId: string, unitIndex: number, attempt: number): string {
  // Uncompressed: see docs/decisions/gold-parquet-writer.md.
  return `part-${String(unitIndex).padStart(5, '0')}-${runId}-attempt-${attempt}.c000.parquet`;
}

export async function stagePredictions(req: StageRequest): Promise<AddFile> {
  const n = req.scored.userIds.length;
  const predicted = new Uint8Array(n); // booleans as bytes: the writer packs them
  for (let i = 0; i < n; i++) predicted[i] = req.scored.probabilities[i] >= req.threshold ? 1 : 0;
  const { schema, partitionColumns } = PREDICTIONS_TABLE;
  return writeStaged(req.goldTable, schema, partitionColumns, req.scoreDate, stagedFileName(req.runId, req.unitIndex, req.attempt), n, {
    user_id: req.scored.userIds,
    purchase_probability: req.scored.probabilities,
    predicted_buyer: predicted,
    model_name: new ConstantColumn(req.model.name, n),
    model_version: new ConstantColumn(req.model.version, n),
    run_id: new ConstantColumn(req.runId, n),
    scored_at: new ConstantColumn(req.scoredAt, n),
  }, { noReplace: true });
}

export interface CommitRequest {
  goldTable: string;
  scoreDate: string;
  workflowId: string;
  runId: string;
  adds: AddFile[];
  /**
   * appId: the run id, so a retried commit of this run is a no-op and every other run (a re-run, a reset, a
   * backfill) commits; version: when the run started (ms), which the same-date rule compares.
   */
  txn: { appId: string; version: number };
  commitInfo: Record<string, unknown>;
}

export function commitPredictions(req: CommitRequest): Promise<CommitResult> {
  return replaceDatePartition(req.goldTable, req.scoreDate, req.adds, { ...req, createWith: PREDICTIONS_TABLE });
}

export interface PublishRequest {
  goldTable: string;
  scoreDate: string;
  runId: string;
  workflowId: string;
  /** The pinned model; its ordered features, when known, go into the commit for the run report's drift. */
  model: ModelIdentity & { features?: string[] };
  silverTable: string;
  silverVersion: number;
  units: UnitResult[];
  txn: CommitRequest['txn'];
}

/**
 * Publish every unit's staged file in ONE commit replacing partition score_date=D: each staged file is checked on
 * storage first (exists, rows in its footer = rows the unit scored), so a lost, doubled or altered unit is never
 * published; after the commit, the run's unpublished staged files (failed attempts) are removed.
 */
export async function publishPredictions(req: PublishRequest): Promise<CommitResult> {
  await checkStagedFiles(req.goldTable, req.runId, req.units);
  const committed = await commitPredictions({
    goldTable: req.goldTable,
    scoreDate: req.scoreDate,
    workflowId: req.workflowId,
    runId: req.runId,
    adds: req.units.map((u) => u.add),
    txn: req.txn,
    commitInfo: {
      batchScore: {
        workflowId: req.workflowId,
        runId: req.runId,
        model: modelIdentity(req.model),
        features: req.model.features,
        silver: { table: req.silverTable, version: req.silverVersion },
        rows: req.units.reduce((n, u) => n + u.rows, 0),
        skippedRows: req.units.reduce((n, u) => n + u.skipped, 0),
      },
    },
  });
  await removeUnpublishedStaged(req.goldTable, req.scoreDate, req.runId);
  return committed;
}

/**
 * Replace partition score_date=D of a Gold table in one commit on behalf of one run: a no-op if this run
 * already did (txn), SupersededByNewerRun if a run that started later already did (same-date-runs.ts).
 */
export function replaceDatePartition(
  table: string, scoreDate: string, adds: AddFile[],
  opts: Pick<CommitRequest, 'workflowId' | 'runId' | 'txn' | 'commitInfo'> & { createWith: { schema: StructType; partitionColumns: string[] } },
): Promise<CommitResult> {
  const run: RunStamp = { workflowId: opts.workflowId, runId: opts.runId, startTime: opts.txn.version };
  return replacePartition(table, { [SCORE_DATE]: scoreDate }, adds, {
    txn: opts.txn,
    commitInfo: stampCommitInfo(opts.commitInfo, scoreDate, run),
    createWith: opts.createWith,
    check: notSuperseded(scoreDate, run),
  });
}

/** Write a staged (uncommitted) data file into partition score_date=D of a Gold table. */
export function writeStaged(
  table: string, schema: StructType, partitionColumns: string[], scoreDate: string, fileName: string,
  numRows: number, columns: Record<string, WriteColumn>, opts: { noReplace?: boolean } = {},
): Promise<AddFile> {
  return writeDataFile(table, {
    schema, partitionColumns, partitionValues: { [SCORE_DATE]: scoreDate }, fileName, batch: { numRows, columns }, ...opts,
  });
}
