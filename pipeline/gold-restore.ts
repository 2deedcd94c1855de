/**
 * Undo a run's Gold `purchase_predictions` commit when the run cannot finish (top_buyers could not be written):
 * a NEW commit that gives partition score_date=D back exactly the files it had just before the run's commit
 * (this run's files removed, the previous files added again: they stay on disk until a vacuum). History keeps
 * both commits, so the failed run's predictions can still be read by time travel. See
 * docs/decisions/two-gold-commits.md.
 *
 * It undoes nothing that is not the run's own: if the partition changed after the run's commit (a later run
 * published), or the previous files were vacuumed, it refuses with GoldNotRestored saying which.
 */
import { Action, AddFile, commitWithRetry, CommitResult, logStore, openTable, planReplacePartition, readCommit } from '../delta';
import { dataFileInfo } from './staged-files';
import { SCORE_DATE } from './gold-schemas';
import { PipelineError } from './pipeline-error';

export interface RestoreRequest {
  goldTable: string;
  scoreDate: string;
  /** The txn of the run's Gold commit: it identifies the commit to undo. */
  txn: { appId: string; version: number };
  /** The version commitGold returned: the run's commit, or a later one when that commit was a retried no-op. */
  goldVersion: number;
  commitInfo: Record<string, unknown>;
}

export interface RestoreResult extends CommitResult {
  /** The run's commit that was undone; undefined when the run had committed nothing to Gold. */
  undone?: number;
}

export async function restoreGoldPartition(req: RestoreRequest): Promise<RestoreResult> {
  const { goldTable, scoreDate } = req;
  const ours = await findTxnCommit(goldTable, req.txn, req.goldVersion);
  if (ours === undefined) return { version: req.goldVersion, skipped: true };
  const partition = { [SCORE_DATE]: scoreDate };
  const published = filePaths((await openTable(goldTable, { version: ours })).files(partition));
  const previous = (await openTable(goldTable, { version: ours - 1 })).files(partition);
  const gone: string[] = [];
  for (const f of previous) {
    if (!(await dataFileInfo(goldTable, f.path))) gone.push(f.path);
  }
  const what = `Gold table ${goldTable} partition ${SCORE_DATE}=${scoreDate}`;
  if (gone.length > 0) {
    throw new PipelineError('GoldNotRestored', `cannot undo commit ${ours} of ${what}: ${gone.length} of the ${previous.length} files it had at version ${ours - 1} were deleted (vacuumed?): ${gone.slice(0, 3).join(', ')}`);
  }
  const again: AddFile[] = previous.map((f) => ({ ...f, dataChange: true }));
  const result = await commitWithRetry(goldTable, (snapshot) => {
    const now = filePaths(snapshot.files(partition));
    if (now !== published) {
      throw new PipelineError('GoldNotRestored', `cannot undo commit ${ours} of ${what}: the partition changed after it (now version ${snapshot.version}), so it is left as it is`);
    }
    return planReplacePartition(snapshot, partition, again);
  }, {
    // Its own txn: a retried restore that already landed is a no-op.
    txn: { appId: `${req.txn.appId}/undo`, version: req.txn.version },
    commitInfo: { batchScore: { ...req.commitInfo, undoes: ours } },
  });
  return { ...result, undone: ours };
}

/** The version whose commit carries txn {appId, version}, searching down from `from`. */
async function findTxnCommit(table: string, txn: { appId: string; version: number }, from: number): Promise<number | undefined> {
  const store = logStore(table);
  for (let v = from; v > 0; v--) {
    const actions: Action[] = await readCommit(store, v);
    const t = actions.find((a) => a.txn?.appId === txn.appId)?.txn;
    if (t && t.version === txn.version) return v;
    if (t && t.version < txn.version) return undefined; // an earlier run of the same id: ours is not below it
  }
  return undefined;
}

function filePaths(files: AddFile[]): string {
  return JSON.stringify(files.map((f) => f.path).sort());
}
