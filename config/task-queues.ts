/**
 * Task queues. Workflows and the light activities (resolve, plan, commit, select) share `batch-score`; the heavy
 * scoreUnit activities go to `batch-score-scoring`, so scoring capacity scales by adding scoring workers anywhere
 * the storage is mounted.
 */
export const TASK_QUEUE = 'batch-score';
export const SCORING_TASK_QUEUE = 'batch-score-scoring';
