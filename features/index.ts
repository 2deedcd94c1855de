/** Point-in-time Silver features and labels built from the Bronze events table (`batch-score features`). */
export { EVENT_FEATURES, PURCHASE_LABELS_SCHEMA, USER_FEATURES_SCHEMA } from './silver-schemas';
export {
  BronzeForOptions, BuildOptions, bronzeFor, buildSnapshot, checkBuildInputs, checkSilverTargets, FEATURE_WINDOW_DAYS, LABEL_WINDOW_DAYS, LabelsOutcome, SilverTables, SnapshotBuilt,
} from './build-snapshot';
