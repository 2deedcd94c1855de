/** Activity: resolve a model URI to a pinned model (name, version, sha256, features) used by the whole run. */
import { PinnedModel, resolveModel } from '../registry';
import { ActivityContext } from './context';
import { classified } from './failures';

export const DEFAULT_MODEL_URI = 'models:/purchase_propensity@champion';

export function makeResolveModel(ctx: ActivityContext) {
  return function resolveModelActivity(modelUri: string | undefined): Promise<PinnedModel> {
    return classified(() => resolveModel(modelUri ?? DEFAULT_MODEL_URI, ctx.registry));
  };
}
