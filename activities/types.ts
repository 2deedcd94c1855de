/**
 * What the activities take and return: references (paths, versions, counts, digests), never rows, because
 * all of it is recorded in the workflow's history.
 */
import type { StructType } from '../delta';
import type { CandidatePlan, RunCandidates, UnitCandidates } from '../pipeline/candidate-plan';
import type { PublishRequest } from '../pipeline/gold-predictions';
import type { ScoredUnit } from '../pipeline/score-unit';
import type { UnitResult } from '../pipeline/staged-files';
import type { TopBuyersRule } from '../pipeline/top-buyers-rule';
import type { PinnedModel } from '../registry';
import type { ContractOptions, NullPolicy, ScoringUnit } from '../scoring';

export type { NullPolicy, ScoredUnit, UnitCandidates, UnitResult };

export interface Txn {
  appId: string;
  version: number;
}

export interface RunTables {
  silverTable?: string;
  goldTable?: string;
  topBuyersTable?: string;
}

export interface PlanInput extends RunTables {
  scoreDate: string;
  unitRows: number;
  silverVersion?: number;
  /** Publish zero rows when the Silver snapshot of the date is empty (default: fail with SilverEmptySnapshot). */
  allowEmptySnapshot?: boolean;
}

export interface PlanResult {
  silverTable: string;
  goldTable: string;
  topBuyersTable: string;
  silverVersion: number;
  silverSchema: StructType;
  totalRows: number;
  units: ScoringUnit[];
}

export interface ScoreUnitInput {
  silverTable: string;
  silverSchema: StructType;
  goldTable: string;
  scoreDate: string;
  runId: string;
  unit: ScoringUnit;
  model: PinnedModel;
  contract: ContractOptions;
  nullPolicy: NullPolicy;
  predictionThreshold: number;
  /** The top_buyers table: a staged candidate plan writes the unit's candidates into its partition folder. */
  topBuyersTable: string;
  candidates: CandidatePlan;
}

/** Publish the run's scored units (pipeline/gold-predictions.ts publishPredictions). */
export type CommitGoldInput = PublishRequest;

export interface DiscardStagedInput {
  /** The Gold tables to clean: both before the Gold commit, only top_buyers after it. */
  tables: string[];
  scoreDate: string;
  runId: string;
}

export interface CommitResultInfo {
  version: number;
  skipped: boolean;
}

export interface SelectTopBuyersInput {
  goldTable: string;
  goldVersion: number;
  topBuyersTable: string;
  scoreDate: string;
  runId: string;
  workflowId: string;
  model: PinnedModel;
  rule: TopBuyersRule;
  txn: Txn;
  /** Rows the run scored (its Gold rows of the date). */
  scoredUsers: number;
  /** The units' top-buyer candidates: the selection merges these and never reads Gold. */
  candidates: RunCandidates;
}

/** Undo this run's Gold commit (txn) of the date, because `reason` keeps the run from finishing. */
export interface RestoreGoldInput {
  goldTable: string;
  goldVersion: number;
  scoreDate: string;
  runId: string;
  workflowId: string;
  txn: Txn;
  reason: string;
}

export interface TopBuyerPreview {
  rank: number;
  userId: number;
  probability: number;
}

export interface TopBuyersResult extends CommitResultInfo {
  scoredUsers: number;
  count: number;
  /** The first few, for the CLI and the UI; the full list is in the table. */
  preview: TopBuyerPreview[];
}
