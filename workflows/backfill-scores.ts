/**
 * Workflow `backfillScores`: score a range of past dates (after a model change, a late Silver table), one child
 * `scoreUsers` per date with the usual id `score-users-<date>`, so every date's run is found, re-run and told
 * apart in the UI exactly like a manual run of that date.
 *
 *   from, from + every, ... ≤ to  ─►  scoreUsers children, at most maxConcurrent at once (default 1)
 */
import { defineQuery, executeChild, setHandler } from '@temporalio/workflow';
import { BACKFILL_DEFAULTS, backfillDates } from '../config/run-defaults';
import { BackfillScoresInput, checkBackfillInput, MAX_BACKFILL_DATES } from './run-input';
import type { ScoreUsersResult } from './score-users';

export { MAX_BACKFILL_DATES };
export type { BackfillScoresInput };

export interface BackfillDateResult {
  scoreDate: string;
  workflowId: string;
  rowsScored: number;
  goldVersion: number;
  topBuyers: number;
}

export interface BackfillProgress {
  datesTotal: number;
  datesDone: number;
  running: string[];
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('progress');

/** `given` is JSON from whoever started the backfill: run-input.ts checks it before any child starts. */
export async function backfillScores(given: BackfillScoresInput): Promise<BackfillDateResult[]> {
  const {
    from, to, everyDays = BACKFILL_DEFAULTS.everyDays, maxConcurrent = BACKFILL_DEFAULTS.maxConcurrent, ...runInput
  } = checkBackfillInput(given);
  const dates = backfillDates(from, to, everyDays);

  const progress: BackfillProgress = { datesTotal: dates.length, datesDone: 0, running: [] };
  setHandler(backfillProgressQuery, () => progress);
  const results: BackfillDateResult[] = new Array(dates.length);
  let next = 0;
  const lane = async () => {
    while (next < dates.length) {
      const i = next++;
      const scoreDate = dates[i];
      progress.running.push(scoreDate);
      const r: ScoreUsersResult = await executeChild('scoreUsers', {
        workflowId: `score-users-${scoreDate}`,
        // A backfill's dates take fewer units at once than a run's default, unless the input says otherwise.
        args: [{ ...runInput, scoreDate, maxParallel: runInput.maxParallel ?? BACKFILL_DEFAULTS.maxParallel }],
      });
      progress.running = progress.running.filter((d) => d !== scoreDate);
      progress.datesDone++;
      results[i] = { scoreDate, workflowId: r.workflowId, rowsScored: r.rowsScored, goldVersion: r.goldVersion, topBuyers: r.topBuyers.count };
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrent, dates.length) }, lane));
  return results;
}
