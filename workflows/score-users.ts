/**
 * Workflow `scoreUsers`: score every Silver user of one date and publish Gold atomically.
 *
 *   resolveModel ─► planUnits ─► scoreUnit × U (at most maxParallel at once, any scoring worker)
 *                ─► commitGold (ONE commit replacing partition score_date=D) ─► selectTopBuyers
 *
 * Deterministic orchestration only: it carries references (paths, versions, counts, digests), never rows. A
 * worker that dies mid-run costs only its in-flight units: finished units are in history and are not redone.
 * A run that fails or is cancelled after planning stops its units, waits for them, removes the files it staged
 * (discardStaged), then fails with its original error.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  ActivityCancellationType, ApplicationFailure, CancellationScope, defineQuery, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type { Activities, CommitResultInfo, NullPolicy, PlanResult, ScoreUnitInput, TopBuyersResult, UnitResult } from '../activities';
import type { PinnedModel } from '../registry';
import { DEFAULT_TOP_BUYERS_RULE, ruleProblem, TopBuyersRule } from '../pipeline/top-buyers-rule';
import { SCORING_TASK_QUEUE } from './task-queues';

/** What a person types into the Temporal UI; every field is optional. */
export interface ScoreUsersInput {
  /** YYYY-MM-DD; default: the scheduled time's date (schedules, backfills), else the date the run started (UTC). */
  scoreDate?: string;
  /** models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/STAGE or a file path. */
  modelUri?: string;
  /** Ordered Silver columns the model takes; default: the MLflow signature, else the ONNX metadata. */
  features?: string[];
  /** The model's probability output, when it has several candidates. */
  outputName?: string;
  /** Column of the positive class in an [N, K] probability output (default: the model's metadata, else 1). */
  positiveColumn?: number;
  silverTable?: string;
  /** Pin a Silver table version instead of the latest. */
  silverVersion?: number;
  goldTable?: string;
  topBuyersTable?: string;
  topBuyers?: { fraction?: number; minProbability?: number; limit?: number };
  unitRows?: number;
  maxParallel?: number;
  /** Null, NaN or ±Infinity features: fail the run (default), impute from the model's metadata, or skip the user. */
  nullPolicy?: NullPolicy;
  /** A date whose Silver data holds no rows publishes empty partitions instead of failing (SilverEmptySnapshot). */
  allowEmptySnapshot?: boolean;
  /** predicted_buyer = probability >= this (default 0.5, as Spark's `prediction`). */
  predictionThreshold?: number;
}

export type ScoreUsersStage = 'resolving-model' | 'planning' | 'scoring' | 'committing' | 'selecting-top-buyers' | 'done';

export interface ScoreUsersProgress {
  stage: ScoreUsersStage;
  scoreDate: string;
  unitsTotal: number;
  unitsDone: number;
  rowsTotal: number;
  rowsScored: number;
  goldVersion?: number;
}

export interface ScoreUsersResult {
  workflowId: string;
  runId: string;
  scoreDate: string;
  model: Pick<PinnedModel, 'uri' | 'name' | 'version' | 'sha256'>;
  silverTable: string;
  silverVersion: number;
  units: number;
  rowsScored: number;
  rowsSkipped: number;
  goldTable: string;
  goldVersion: number;
  goldCommitSkipped: boolean;
  topBuyersTable: string;
  topBuyersVersion: number;
  topBuyers: Pick<TopBuyersResult, 'scoredUsers' | 'count' | 'preview'>;
}

export const progressQuery = defineQuery<ScoreUsersProgress>('progress');

export const DEFAULTS = {
  unitRows: 250_000,
  maxParallel: 8,
  nullPolicy: 'error' as NullPolicy,
  predictionThreshold: 0.5,
};

const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

// On cancellation, wait until an activity has stopped: only then can the run's staged files be discarded.
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

const scoring = proxyActivities<Activities>({
  taskQueue: SCORING_TASK_QUEUE,
  startToCloseTimeout: '1 hour',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function scoreUsers(input: ScoreUsersInput = {}): Promise<ScoreUsersResult> {
  const info = workflowInfo();
  const scoreDate = input.scoreDate ?? defaultScoreDate();
  const rule: TopBuyersRule = { ...DEFAULT_TOP_BUYERS_RULE, ...input.topBuyers };
  checkInput(input, scoreDate, rule);
  const progress: ScoreUsersProgress = { stage: 'resolving-model', scoreDate, unitsTotal: 0, unitsDone: 0, rowsTotal: 0, rowsScored: 0 };
  setHandler(progressQuery, () => progress);

  const contract = { outputName: input.outputName, positiveColumn: input.positiveColumn };
  const model = await steps.resolveModel({ modelUri: input.modelUri, features: input.features, contract });

  progress.stage = 'planning';
  const plan: PlanResult = await steps.planUnits({
    scoreDate, unitRows: input.unitRows ?? DEFAULTS.unitRows, silverVersion: input.silverVersion,
    silverTable: input.silverTable, goldTable: input.goldTable, topBuyersTable: input.topBuyersTable,
    allowEmptySnapshot: input.allowEmptySnapshot,
  });
  progress.unitsTotal = plan.units.length;
  progress.rowsTotal = plan.totalRows;

  let results: UnitResult[];
  let gold: CommitResultInfo;
  let top: TopBuyersResult;
  try {
    progress.stage = 'scoring';
    results = await scoreUnits(plan, input.maxParallel ?? DEFAULTS.maxParallel, (unit) => ({
      silverTable: plan.silverTable, silverSchema: plan.silverSchema, goldTable: plan.goldTable, scoreDate,
      runId: info.runId, unit, model, contract, nullPolicy: input.nullPolicy ?? DEFAULTS.nullPolicy,
      predictionThreshold: input.predictionThreshold ?? DEFAULTS.predictionThreshold,
    }), (result) => {
      progress.unitsDone++;
      progress.rowsScored += result.rows;
    });

    // The same txn guards both Gold commits: a retried commit of this run is a no-op; a later run of the date
    // (a re-run, a backfill) starts later, so its version is higher and it replaces the partition.
    const txn = { appId: info.workflowId, version: info.runStartTime.getTime() };

    progress.stage = 'committing';
    gold = await steps.commitGold({
      goldTable: plan.goldTable, scoreDate, runId: info.runId, workflowId: info.workflowId, model,
      silverTable: plan.silverTable, silverVersion: plan.silverVersion, units: results, txn,
    });
    progress.goldVersion = gold.version;

    progress.stage = 'selecting-top-buyers';
    top = await steps.selectTopBuyers({
      goldTable: plan.goldTable, goldVersion: gold.version, topBuyersTable: plan.topBuyersTable, scoreDate,
      runId: info.runId, workflowId: info.workflowId, model, txn,
      rule,
    });
  } catch (err) {
    // Even when the run is cancelled: files of this run that no Gold snapshot references are removed.
    await CancellationScope.nonCancellable(() =>
      steps.discardStaged({ goldTable: plan.goldTable, topBuyersTable: plan.topBuyersTable, scoreDate, runId: info.runId }),
    ).catch(() => undefined); // the run's own failure is what the user needs; leftovers are only garbage
    throw err;
  }

  progress.stage = 'done';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    scoreDate,
    model: { uri: model.uri, name: model.name, version: model.version, sha256: model.sha256 },
    silverTable: plan.silverTable,
    silverVersion: plan.silverVersion,
    units: plan.units.length,
    rowsScored: results.reduce((n, r) => n + r.rows, 0),
    rowsSkipped: results.reduce((n, r) => n + r.skipped, 0),
    goldTable: plan.goldTable,
    goldVersion: gold.version,
    goldCommitSkipped: gold.skipped,
    topBuyersTable: plan.topBuyersTable,
    topBuyersVersion: top.version,
    topBuyers: { scoredUsers: top.scoredUsers, count: top.count, preview: top.preview },
  };
}

/**
 * Score every unit, at most `maxParallel` at once. On the first failure the other units are cancelled and
 * waited for (no unit may still be staging a file when the run cleans up), then that failure is thrown.
 */
async function scoreUnits(
  plan: PlanResult, maxParallel: number, inputOf: (unit: PlanResult['units'][number]) => ScoreUnitInput,
  onDone: (result: UnitResult) => void,
): Promise<UnitResult[]> {
  const results: UnitResult[] = new Array(plan.units.length);
  const scope = new CancellationScope();
  let failure: unknown;
  let next = 0;
  const lane = async () => {
    while (next < plan.units.length && failure === undefined) {
      const unit = plan.units[next++];
      try {
        results[unit.index] = await scoring.scoreUnit(inputOf(unit));
      } catch (err) {
        failure ??= err;
        scope.cancel();
        return;
      }
      onDone(results[unit.index]);
    }
  };
  const lanes = Math.max(1, Math.min(maxParallel, plan.units.length));
  await scope.run(() => Promise.all(Array.from({ length: lanes }, lane)));
  if (failure !== undefined) throw failure;
  return results;
}

function defaultScoreDate(): string {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  return (scheduled ?? info.startTime).toISOString().slice(0, 10);
}

function checkInput(input: ScoreUsersInput, scoreDate: string, rule: TopBuyersRule): void {
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(scoreDate) || Number.isNaN(Date.parse(`${scoreDate}T00:00:00Z`))) {
    throw bad(`scoreDate must be a date YYYY-MM-DD, got ${JSON.stringify(scoreDate)}`);
  }
  if (input.unitRows !== undefined && !(Number.isInteger(input.unitRows) && input.unitRows > 0)) {
    throw bad(`unitRows must be a whole number > 0, got ${input.unitRows}`);
  }
  if (input.maxParallel !== undefined && !(Number.isInteger(input.maxParallel) && input.maxParallel > 0)) {
    throw bad(`maxParallel must be a whole number > 0, got ${input.maxParallel}`);
  }
  if (input.features !== undefined && !(Array.isArray(input.features) && input.features.length > 0 && input.features.every((f) => typeof f === 'string' && f !== ''))) {
    throw bad(`features must be a non-empty list of column names, got ${JSON.stringify(input.features)}`);
  }
  if (input.positiveColumn !== undefined && !(Number.isInteger(input.positiveColumn) && input.positiveColumn >= 0)) {
    throw bad(`positiveColumn must be a whole number >= 0, got ${input.positiveColumn}`);
  }
  if (input.nullPolicy !== undefined && !['error', 'impute', 'skip'].includes(input.nullPolicy)) {
    throw bad(`nullPolicy must be error, impute or skip, got ${JSON.stringify(input.nullPolicy)}`);
  }
  const problem = ruleProblem(rule);
  if (problem) throw bad(problem);
}
