/**
 * The units of a range scored in lanes, at most `maxParallel` at once, on the scoring task queue: used by
 * `scoreUsers` for a run of one shard and by `scoreShard` for each shard of a larger one. Inputs and results are
 * references and counts (the units themselves are in the run's manifest).
 */
import { ActivityCancellationType, CancellationScope, proxyActivities } from '@temporalio/workflow';
import type { Activities, ScoreUnitInput, UnitCounts } from '../activities';
import { SCORING_TASK_QUEUE } from '../config/task-queues';

const scoring = proxyActivities<Activities>({
  taskQueue: SCORING_TASK_QUEUE,
  startToCloseTimeout: '1 hour',
  // On cancellation, wait until an activity has stopped: only then can the run's staged files be discarded.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Rows and skipped users of the units scored. */
export interface ScoredTotals {
  units: number;
  rows: number;
  skipped: number;
}

/**
 * Scores units [from, to) of a run. On the first failure the other units are cancelled and waited for (no unit
 * may still be staging a file when the run cleans up), then that failure is thrown.
 */
export async function scoreUnitRange(
  run: Omit<ScoreUnitInput, 'unitIndex'>, from: number, to: number, maxParallel: number, onDone: (unit: UnitCounts) => void,
): Promise<ScoredTotals> {
  const totals: ScoredTotals = { units: 0, rows: 0, skipped: 0 };
  const scope = new CancellationScope();
  let failure: unknown;
  let next = from;
  const lane = async () => {
    while (next < to && failure === undefined) {
      const unitIndex = next++;
      let scored: UnitCounts;
      try {
        scored = await scoring.scoreUnit({ ...run, unitIndex });
      } catch (err) {
        failure ??= err;
        scope.cancel();
        return;
      }
      totals.units++;
      totals.rows += scored.rows;
      totals.skipped += scored.skipped;
      onDone(scored);
    }
  };
  const lanes = Math.max(1, Math.min(maxParallel, to - from));
  await scope.run(() => Promise.all(Array.from({ length: lanes }, lane)));
  if (failure !== undefined) throw failure;
  return totals;
}
