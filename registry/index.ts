/** Model registry: model URIs → pinned model files (local registry, MLflow over REST). Knows nothing of Temporal. */
export { parseModelUri, ModelUri } from './uri';
export { PinnedModel } from './pinned';
export { ModelIdentity, modelIdentity } from './model-identity';
export { resolveModel, verifyPinned, ResolveOptions } from './resolve';
export { registerModel, setAlias, listModels, LocalModel, LocalVersion, CandidateModel } from './local';
export { resolveFeatures, FeatureSource } from './features';
export { readOnnxInfo, onnxInfo, OnnxModelInfo, OnnxValueInfo, parseNameList } from './onnx-file';
export { sha256File, sha256Model } from './digest';
export { ModelNotFoundError, ModelDigestMismatchError, FeatureMappingError, ModelFileMissingError, ModelFileCorruptError } from './errors';
