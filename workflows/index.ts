/** The workflows a batch-score worker runs (this file is the worker's workflowsPath). */
export { scoreUsers, progressQuery } from './score-users';
export { backfillScores, backfillProgressQuery } from './backfill-scores';
