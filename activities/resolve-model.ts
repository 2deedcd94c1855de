/**
 * Activity: resolve a model URI to a pinned model (name, version, sha256, features) used by the whole run, and
 * load it once so that the model contract (inputs, outputs, ZipMap, feature mapping) fails the run here, before
 * any unit is scored.
 */
import { DEFAULT_MODEL_URI } from '../config';
import type { PinnedModel } from '../registry';
import type { ContractOptions } from '../scoring';
import { ActivityDeps } from './deps';
import { classified } from './failures';

export interface ResolveModelInput {
  modelUri?: string;
  /** The run's explicit ordered feature list (Silver columns); overrides the registry and the model's metadata. */
  features?: string[];
  /** Which output holds the probability (checked here, used again by every unit). */
  contract?: ContractOptions;
}

export function makeResolveModel(deps: ActivityDeps) {
  return function resolveModelActivity(input: ResolveModelInput): Promise<PinnedModel> {
    return classified(async () => {
      const pinned = await deps.models.resolve(input.modelUri ?? DEFAULT_MODEL_URI, input.features);
      await deps.scorers.scorer(pinned, input.contract ?? {});
      return pinned;
    });
  };
}
