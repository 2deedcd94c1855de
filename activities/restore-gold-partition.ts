/**
 * Activity: undo this run's Gold commit with a new commit (pipeline/gold-restore.ts), called by the workflow when
 * top_buyers cannot be published after Gold was, so that a failed run leaves Gold as it was.
 */
import { restoreGoldPartition } from '../pipeline/gold-restore';
import { classified } from './failures';
import { CommitResultInfo, RestoreGoldInput } from './types';

export function makeRestoreGoldPartition() {
  return function restoreGoldPartitionActivity(input: RestoreGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      const { version, skipped } = await restoreGoldPartition({
        goldTable: input.goldTable,
        scoreDate: input.scoreDate,
        txn: input.txn,
        goldVersion: input.goldVersion,
        commitInfo: { workflowId: input.workflowId, runId: input.runId, reason: input.reason },
      });
      return { version, skipped };
    });
  };
}
