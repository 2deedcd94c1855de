/**
 * Conflict checking after a lost commit race: does a winning commit invalidate what this transaction read?
 * Rules (delta.md, as Delta Spark and delta-rs apply them at Serializable/WriteSerializable isolation):
 *   - a winner that changed metaData or protocol always conflicts;
 *   - a winner whose txn has our appId conflicts (and means a retried write may already be committed);
 *   - blind appends never conflict with appends;
 *   - a write that read partition set P (replaceWhere P, or the whole table for an overwrite) conflicts with a
 *     winner that added or removed files in P.
 */
import { Action, PartitionValues } from '../log';
import { DeltaError } from '../errors';

/** What a transaction read, i.e. which winners can invalidate it. */
export type ReadScope =
  | { kind: 'none' } // blind append
  | { kind: 'table' } // full overwrite
  | { kind: 'partition'; partition: PartitionValues; matches: (values: PartitionValues) => boolean };

export interface Conflict {
  reason: 'metadata' | 'protocol' | 'txn' | 'files';
  detail: string;
  /** For 'txn': the winner's version for our appId. */
  txnVersion?: number;
}

/** The first conflict between a winning commit and our transaction, or undefined. */
export function findConflict(winner: Action[], scope: ReadScope, appId: string | undefined): Conflict | undefined {
  for (const a of winner) {
    if (a.metaData) return { reason: 'metadata', detail: 'the table metadata (schema, partitioning or properties) changed' };
    if (a.protocol) return { reason: 'protocol', detail: 'the table protocol changed' };
    if (appId !== undefined && a.txn && a.txn.appId === appId) {
      return { reason: 'txn', detail: `a commit for the same txn appId ${appId} (version ${a.txn.version}) landed first`, txnVersion: a.txn.version };
    }
  }
  if (scope.kind === 'none') return undefined;
  for (const a of winner) {
    const f = a.add ?? a.remove;
    if (!f) continue;
    if (a.remove && a.remove.dataChange === false) continue; // compaction rewrites do not change rows
    if (a.add && a.add.dataChange === false) continue;
    if (scope.kind === 'table') return { reason: 'files', detail: `${a.add ? 'added' : 'removed'} ${f.path}` };
    // A remove without partitionValues (optional in the protocol) cannot be placed: assume it is ours.
    if (!f.partitionValues || scope.matches(f.partitionValues)) {
      return { reason: 'files', detail: `${a.add ? 'added' : 'removed'} ${f.path} in partition ${JSON.stringify(scope.partition)}` };
    }
  }
  return undefined;
}

export function conflictError(table: string, version: number, c: Conflict): DeltaError {
  return new DeltaError('ConcurrentModification', `${table}: concurrent commit ${version} conflicts with this write: ${c.detail}`);
}
