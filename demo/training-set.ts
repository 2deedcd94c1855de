/**
 * The rows `train` learns from: partition snapshot_date = D of Silver `user_features` joined on user_id with the
 * same partition of `purchase_labels`. The feature columns are Silver's own: every column but user_id and
 * snapshot_date, in table order, so the demo's ten-feature Silver and the events-derived Silver both train.
 * When the partition has more than `maxRows` users, a hash of user_id picks about `maxRows` of them (bounded
 * memory whatever the table size): Silver is written sorted by user_id, so "the first maxRows rows" would be the
 * lowest ids only, a biased sample (docs/decisions/training-metrics.md).
 */
import { openTable, scanTable, Snapshot } from '../delta';
import { BatchScoreError } from '../errors';
import { PipelineError } from '../pipeline/pipeline-error';
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';
import { isFeatureType } from '../scoring';
import { userHash } from './user-hash';

export const LABEL_COLUMN = 'purchased_next_7d';

/** Seed of the row sample: a 64-bit value no integer --split-seed reaches, so sample and split are independent. */
export const SAMPLE_SEED = 0x73616d706c652121n;

export interface TrainingSet {
  features: string[];
  userIds: BigInt64Array;
  /** rows × features, row-major, raw Silver values. */
  x: Float64Array;
  /** 1 = purchased in the 7 days from D. */
  y: Uint8Array;
  /** Users in the Silver partition, and the `maxRows` asked for; userIds.length users were read. */
  rowsAvailable: number;
  maxRows: number;
}

/** True when a user of a partition of `rowsAvailable` users is in the sample of about `maxRows`. */
export function inTrainingSample(userId: bigint, maxRows: number, rowsAvailable: number): boolean {
  return rowsAvailable <= maxRows || userHash(userId, SAMPLE_SEED) < maxRows / rowsAvailable;
}

export async function readTrainingSet(opts: { silverPath: string; labelsPath: string; snapshotDate: string; maxRows: number }): Promise<TrainingSet> {
  const partition = { [SNAPSHOT_DATE]: opts.snapshotDate };
  const where = `Silver table ${opts.silverPath} ${SNAPSHOT_DATE}=${opts.snapshotDate}`;
  const silver = await datePartition(opts.silverPath, 'Silver table', opts.snapshotDate);
  const features = featureColumns(silver);
  const width = features.length;
  const rowsAvailable = silver.numRecords(partition) ?? (await countRows(silver, partition));

  // The sample's size is maxRows on average; the arrays grow if the hash keeps a few more.
  let capacity = Math.max(1, Math.min(rowsAvailable, opts.maxRows));
  let x = new Float64Array(capacity * width);
  let ids = new BigInt64Array(capacity);
  const rowOf = new Map<bigint, number>();
  let n = 0;
  for await (const batch of scanTable(silver, { columns: ['user_id', ...features], partition })) {
    const batchIds = batch.columns['user_id'];
    for (let i = 0; i < batch.numRows; i++) {
      const id = BigInt(batchIds[i] as bigint);
      if (!inTrainingSample(id, opts.maxRows, rowsAvailable)) continue;
      if (rowOf.has(id)) {
        throw new PipelineError('SilverDuplicateUser', `${where}: user_id ${id} is on more than one row; training needs one row per user`);
      }
      if (n === capacity) {
        capacity *= 2;
        x = grow(x, capacity * width);
        ids = grow(ids, capacity);
      }
      for (let j = 0; j < width; j++) {
        const v = batch.columns[features[j]][i];
        if (v === null || v === undefined) {
          throw new PipelineError('FeatureNotFinite', `${where}: column "${features[j]}" is null for user ${id}; training needs every feature value`);
        }
        const value = Number(v);
        if (!Number.isFinite(value)) {
          throw new PipelineError('FeatureNotFinite', `${where}: column "${features[j]}" is ${value} for user ${id}; training needs finite feature values`);
        }
        x[n * width + j] = value;
      }
      ids[n] = id;
      rowOf.set(id, n++);
    }
  }
  if (n === 0) throw new PipelineError('SilverEmptySnapshot', `${where} has no rows to train on`);

  const labelsTable = await datePartition(opts.labelsPath, 'labels table', opts.snapshotDate);
  const label = new Int8Array(n).fill(-1);
  let found = 0;
  for await (const batch of scanTable(labelsTable, { columns: ['user_id', LABEL_COLUMN], partition })) {
    const labelIds = batch.columns['user_id'];
    const bought = batch.columns[LABEL_COLUMN];
    for (let i = 0; i < batch.numRows; i++) {
      const id = BigInt(labelIds[i] as bigint);
      const r = rowOf.get(id);
      if (r === undefined) continue;
      if (label[r] !== -1) {
        throw new PipelineError(
          'SilverDuplicateUser',
          `labels table ${opts.labelsPath} ${SNAPSHOT_DATE}=${opts.snapshotDate}: user_id ${id} is on more than one row; training needs one label per user`,
        );
      }
      label[r] = bought[i] ? 1 : 0;
      found++;
    }
  }
  if (found !== n) {
    const missing = label.indexOf(-1);
    throw new PipelineError(
      'SilverNoData',
      `labels table ${opts.labelsPath} ${SNAPSHOT_DATE}=${opts.snapshotDate} has no ${LABEL_COLUMN} for ${n - found} of the ${n} users read from Silver (e.g. user ${ids[missing]})`,
    );
  }
  return { features, userIds: ids.subarray(0, n), x: x.subarray(0, n * width), y: Uint8Array.from(label), rowsAvailable, maxRows: opts.maxRows };
}

/** Rows of the partition by a scan of user_id: for tables whose files have no numRecords stats. */
async function countRows(table: Snapshot, partition: Record<string, string>): Promise<number> {
  let rows = 0;
  for await (const batch of scanTable(table, { columns: ['user_id'], partition })) rows += batch.numRows;
  return rows;
}

function grow<T extends Float64Array | BigInt64Array>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a as never);
  return b;
}

/** The table, after checking it has partition snapshot_date = D (a missing table or date is named in the error). */
async function datePartition(tablePath: string, what: string, snapshotDate: string): Promise<Snapshot> {
  const table = await openTable(tablePath).catch((e: unknown) => {
    if (!(e instanceof BatchScoreError && e.code === 'TableNotFound')) throw e;
    throw new PipelineError('SilverNoData', `${what} ${tablePath} has no partition ${SNAPSHOT_DATE}=${snapshotDate}: ${e.message}`, { cause: e });
  });
  if (table.files({ [SNAPSHOT_DATE]: snapshotDate }).length === 0) {
    const dates = [...new Set(table.files().map((f) => f.partitionValues[SNAPSHOT_DATE]))].sort();
    throw new PipelineError(
      'SilverNoData',
      `${what} ${tablePath} has no partition ${SNAPSHOT_DATE}=${snapshotDate}` +
        (dates.length ? ` (its dates: ${dates.slice(-5).join(', ')}${dates.length > 5 ? ', ...' : ''})` : ' (it is empty)'),
    );
  }
  return table;
}

/** Every column but user_id and snapshot_date, in table order; each must be numeric, decimal or boolean. */
function featureColumns(silver: Snapshot): string[] {
  const fields = silver.schema.fields.filter((f) => f.name !== 'user_id' && f.name !== SNAPSHOT_DATE);
  for (const f of fields) {
    const type = typeof f.type === 'string' ? f.type : JSON.stringify(f.type);
    if (!isFeatureType(type)) {
      throw new PipelineError('SilverColumnType', `column "${f.name}" of Silver table ${silver.tablePath} has type ${type}; features must be numeric or boolean`);
    }
  }
  if (!fields.length) throw new PipelineError('SilverMissingColumn', `Silver table ${silver.tablePath} has no feature columns besides user_id and ${SNAPSHOT_DATE}`);
  return fields.map((f) => f.name);
}
