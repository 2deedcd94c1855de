/**
 * Activity: publish every unit's staged file to Gold `purchase_predictions` in ONE Delta commit that replaces
 * partition score_date=D. Before committing it checks that the staged files hold exactly the rows the units
 * scored, so a lost or doubled unit can never be published.
 */
import { commitPredictions } from '../pipeline/gold-predictions';
import { PipelineError } from '../pipeline/pipeline-error';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      const seen = new Set<number>();
      for (const u of input.units) {
        if (seen.has(u.unitIndex)) throw new PipelineError('DuplicateUnit', `unit ${u.unitIndex} appears twice in run ${input.runId}`);
        seen.add(u.unitIndex);
        const staged = u.add.stats ? (JSON.parse(u.add.stats) as { numRecords?: number }).numRecords : undefined;
        if (staged !== u.rows) {
          throw new PipelineError('StagedFileInvalid', `staged file ${u.add.path} holds ${staged} rows, unit ${u.unitIndex} scored ${u.rows}`);
        }
      }
      const rows = input.units.reduce((n, u) => n + u.rows, 0);
      const skipped = input.units.reduce((n, u) => n + u.skipped, 0);
      return commitPredictions({
        goldTable: input.goldTable,
        scoreDate: input.scoreDate,
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
    });
  };
}
