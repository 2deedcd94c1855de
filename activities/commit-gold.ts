/**
 * Activity: publish every unit's staged file to Gold `purchase_predictions` in ONE Delta commit that replaces
 * partition score_date=D. Before committing it checks each staged file on storage (exists, rows in its
 * footer = rows the unit scored), so a lost, doubled or altered unit can never be published; after it, the
 * run's unpublished staged files (failed attempts) are removed.
 */
import { commitPredictions } from '../pipeline/gold-predictions';
import { checkStagedFiles, removeUnpublishedStaged } from '../pipeline/staged-files';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      await checkStagedFiles(input.goldTable, input.runId, input.units);
      const rows = input.units.reduce((n, u) => n + u.rows, 0);
      const skipped = input.units.reduce((n, u) => n + u.skipped, 0);
      const committed = await commitPredictions({
        goldTable: input.goldTable,
        scoreDate: input.scoreDate,
        workflowId: input.workflowId,
        runId: input.runId,
        adds: input.units.map((u) => u.add),
        txn: input.txn,
        commitInfo: {
          batchScore: {
            workflowId: input.workflowId,
            runId: input.runId,
            model: { uri: input.model.uri, name: input.model.name, version: input.model.version, sha256: input.model.sha256 },
            silver: { table: input.silverTable, version: input.silverVersion },
            rows,
            skippedRows: skipped,
          },
        },
      });
      await removeUnpublishedStaged(input.goldTable, input.scoreDate, input.runId);
      return committed;
    });
  };
}
