/**
 * Gold `top_buyers`: the campaign list of a score date, selected from the run's predictions.
 *
 * The rule is in top-buyers-rule.ts; the list is merged from the candidates the scoring units handed on
 * (top-candidates.ts), so the committed Gold partition is not read again.
 */
import { CommitResult, ConstantColumn } from '../delta';
import type { ModelIdentity } from '../registry';
import { replaceDatePartition, writeStaged } from './gold-predictions';
import { TOP_BUYERS_TABLE } from './gold-schemas';
import { RankedColumns } from './top-k';

export interface TopBuyersCommit {
  topBuyersTable: string;
  scoreDate: string;
  workflowId: string;
  runId: string;
  model: ModelIdentity;
  /** Best first; columns are written as they are. */
  buyers: RankedColumns;
  txn: { appId: string; version: number };
  commitInfo: Record<string, unknown>;
}

/**
 * Replace partition D of `top_buyers` with the ranked list, in one commit (one file; the list is small), under
 * the same rules as the predictions commit (txn, same-date runs).
 */
export async function commitTopBuyers(req: TopBuyersCommit): Promise<CommitResult> {
  const { buyers } = req;
  const n = buyers.userIds.length;
  const adds = [];
  if (n > 0) {
    const rank = new Int32Array(n);
    for (let i = 0; i < n; i++) rank[i] = i + 1;
    const { schema, partitionColumns } = TOP_BUYERS_TABLE;
    adds.push(
      await writeStaged(req.topBuyersTable, schema, partitionColumns, req.scoreDate, `part-00000-${req.runId}.c000.parquet`, n, {
        rank,
        user_id: buyers.userIds,
        purchase_probability: buyers.probabilities,
        model_name: new ConstantColumn(req.model.name, n),
        model_version: new ConstantColumn(req.model.version, n),
        run_id: new ConstantColumn(req.runId, n),
      }),
    );
  }
  return replaceDatePartition(req.topBuyersTable, req.scoreDate, adds, { ...req, createWith: TOP_BUYERS_TABLE });
}
