/**
 * The activities of a batch-score worker, built from injected dependencies (deps.ts): the worker builds them
 * (workers/activity-deps.ts), tests pass their own. Activities are thin adapters (heartbeats, cancellation,
 * failure types in failures.ts) carrying references only: the work is in pipeline/, scoring/, registry/, delta/.
 */
import { makeCommitGold } from './commit-gold';
import { ActivityDeps } from './deps';
import { makeDiscardStaged } from './discard-staged';
import { makePlanUnits } from './plan-units';
import { makeResolveModel } from './resolve-model';
import { makeRestoreGoldPartition } from './restore-gold-partition';
import { makeScoreUnit } from './score-unit';
import { makeSelectTopBuyers } from './select-top-buyers';

export type { ActivityDeps, ModelResolver, ScorerCache, TableLocations } from './deps';
export * from './types';

export function createActivities(deps: ActivityDeps) {
  return {
    resolveModel: makeResolveModel(deps),
    planUnits: makePlanUnits(deps),
    scoreUnit: makeScoreUnit(deps),
    commitGold: makeCommitGold(),
    selectTopBuyers: makeSelectTopBuyers(),
    restoreGoldPartition: makeRestoreGoldPartition(),
    discardStaged: makeDiscardStaged(),
  };
}

export type Activities = ReturnType<typeof createActivities>;
