/**
 * MLflow Model Registry over REST (placeholder until the client lands).
 */
import { ModelNotFoundError } from './errors';
import type { PinnedModel } from './pinned';
import type { ModelUri } from './uri';

export interface MlflowOptions {
  trackingUri: string;
  cacheDir: string;
}

export async function resolveMlflowModel(
  uri: Exclude<ModelUri, { kind: 'file' }>,
  opts: MlflowOptions,
): Promise<{ name: string; version: string; sha256: string; localPath: string; signature: string[]; digestPath?: string }> {
  throw new ModelNotFoundError(`MLflow registry at ${opts.trackingUri} not supported yet (model ${uri.name})`);
}

export async function fetchMlflowVersion(pinned: PinnedModel, opts: MlflowOptions): Promise<void> {
  throw new ModelNotFoundError(`MLflow registry at ${opts.trackingUri} not supported yet (model ${pinned.name})`);
}
