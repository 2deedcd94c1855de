/**
 * Where a run checks Silver for a user_id on more than one row (docs/decisions/duplicate-users.md):
 *
 *   'plan'   one GROUP BY over every user_id of the date at planning (silver-duplicates.ts), before any unit
 *   'units'  each unit checks the rows it reads (unit-duplicates.ts): chosen only when the footers prove that
 *            a duplicate can sit inside one row group only, i.e. EVERY row group states a user_id [min, max]
 *            and no two ranges meet. A row group is scored whole by one unit, so the units together see every
 *            possible duplicate, and planning reads no user_id at all.
 *
 * The plan records the decision in the run's manifest: retries and replays of a unit check as planned.
 */
import type { IntegerRange } from '../delta';
import { PipelineError } from './pipeline-error';

export type DuplicateCheck = 'plan' | 'units';

/**
 * 'units' when every range is known and the ranges are pairwise disjoint (sorted by min, each max below the next
 * min); 'plan' otherwise (one row group without statistics is enough). Ranges of rows a deletion vector removes
 * are still stated: a superset of the live rows, so disjointness still holds for them.
 */
export function duplicateCheckFor(ranges: (IntegerRange | undefined)[]): DuplicateCheck {
  const known: IntegerRange[] = [];
  for (const r of ranges) {
    if (!r) return 'plan';
    known.push(r);
  }
  known.sort((a, b) => (a.min < b.min ? -1 : a.min > b.min ? 1 : 0));
  for (let i = 1; i < known.length; i++) if (!(known[i - 1].max < known[i].min)) return 'plan';
  return 'units';
}

/**
 * Before the Gold commit of a run whose plan left the check to the units: StagedFileInvalid naming the first unit
 * that did not record having checked (scored by a worker of an earlier version, which knows nothing of the plan's
 * decision): its rows were never checked, and publishing them could publish a user twice.
 */
export function checkUnitsCheckedDuplicates(check: DuplicateCheck | undefined, units: { unitIndex: number; duplicatesChecked?: true }[], runId: string): void {
  if (check !== 'units') return;
  const unchecked = units.find((u) => u.duplicatesChecked !== true);
  if (unchecked) {
    throw new PipelineError(
      'StagedFileInvalid',
      `unit ${unchecked.unitIndex} of run ${runId} did not check its rows for duplicate user_ids as the plan asked (scored by another batch-score version?): upgrade every worker and re-run the date`,
    );
  }
}
