/**
 * Workflow `scoreUsers`: score every Silver user of one date and publish Gold atomically.
 *
 *   resolveModel ─► planUnits ─► scoreUnit × U (at most maxParallel at once, any scoring worker)
 *                ─► commitGold (ONE commit replacing partition score_date=D) ─► selectTopBuyers
 *                   (fails ─► restoreGoldPartition: a new commit gives D back its previous files, then the run fails)
 *
 * Each unit also hands on its top-buyer candidates (pipeline/candidate-plan.ts, decided here before scoring):
 * selectTopBuyers merges them instead of reading Gold again; staged candidate files are removed at the end.
 *
 * Deterministic orchestration only: it carries references (paths, versions, counts, digests), never rows (the
 * top-buyer candidates pass inline only while a run's worst case stays under 2,000 of them). A
 * worker that dies mid-run costs only its in-flight units: finished units are in history and are not redone.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  ActivityCancellationType, ApplicationFailure, CancellationScope, defineQuery, isCancellation, proxyActivities, setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  Activities, CommitResultInfo, PlanResult, RestoreGoldInput, ScoredUnit, ScoreUnitInput, SelectTopBuyersInput, TopBuyersResult,
  UnitCandidates,
} from '../activities';
import { modelIdentity, ModelIdentity } from '../registry/model-identity';
import { candidatePlan, runCandidates, type RunCandidates } from '../pipeline/candidate-plan';
import { DEFAULT_TOP_BUYERS_RULE, TopBuyersRule } from '../pipeline/top-buyers-rule';
import { checkScoreUsersInput, ScoreUsersInput } from './run-input';
import { RUN_DEFAULTS } from '../config/run-defaults';
import { SCORING_TASK_QUEUE } from '../config/task-queues';

export type { ScoreUsersInput };

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
  model: ModelIdentity;
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

/** `given` is JSON from whoever started the run: run-input.ts checks it before anything else happens. */
export async function scoreUsers(given?: ScoreUsersInput | null): Promise<ScoreUsersResult> {
  const input = checkScoreUsersInput(given);
  const info = workflowInfo();
  const scoreDate = input.scoreDate ?? defaultScoreDate();
  const rule: TopBuyersRule = { ...DEFAULT_TOP_BUYERS_RULE, ...input.topBuyers };
  const progress: ScoreUsersProgress = { stage: 'resolving-model', scoreDate, unitsTotal: 0, unitsDone: 0, rowsTotal: 0, rowsScored: 0 };
  setHandler(progressQuery, () => progress);

  const contract = { outputName: input.outputName, positiveColumn: input.positiveColumn };
  const model = await steps.resolveModel({ modelUri: input.modelUri, features: input.features, contract });

  progress.stage = 'planning';
  const plan: PlanResult = await steps.planUnits({
    scoreDate, unitRows: input.unitRows ?? RUN_DEFAULTS.unitRows, silverVersion: input.silverVersion,
    silverTable: input.silverTable, goldTable: input.goldTable, topBuyersTable: input.topBuyersTable,
    allowEmptySnapshot: input.allowEmptySnapshot,
  });
  progress.unitsTotal = plan.units.length;
  progress.rowsTotal = plan.totalRows;

  // The same txn guards both Gold commits: appId is this run, so a retried commit of it is a no-op and any other
  // run of the date (a re-run, a reset, a backfill) commits. The version is when the server accepted the start
  // (the WorkflowExecutionStarted event), not when a worker first picked the run up (runStartTime): the same-date
  // rule compares it, and a run that waited for a worker still started first (docs/decisions/same-date-runs.md).
  const txn = { appId: info.runId, version: info.startTime.getTime() };
  const staged = { scoreDate, runId: info.runId };
  const candidates = candidatePlan(rule, plan.totalRows, plan.units.length);

  let results: ScoredUnit[];
  let handed: RunCandidates;
  let gold: CommitResultInfo;
  try {
    progress.stage = 'scoring';
    results = await scoreUnits(plan, input.maxParallel ?? RUN_DEFAULTS.maxParallel, (unit) => ({
      silverTable: plan.silverTable, silverSchema: plan.silverSchema, goldTable: plan.goldTable, scoreDate,
      runId: info.runId, unit, model, contract, nullPolicy: input.nullPolicy ?? RUN_DEFAULTS.nullPolicy,
      predictionThreshold: input.predictionThreshold ?? RUN_DEFAULTS.predictionThreshold,
      topBuyersTable: plan.topBuyersTable, candidates,
    }), (result) => {
      progress.unitsDone++;
      progress.rowsScored += result.rows;
    });

    handed = runCandidates(results.map((r) => ({ unitIndex: r.unitIndex, candidates: candidatesOf(r, candidates.delivery) })));

    progress.stage = 'committing';
    gold = await steps.commitGold({
      goldTable: plan.goldTable, scoreDate, runId: info.runId, workflowId: info.workflowId, model,
      silverTable: plan.silverTable, silverVersion: plan.silverVersion, units: results.map(withoutCandidates), txn,
    });
    progress.goldVersion = gold.version;
  } catch (err) {
    await discardStaged([plan.goldTable, plan.topBuyersTable], staged);
    throw err;
  }

  progress.stage = 'selecting-top-buyers';
  const rowsScored = results.reduce((n, r) => n + r.rows, 0);
  let top: TopBuyersResult;
  try {
    top = await selectTopBuyersOrUndoGold({
      goldTable: plan.goldTable, goldVersion: gold.version, topBuyersTable: plan.topBuyersTable, scoreDate,
      runId: info.runId, workflowId: info.workflowId, model, txn, rule, scoredUsers: rowsScored,
      candidates: handed,
    });
  } catch (err) {
    // Gold's committed files stay on storage (older versions read them; vacuum removes them in time).
    await discardStaged([plan.topBuyersTable], staged);
    throw err;
  }
  // The staged candidate files served their purpose (the list is committed); kept until now so a retried
  // selection still finds them.
  if (candidates.delivery === 'staged') await discardStaged([plan.topBuyersTable], staged);

  progress.stage = 'done';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    scoreDate,
    model: modelIdentity(model),
    silverTable: plan.silverTable,
    silverVersion: plan.silverVersion,
    units: plan.units.length,
    rowsScored,
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
  onDone: (result: ScoredUnit) => void,
): Promise<ScoredUnit[]> {
  const results: ScoredUnit[] = new Array(plan.units.length);
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

/** The commit takes the units' staged files and counts: their candidates only add to its input's size. */
function withoutCandidates({ candidates: _, ...unit }: ScoredUnit): Omit<ScoredUnit, 'candidates'> {
  return unit;
}

/** A unit's candidates, checked before the Gold commit: delivered as the run's plan says (an older worker sends none). */
function candidatesOf(unit: ScoredUnit, delivery: UnitCandidates['delivery']): UnitCandidates {
  if (unit.candidates?.delivery !== delivery) {
    throw ApplicationFailure.nonRetryable(
      `unit ${unit.unitIndex}'s result carries ${unit.candidates ? `${unit.candidates.delivery} top-buyer candidates, the run planned ${delivery}` : 'no top-buyer candidates'} (scored by another batch-score version?)`,
      'StagedFileInvalid',
    );
  }
  return unit.candidates;
}

/** Removes the files this run staged in these tables and did not publish, even when the run is cancelled. */
async function discardStaged(tables: string[], run: { scoreDate: string; runId: string }): Promise<void> {
  await CancellationScope.nonCancellable(() => steps.discardStaged({ tables, ...run }))
    .catch(() => undefined); // the run's own failure is what the user needs; leftovers are only garbage
}

/**
 * selectTopBuyers; when it fails, Gold is published but top_buyers cannot be: the Gold commit is undone by a new
 * commit before the failure is thrown (docs/decisions/two-gold-commits.md).
 */
async function selectTopBuyersOrUndoGold(input: SelectTopBuyersInput): Promise<TopBuyersResult> {
  try {
    return await steps.selectTopBuyers(input);
  } catch (err) {
    if (!isCancellation(err)) {
      const { goldTable, goldVersion, scoreDate, runId, workflowId, txn } = input;
      await undoGoldCommit({ goldTable, goldVersion, scoreDate, runId, workflowId, txn, reason: rootFailure(err).message }, err);
    }
    throw err;
  }
}

/** Restore Gold's partition; if even that fails, the run fails with the original error AND says Gold was not restored. */
async function undoGoldCommit(input: RestoreGoldInput, failure: unknown): Promise<void> {
  try {
    await steps.restoreGoldPartition(input);
  } catch (restoreErr) {
    const root = rootFailure(failure);
    throw ApplicationFailure.create({
      message: `${root.message}; and this run's Gold commit could not be undone: ${rootFailure(restoreErr).message}`,
      type: root.type ?? 'Unexpected', nonRetryable: true, details: root.details, cause: failure as Error,
    });
  }
}

/** The innermost failure of a chain (activity failure → application failure raised in the activity). */
function rootFailure(err: unknown): { message: string; type?: string; details?: unknown[] } {
  let e = err as (Error & { type?: string; details?: unknown[] }) | undefined;
  while (e?.cause instanceof Error) e = e.cause as typeof e;
  return { message: e?.message ?? String(err), type: e?.type, details: e?.details };
}

function defaultScoreDate(): string {
  const info = workflowInfo();
  const scheduled = info.typedSearchAttributes.get(SCHEDULED_START_TIME);
  return (scheduled ?? info.startTime).toISOString().slice(0, 10);
}
