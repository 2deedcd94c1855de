/**
 * The model's ordered feature list, from the first source that has one:
 *   1. the run's explicit setting, 2. the registry's signature (MLflow MLmodel signature, or the features given
 *   at `model register`), 3. the ONNX metadata `feature_names`, 4. per-feature input names (one input per feature).
 * Otherwise a FeatureMappingError: a single [N, F] input says nothing about which column is which.
 */
import { FeatureMappingError } from './errors';
import { OnnxModelInfo, parseNameList } from './onnx-file';

export type FeatureSource = 'run' | 'signature' | 'onnx-metadata' | 'input-names';

export function resolveFeatures(
  model: string,
  info: OnnxModelInfo,
  sources: { run?: string[]; signature?: string[] },
): { features: string[]; source: FeatureSource } {
  const pick = (): { features: string[]; source: FeatureSource } | undefined => {
    if (sources.run?.length) return { features: sources.run, source: 'run' };
    if (sources.signature?.length) return { features: sources.signature, source: 'signature' };
    const meta = info.metadata['feature_names'];
    if (meta !== undefined) {
      try {
        return { features: parseNameList(meta), source: 'onnx-metadata' };
      } catch (e) {
        throw new FeatureMappingError(`model ${model}: metadata feature_names is not a list: ${(e as Error).message}`);
      }
    }
    const single = info.inputs.length === 1 && isOneColumn(info.inputs[0].tensor?.shape ?? []);
    if (info.inputs.length > 1 || single) return { features: info.inputs.map((i) => i.name), source: 'input-names' };
    return undefined;
  };
  const picked = pick();
  if (!picked || picked.features.length === 0) {
    throw new FeatureMappingError(
      `model ${model}: no feature names (input ${info.inputs.map((i) => `${i.name} ${i.description}`).join(', ')}); ` +
        'give them with --features at registration, in the run settings, or in the ONNX metadata "feature_names"',
    );
  }
  const seen = new Set<string>();
  for (const f of picked.features) {
    if (seen.has(f)) throw new FeatureMappingError(`model ${model}: feature "${f}" listed twice (${picked.source})`);
    seen.add(f);
  }
  return picked;
}

function isOneColumn(shape: (number | string)[]): boolean {
  return shape.length === 1 || (shape.length === 2 && shape[1] === 1);
}
