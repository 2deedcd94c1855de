/**
 * Activity: resolve a model URI to a pinned model (name, version, sha256, features) used by the whole run, and
 * load it once so that the model contract (inputs, outputs, ZipMap, feature mapping) fails the run here, before
 * any unit is scored.
 */
import { PinnedModel, resolveModel } from '../registry';
import { ContractOptions, loadScorer } from '../scoring';
import { ActivityContext } from './context';
import { classified } from './failures';

export const DEFAULT_MODEL_URI = 'models:/purchase_propensity@champion';

export interface ResolveModelInput {
  modelUri?: string;
  /** The run's explicit ordered feature list (Silver columns); overrides the registry and the model's metadata. */
  features?: string[];
  /** Which output holds the probability (checked here, used again by every unit). */
  contract?: ContractOptions;
}

export function makeResolveModel(ctx: ActivityContext) {
  return function resolveModelActivity(input: ResolveModelInput): Promise<PinnedModel> {
    return classified(async () => {
      const pinned = await resolveModel(input.modelUri ?? DEFAULT_MODEL_URI, { ...ctx.registry, features: input.features });
      await loadScorer(pinned, { ...input.contract, intraOpThreads: ctx.intraOpThreads });
      return pinned;
    });
  };
}
