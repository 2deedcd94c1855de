/**
 * Workflow `backfillScores`: score a range of past dates (after a model change, a late Silver table), one child
 * `scoreUsers` per date with the usual id `score-users-<date>`, so every date's run is found, re-run and told
 * apart in the UI exactly like a manual run of that date.
 *
 *   from, from + every, ... ≤ to  ─►  scoreUsers children, at most maxConcurrent at once (default 1)
 */
import { ApplicationFailure, defineQuery, executeChild, setHandler } from '@temporalio/workflow';
import type { ScoreUsersInput, ScoreUsersResult } from './score-users';

export interface BackfillScoresInput extends Omit<ScoreUsersInput, 'scoreDate'> {
  from: string;
  to: string;
  /** Days between score dates (default 7: one run a week). */
  everyDays?: number;
  /** Dates scored at once (default 1: each run already scores its units in parallel). */
  maxConcurrent?: number;
}

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

/** Dates a single backfill may cover: each is a child workflow, a few history events of the parent. */
export const MAX_BACKFILL_DATES = 1000;

const DAY_MS = 86_400_000;

/** The score dates of a backfill: from, from + every, ... up to and including to. */
export function backfillDates(from: string, to: string, everyDays: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const dates: string[] = [];
  for (let t = start; t <= end && dates.length <= MAX_BACKFILL_DATES; t += everyDays * DAY_MS) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

export async function backfillScores(input: BackfillScoresInput): Promise<BackfillDateResult[]> {
  const { from, to, everyDays = 7, maxConcurrent = 1, ...runInput } = input;
  const bad = (message: string) => ApplicationFailure.nonRetryable(message, 'InvalidInput');
  for (const [name, d] of [['from', from], ['to', to]]) {
    if (typeof d !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) {
      throw bad(`${name} must be a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
    }
  }
  if (!(Number.isInteger(everyDays) && everyDays > 0)) throw bad(`everyDays must be a whole number > 0, got ${everyDays}`);
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent > 0)) throw bad(`maxConcurrent must be a whole number > 0, got ${maxConcurrent}`);
  const dates = backfillDates(from, to, everyDays);
  if (dates.length === 0) throw bad(`no dates from ${from} to ${to}: from is after to`);
  if (dates.length > MAX_BACKFILL_DATES) throw bad(`${from}..${to} every ${everyDays} days is over ${MAX_BACKFILL_DATES} dates: split it`);

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
        args: [{ ...runInput, scoreDate }],
      });
      progress.running = progress.running.filter((d) => d !== scoreDate);
      progress.datesDone++;
      results[i] = { scoreDate, workflowId: r.workflowId, rowsScored: r.rowsScored, goldVersion: r.goldVersion, topBuyers: r.topBuyers.count };
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxConcurrent, dates.length) }, lane));
  return results;
}
