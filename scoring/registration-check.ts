/**
 * The check `batch-score model register` runs before a file enters the registry: onnxruntime loads it (garbage,
 * a truncated file or a graph onnxruntime refuses is ModelFileCorrupt) and its contract holds for the features
 * it will be scored with (--features, else the metadata feature_names). A model the registry accepts is then
 * one a run can load; what only a run decides (which output, which column) is checked by the run.
 *
 * It lives in scoring/ and reaches the registry as a function (registerModel's `validate`), so registry/ does
 * not import scoring/.
 */
import { CandidateModel, FeatureMappingError, resolveFeatures } from '../registry';
import { checkRegistrableContract } from './contract';
import { createOrtSession } from './session';

export async function checkModelForRegistration(model: CandidateModel): Promise<void> {
  const session = await createOrtSession(model.bytes, { file: model.file });
  await session.release();
  const label = `${model.name} (file ${model.file})`;
  let features: string[] | undefined;
  try {
    features = resolveFeatures(label, model.info, { signature: model.features }).features;
  } catch (e) {
    // No names anywhere is allowed: a run maps such a model with its own --features (checked by that run).
    if (!(e instanceof FeatureMappingError) || model.features?.length || model.info.metadata['feature_names'] !== undefined) throw e;
  }
  checkRegistrableContract(label, model.info, features);
}
