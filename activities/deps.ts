/**
 * What the activities depend on, as Temporal's TypeScript samples inject it: the worker builds these
 * (workers/activity-deps.ts) and passes them to createActivities(deps); tests pass their own. The activities
 * themselves read no environment and no options.
 */
import type { PinnedModel } from '../registry';
import type { ContractOptions, Scorer } from '../scoring';

/** Where a run's tables are: the path the run gave (checked against the allowed roots) or the data root's default. */
export interface TableLocations {
  silver(given?: string): string;
  gold(given?: string): string;
  topBuyers(given?: string): string;
}

/** Model URIs to pinned models, and a pinned model's bytes checked again where a unit is scored. */
export interface ModelResolver {
  resolve(uri: string, features?: string[]): Promise<PinnedModel>;
  /**
   * Fails when the pinned bytes changed or are gone (re-fetches a pinned MLflow version or S3 model the worker
   * lacks); returns the pinned model as this worker holds it (an S3 model: in this worker's own cache).
   */
  verify(pinned: PinnedModel): Promise<PinnedModel>;
}

/** A loaded scorer of a pinned model with the run's output contract; sessions are loaded once per process. */
export interface ScorerCache {
  scorer(pinned: PinnedModel, contract: ContractOptions): Promise<Scorer>;
}

export interface ActivityDeps {
  tables: TableLocations;
  models: ModelResolver;
  scorers: ScorerCache;
}
