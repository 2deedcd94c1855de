/**
 * Configuration, the bottom layer beside errors/: where the data lives, the task queues, run defaults and the
 * environment variables. It imports nothing from the project. Workflows import task-queues.ts and
 * run-defaults.ts directly (pure files), never this index, which brings in Node built-ins.
 */
export { dataLayout, DataLayout } from './data-layout';
export { SCORING_TASK_QUEUE, TASK_QUEUE } from './task-queues';
export { BACKFILL_DEFAULTS, backfillDates, DEFAULT_MODEL_URI, RUN_DEFAULTS, UNITS_PER_SHARD } from './run-defaults';
export {
  allowedRootsFromEnv, dataRootFromEnv, duplicateCheckMemoryFromEnv, featuresMemoryFromEnv, ENV, mlflowCredentialsFromEnv, MlflowCredentials,
  mlflowTrackingUriFromEnv, reportMemoryFromEnv, temporalCliPathFromEnv,
} from './environment';
