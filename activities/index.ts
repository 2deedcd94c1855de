/**
 * The activities of a batch-score worker, built by a factory so that workers and tests pass their own options.
 * Activities are thin adapters: the work is in pipeline/, scoring/, registry/ and delta/.
 */
import { activityContext, ActivityOptions } from './context';
import { makeCommitGold } from './commit-gold';
import { makeDiscardStaged } from './discard-staged';
import { makePlanUnits } from './plan-units';
import { makeResolveModel } from './resolve-model';
import { makeRestoreGoldPartition } from './restore-gold-partition';
import { makeScoreUnit } from './score-unit';
import { makeSelectTopBuyers } from './select-top-buyers';

export type { ActivityOptions } from './context';
export * from './types';

export function createActivities(opts: ActivityOptions = {}) {
  const ctx = activityContext(opts);
  return {
    resolveModel: makeResolveModel(ctx),
    planUnits: makePlanUnits(ctx),
    scoreUnit: makeScoreUnit(ctx),
    commitGold: makeCommitGold(),
    selectTopBuyers: makeSelectTopBuyers(),
    restoreGoldPartition: makeRestoreGoldPartition(),
    discardStaged: makeDiscardStaged(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
