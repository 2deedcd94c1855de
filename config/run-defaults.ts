/**
 * What a run uses when its input leaves a field out. Pure (no Node built-ins): the workflows read it inside
 * their sandbox.
 */

/** The model a run scores with unless it names one. */
export const DEFAULT_MODEL_URI = 'models:/purchase_propensity@champion';

/** Defaults of one date's run (`scoreUsers`). */
export const RUN_DEFAULTS = {
  // Each unit costs the server and the workers a few tens of ms of CPU (an activity and its workflow task): at
  // 500,000 rows that is about 15% of its work instead of 30% (docs/decisions/scoring-units.md).
  unitRows: 500_000,
  maxParallel: 8,
  nullPolicy: 'error' as const,
  predictionThreshold: 0.5,
};

/**
 * Defaults of a backfill (`backfillScores`): one run a week, one date at a time (each run already scores its units
 * in parallel), and half a run's units in flight, so a backfill never holds more than 4 units of the scoring
 * workers and the weekly run started beside it gets the rest (docs/decisions/concurrent-runs.md).
 */
export const BACKFILL_DEFAULTS = {
  everyDays: 7,
  maxConcurrent: 1,
  maxParallel: 4,
};

const DAY_MS = 86_400_000;

/** The dates of a backfill (scores, or Silver snapshots): from, from + every, ... up to and including to. */
export function backfillDates(from: string, to: string, everyDays: number): string[] {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  const dates: string[] = [];
  for (let t = start; t <= end; t += everyDays * DAY_MS) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

/**
 * Units scored by one workflow: a larger run scores its units in child workflows of this many (scoreShard), so
 * no history passes Temporal's warning levels (10,240 events, 10 MB): a unit costs about six events.
 */
export const UNITS_PER_SHARD = 1_000;
