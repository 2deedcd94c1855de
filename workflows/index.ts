/** The workflows a batch-score worker runs (this file is the worker's workflowsPath). */
export { scoreUsers, progressQuery } from './score-users';
export { scoreShard, shardProgressQuery } from './score-shard';
export { backfillScores, backfillProgressQuery } from './backfill-scores';
