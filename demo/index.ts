/** The demo: synthetic Silver data (features + labels) and the demo model's training and ONNX export. */
export { generateSilver, GenerateSilverOptions, SILVER_FEATURES_SCHEMA, SILVER_LABELS_SCHEMA, SNAPSHOT_DATE } from './silver';
export { trainDemoModel, TrainDemoOptions, TrainedModel, DEMO_MODEL_NAME, DEMO_MODEL_ALIAS } from './train';
export { FEATURES, FEATURE_NAMES } from './behaviour';
export { fitLogistic, LogisticModel } from './logistic';
export { logisticOnnx, LogisticOnnx } from './onnx-logistic';
export { classifierMetrics, ClassifierMetrics } from './metrics';
export { isHeldOut, HOLDOUT_FRACTION, DEFAULT_SPLIT_SEED } from './holdout';
export { inTrainingSample, readTrainingSet, TrainingSet, LABEL_COLUMN } from './training-set';
export { DEFAULT_EVENTS_FROM, DEFAULT_EVENTS_TO, generateEvents, GenerateEventsOptions, GeneratedEvents } from './events';
