/**
 * What the activities take and return: references (paths, versions, counts, digests), never rows, because
 * all of it is recorded in the workflow's history. What grows with the run's size (its units, each unit's
 * staged file) is in the run's manifest on the Gold table's storage (pipeline/run-manifest.ts), not here.
 */
import type { DuplicateCheck } from '../pipeline/duplicate-check';
import type { PublishRequest } from '../pipeline/gold-predictions';
import type { UnitResult } from '../pipeline/staged-files';
import type { TopBuyersRule } from '../pipeline/top-buyers-rule';
import type { PinnedModel } from '../registry';
import type { ContractOptions, NullPolicy } from '../scoring';

export type { NullPolicy, UnitResult };

export interface Txn {
  appId: string;
  version: number;
}

export interface RunTables {
  silverTable?: string;
  goldTable?: string;
  topBuyersTable?: string;
}

/** How the run's units are scored: recorded in its manifest by planning, read there by each unit. */
export interface ScoringSettings {
  model: PinnedModel;
  contract: ContractOptions;
  nullPolicy: NullPolicy;
  predictionThreshold: number;
}

export interface PlanInput extends RunTables {
  scoreDate: string;
  /** The run the manifest is written for. */
  runId: string;
  unitRows: number;
  silverVersion?: number;
  /** Publish zero rows when the Silver snapshot of the date is empty (default: fail with SilverEmptySnapshot). */
  allowEmptySnapshot?: boolean;
  scoring: ScoringSettings;
  /** The run's top-buyers rule: planning derives from it what candidates each unit hands on. */
  topBuyersRule: TopBuyersRule;
}

/** The plan's summary; its units are in the run's manifest. */
export interface PlanResult {
  silverTable: string;
  goldTable: string;
  topBuyersTable: string;
  silverVersion: number;
  totalRows: number;
  unitCount: number;
  /** Where duplicate user_ids are checked (pipeline/duplicate-check.ts); absent from a plan of an earlier version. */
  duplicateCheck?: DuplicateCheck;
}

/** One unit of a run: everything else it needs is in the run's manifest, next to Gold. */
export interface ScoreUnitInput {
  goldTable: string;
  runId: string;
  unitIndex: number;
}

/** What a scored unit reports to the workflow (its staged file and candidates are recorded in the manifest). */
export interface UnitCounts {
  unitIndex: number;
  rows: number;
  skipped: number;
}

/** Publish the run's scored units, read from its manifest (pipeline/gold-predictions.ts publishPredictions). */
export type CommitGoldInput = Omit<PublishRequest, 'units'> & {
  unitCount: number;
  /** The plan's decision (PlanResult.duplicateCheck): 'units' means every unit must have recorded its check. */
  duplicateCheck?: DuplicateCheck;
};

export interface DiscardStagedInput {
  /** The Gold tables to clean: both before the Gold commit, only top_buyers after it. */
  tables: string[];
  scoreDate: string;
  runId: string;
  /** The Gold table whose run manifest goes too (pipeline/run-manifest.ts). */
  manifestOf?: string;
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
  /** The run's units: the selection merges the candidates their records in the manifest hold, and never reads Gold. */
  unitCount: number;
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
