/**
 * Gold `top_buyers`: the campaign list of a score date, selected from the committed predictions.
 *
 * The rule is in top-buyers-rule.ts. Streams the partition one row group at a time and keeps only the k best (memory O(k), not O(users)).
 */
import { CommitResult, ConstantColumn, openTable, scanTable, Snapshot } from '../delta';
import type { ModelIdentity } from '../registry';
import { replaceDatePartition, writeStaged } from './gold-predictions';
import { SCORE_DATE, TOP_BUYERS_TABLE } from './gold-schemas';
import { PipelineError } from './pipeline-error';
import { RankedUser, TopK } from './top-k';
import { ruleProblem, topCount, TopBuyersRule } from './top-buyers-rule';

export interface TopBuyersSelection {
  scoredUsers: number;
  buyers: RankedUser[];
}

/** Select the top buyers of score date D from Gold predictions at `goldVersion`. */
export async function selectTopBuyers(
  goldTable: string, goldVersion: number, scoreDate: string, rule: TopBuyersRule,
): Promise<TopBuyersSelection> {
  const problem = ruleProblem(rule);
  if (problem) throw new PipelineError('InvalidInput', problem);
  const snapshot = await openTable(goldTable, { version: goldVersion });
  const partition = { [SCORE_DATE]: scoreDate };
  const scoredUsers = snapshot.numRecords(partition) ?? (await countRows(snapshot, partition));
  const top = new TopK(topCount(rule, scoredUsers));
  for await (const batch of scanTable(snapshot, { columns: ['user_id', 'purchase_probability'], partition })) {
    const ids = batch.columns.user_id as ArrayLike<bigint>;
    const probs = batch.columns.purchase_probability as ArrayLike<number | null>;
    for (let i = 0; i < batch.numRows; i++) {
      const p = probs[i];
      if (p !== null && p >= rule.minProbability) top.offer(BigInt(ids[i]), p);
    }
  }
  return { scoredUsers, buyers: top.ranked() };
}

async function countRows(snapshot: Snapshot, partition: Record<string, string>): Promise<number> {
  let n = 0;
  for await (const batch of scanTable(snapshot, { columns: ['user_id'], partition })) n += batch.numRows;
  return n;
}

export interface TopBuyersCommit {
  topBuyersTable: string;
  scoreDate: string;
  workflowId: string;
  runId: string;
  model: ModelIdentity;
  buyers: RankedUser[];
  txn: { appId: string; version: number };
  commitInfo: Record<string, unknown>;
}

/**
 * Replace partition D of `top_buyers` with the ranked list, in one commit (one file; the list is small), under
 * the same rules as the predictions commit (txn, same-date runs).
 */
export async function commitTopBuyers(req: TopBuyersCommit): Promise<CommitResult> {
  const n = req.buyers.length;
  const adds = [];
  if (n > 0) {
    const { schema, partitionColumns } = TOP_BUYERS_TABLE;
    adds.push(
      await writeStaged(req.topBuyersTable, schema, partitionColumns, req.scoreDate, `part-00000-${req.runId}.c000.parquet`, n, {
        rank: Int32Array.from(req.buyers, (_, i) => i + 1),
        user_id: BigInt64Array.from(req.buyers, (b) => b.userId),
        purchase_probability: Float64Array.from(req.buyers, (b) => b.probability),
        model_name: new ConstantColumn(req.model.name, n),
        model_version: new ConstantColumn(req.model.version, n),
        run_id: new ConstantColumn(req.runId, n),
      }),
    );
  }
  return replaceDatePartition(req.topBuyersTable, req.scoreDate, adds, { ...req, createWith: TOP_BUYERS_TABLE });
}
