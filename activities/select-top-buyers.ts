/**
 * Activity: rank the run's predictions of the score date and publish the top buyers (one commit). The ranking
 * is merged from the candidates the scoring units recorded in the run's manifest (pipeline/top-candidates.ts,
 * pipeline/run-manifest.ts): Gold is not read again.
 */
import { TOP_BUYERS_TABLE } from '../pipeline/gold-schemas';
import { checkGoldTarget } from '../pipeline/gold-targets';
import { commitTopBuyers } from '../pipeline/gold-top-buyers';
import { readUnitResults } from '../pipeline/run-manifest';
import { mergeCandidateColumns, recordedCandidates } from '../pipeline/top-candidates';
import { classified } from './failures';
import { SelectTopBuyersInput, TopBuyersResult } from './types';

const PREVIEW_ROWS = 10;

export function makeSelectTopBuyers() {
  return function selectTopBuyersActivity(input: SelectTopBuyersInput): Promise<TopBuyersResult> {
    return classified(async () => {
      // Checked at planning too; again here because the folder may have changed while the run scored.
      await checkGoldTarget(input.topBuyersTable, TOP_BUYERS_TABLE, input.scoreDate);
      const candidates = recordedCandidates(await readUnitResults(input.goldTable, input.runId, input.unitCount), input.runId);
      const buyers = await mergeCandidateColumns({
        topBuyersTable: input.topBuyersTable, scoreDate: input.scoreDate, runId: input.runId, rule: input.rule,
        scoredUsers: input.scoredUsers, candidates,
      });
      const committed = await commitTopBuyers({
        topBuyersTable: input.topBuyersTable,
        scoreDate: input.scoreDate,
        workflowId: input.workflowId,
        runId: input.runId,
        model: input.model,
        buyers,
        txn: input.txn,
        commitInfo: {
          batchScore: {
            workflowId: input.workflowId,
            runId: input.runId,
            rule: input.rule,
            gold: { table: input.goldTable, version: input.goldVersion },
          },
        },
      });
      return {
        ...committed,
        scoredUsers: input.scoredUsers,
        count: buyers.userIds.length,
        preview: Array.from(buyers.userIds.subarray(0, PREVIEW_ROWS), (id, i) => ({ rank: i + 1, userId: Number(id), probability: buyers.probabilities[i] })),
      };
    });
  };
}
