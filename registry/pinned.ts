/**
 * A pinned model: the exact bytes a run scores with, by name, version and sha256, held for the whole run
 * (retries included). `checkDigest` re-reads the bytes and fails when they changed under the pinned version, or
 * with ModelFileMissing when they are gone.
 */
import { sha256Model } from './digest';
import { ModelDigestMismatchError } from './errors';
import type { ModelIdentity } from './model-identity';
import { readingModelFile } from './model-file';

export interface PinnedModel extends ModelIdentity {
  /** The ONNX file to load (external data files, if any, sit next to it). */
  localPath: string;
  /** Ordered feature names: model input column j is Silver column features[j]. */
  features: string[];
  /** Set when the digest covers a folder (ONNX + external data), not just `localPath`. */
  digestPath?: string;
}

export async function checkDigest(pinned: PinnedModel): Promise<void> {
  const target = pinned.digestPath ?? pinned.localPath;
  const found = await readingModelFile({ uri: pinned.uri, file: target }, () => sha256Model(target));
  if (found !== pinned.sha256) throw digestMismatch(pinned, target, found);
}

export function digestMismatch(pinned: PinnedModel, target: string, found: string): ModelDigestMismatchError {
  return new ModelDigestMismatchError(
    `model ${pinned.name} version ${pinned.version} changed under the run: ${target} has sha256 ${found}, ` +
      `pinned ${pinned.sha256}; registered versions are immutable — register a new version instead`,
    { uri: pinned.uri },
  );
}
