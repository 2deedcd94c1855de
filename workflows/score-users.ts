/**
 * Workflow `scoreUsers`: score every Silver user of one date and publish Gold atomically.
 *
 *   resolveModel ─► planUnits (the units go to the run's manifest next to Gold)
 *                ─► scoreUnit × U (at most maxParallel at once, any scoring worker); beyond UNITS_PER_SHARD units,
 *                   in child workflows scoreShard of that many units each, one after another
 *                ─► commitGold (ONE commit replacing partition score_date=D, the staged files read from the manifest)
 *                ─► selectTopBuyers (merges the candidates each unit handed on: Gold is not read again)
 *                   (fails ─► restoreGoldPartition: a new commit gives D back its previous files, then the run fails)
 *                ─► discardStaged (the manifest and staged candidate files; after a failure also the staged files)
 *
 * Deterministic orchestration only: it carries references (paths, versions, counts, digests), never rows. A
 * worker that dies mid-run costs only its in-flight units: finished units and shards are in history and are not
 * redone.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import {
  ActivityCancellationType, ApplicationFailure, CancellationScope, ChildWorkflowCancellationType, defineQuery, executeChild,
  isCancellation, proxyActivities, setHandler, workflowInfo,
} from '@temporalio/workflow';
import type {
  Activities, CommitResultInfo, PlanResult, RestoreGoldInput, SelectTopBuyersInput, TopBuyersResult,
} from '../activities';
import { modelIdentity, ModelIdentity } from '../registry/model-identity';
import { DEFAULT_TOP_BUYERS_RULE, TopBuyersRule } from '../pipeline/top-buyers-rule';
import { checkScoreUsersInput, ScoreUsersInput } from './run-input';
import { RUN_DEFAULTS, UNITS_PER_SHARD } from '../config/run-defaults';
import { scoreShard } from './score-shard';
import { ScoredTotals, scoreUnitRange } from './unit-lanes';

export type { ScoreUsersInput };

export type ScoreUsersStage = 'resolving-model' | 'planning' | 'scoring' | 'committing' | 'selecting-top-buyers' | 'done';

export interface ScoreUsersProgress {
  stage: ScoreUsersStage;
  scoreDate: string;
  unitsTotal: number;
  /** Units scored; in a sharded run, those of the finished shards (the running one: its shardProgress query). */
  unitsDone: number;
  rowsTotal: number;
  rowsScored: number;
  goldVersion?: number;
  /** A run of more than UNITS_PER_SHARD units: its shards, and the workflow id of the one scoring now. */
  shards?: { total: number; done: number; running?: string };
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
  /** The selection, and the rule it applied (absent from results of an earlier version). */
  topBuyers: Pick<TopBuyersResult, 'scoredUsers' | 'count' | 'preview'> & { rule?: TopBuyersRule };
}

export const progressQuery = defineQuery<ScoreUsersProgress>('progress');

const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

// On cancellation, wait until an activity has stopped: only then can the run's staged files be discarded.
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
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
    scoreDate, runId: info.runId, unitRows: input.unitRows ?? RUN_DEFAULTS.unitRows, silverVersion: input.silverVersion,
    silverTable: input.silverTable, goldTable: input.goldTable, topBuyersTable: input.topBuyersTable,
    allowEmptySnapshot: input.allowEmptySnapshot, topBuyersRule: rule,
    scoring: {
      model, contract, nullPolicy: input.nullPolicy ?? RUN_DEFAULTS.nullPolicy,
      predictionThreshold: input.predictionThreshold ?? RUN_DEFAULTS.predictionThreshold,
    },
  });
  progress.unitsTotal = plan.unitCount;
  progress.rowsTotal = plan.totalRows;

  // The same txn guards both Gold commits: appId is this run, so a retried commit of it is a no-op and any other
  // run of the date (a re-run, a reset, a backfill) commits. The version is when the server accepted the start
  // (the WorkflowExecutionStarted event), not when a worker first picked the run up (runStartTime): the same-date
  // rule compares it, and a run that waited for a worker still started first (docs/decisions/same-date-runs.md).
  const txn = { appId: info.runId, version: info.startTime.getTime() };
  const staged = { scoreDate, runId: info.runId, manifestOf: plan.goldTable };

  let scored: ScoredTotals;
  let gold: CommitResultInfo;
  try {
    progress.stage = 'scoring';
    scored = await scoreUnits(plan, input.maxParallel ?? RUN_DEFAULTS.maxParallel, progress);

    progress.stage = 'committing';
    gold = await steps.commitGold({
      goldTable: plan.goldTable, scoreDate, runId: info.runId, workflowId: info.workflowId, model,
      silverTable: plan.silverTable, silverVersion: plan.silverVersion, unitCount: plan.unitCount, duplicateCheck: plan.duplicateCheck, txn,
    });
    progress.goldVersion = gold.version;
  } catch (err) {
    await discardStaged([plan.goldTable, plan.topBuyersTable], staged);
    throw err;
  }

  progress.stage = 'selecting-top-buyers';
  let top: TopBuyersResult;
  try {
    top = await selectTopBuyersOrUndoGold({
      goldTable: plan.goldTable, goldVersion: gold.version, topBuyersTable: plan.topBuyersTable, scoreDate,
      runId: info.runId, workflowId: info.workflowId, model, txn, rule, scoredUsers: scored.rows, unitCount: plan.unitCount,
    });
  } catch (err) {
    // Gold's committed files stay on storage (older versions read them; vacuum removes them in time).
    await discardStaged([plan.topBuyersTable], staged);
    throw err;
  }
  // The manifest and any staged candidate files served their purpose (kept until now so that a retried
  // selection still finds them).
  await discardStaged([plan.topBuyersTable], staged);

  progress.stage = 'done';
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    scoreDate,
    model: modelIdentity(model),
    silverTable: plan.silverTable,
    silverVersion: plan.silverVersion,
    units: plan.unitCount,
    rowsScored: scored.rows,
    rowsSkipped: scored.skipped,
    goldTable: plan.goldTable,
    goldVersion: gold.version,
    goldCommitSkipped: gold.skipped,
    topBuyersTable: plan.topBuyersTable,
    topBuyersVersion: top.version,
    topBuyers: { scoredUsers: top.scoredUsers, count: top.count, preview: top.preview, rule },
  };
}

/**
 * Score every unit of the plan, at most `maxParallel` at once: here when they fit one shard, else in child
 * workflows of UNITS_PER_SHARD units each, one after another (a shard already keeps `maxParallel` units busy). A
 * shard that fails fails the run; one that finished before a worker died is in history and is not run again.
 */
async function scoreUnits(plan: PlanResult, maxParallel: number, progress: ScoreUsersProgress): Promise<ScoredTotals> {
  const info = workflowInfo();
  const run = { goldTable: plan.goldTable, runId: info.runId };
  if (plan.unitCount <= UNITS_PER_SHARD) {
    return scoreUnitRange(run, 0, plan.unitCount, maxParallel, (unit) => {
      progress.unitsDone++;
      progress.rowsScored += unit.rows;
    });
  }
  const shards = Math.ceil(plan.unitCount / UNITS_PER_SHARD);
  progress.shards = { total: shards, done: 0 };
  const totals: ScoredTotals = { units: 0, rows: 0, skipped: 0 };
  for (let k = 0; k < shards; k++) {
    const from = k * UNITS_PER_SHARD;
    const workflowId = `${info.workflowId}-${info.runId}-shard-${String(k).padStart(5, '0')}`;
    progress.shards.running = workflowId;
    const shard = await executeChild(scoreShard, {
      workflowId,
      args: [{ ...run, from, to: Math.min(from + UNITS_PER_SHARD, plan.unitCount), maxParallel }],
      // A failed run cleans up only once no shard can still be staging a file.
      cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
    });
    totals.units += shard.units;
    totals.rows += shard.rows;
    totals.skipped += shard.skipped;
    progress.shards.done++;
    progress.unitsDone += shard.units;
    progress.rowsScored += shard.rows;
  }
  progress.shards.running = undefined;
  return totals;
}

/**
 * Removes the files this run staged in these tables and did not publish, and its manifest, even when the run is
 * cancelled.
 */
async function discardStaged(tables: string[], run: { scoreDate: string; runId: string; manifestOf: string }): Promise<void> {
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
