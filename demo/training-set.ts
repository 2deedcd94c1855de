/**
 * The rows `train` learns from: partition snapshot_date = D of Silver `user_features` joined on user_id with the
 * same partition of `purchase_labels`. The feature columns are Silver's own: every column but user_id and
 * snapshot_date, in table order, so the demo's ten-feature Silver and the events-derived Silver both train.
 * Reads the first `maxRows` users (bounded memory whatever the table size).
 */
import { openTable, scanTable, Snapshot } from '../delta';
import { BatchScoreError } from '../errors';
import { PipelineError } from '../pipeline/pipeline-error';
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';
import { isFeatureType } from '../scoring';

export const LABEL_COLUMN = 'purchased_next_7d';

export interface TrainingSet {
  features: string[];
  userIds: BigInt64Array;
  /** rows × features, row-major, raw Silver values. */
  x: Float64Array;
  /** 1 = purchased in the 7 days from D. */
  y: Uint8Array;
}

export async function readTrainingSet(opts: { silverPath: string; labelsPath: string; snapshotDate: string; maxRows: number }): Promise<TrainingSet> {
  const partition = { [SNAPSHOT_DATE]: opts.snapshotDate };
  const silver = await datePartition(opts.silverPath, 'Silver table', opts.snapshotDate);
  const features = featureColumns(silver);
  const width = features.length;

  const x = new Float64Array(opts.maxRows * width);
  const ids = new BigInt64Array(opts.maxRows);
  const rowOf = new Map<bigint, number>();
  let n = 0;
  for await (const batch of scanTable(silver, { columns: ['user_id', ...features], partition })) {
    const take = Math.min(batch.numRows, opts.maxRows - n);
    for (let j = 0; j < width; j++) {
      const col = batch.columns[features[j]];
      for (let i = 0; i < take; i++) {
        const v = col[i];
        if (v === null || v === undefined) {
          throw new PipelineError(
            'FeatureNotFinite',
            `Silver table ${opts.silverPath} ${SNAPSHOT_DATE}=${opts.snapshotDate}: column "${features[j]}" is null for user ${batch.columns['user_id'][i]}; training needs every feature value`,
          );
        }
        x[(n + i) * width + j] = Number(v);
      }
    }
    for (let i = 0; i < take; i++) {
      const id = BigInt(batch.columns['user_id'][i] as bigint);
      ids[n] = id;
      rowOf.set(id, n++);
    }
    if (n >= opts.maxRows) break;
  }
  if (n === 0) throw new PipelineError('SilverEmptySnapshot', `Silver table ${opts.silverPath} ${SNAPSHOT_DATE}=${opts.snapshotDate} has no rows to train on`);

  const labelsTable = await datePartition(opts.labelsPath, 'labels table', opts.snapshotDate);
  const label = new Int8Array(n).fill(-1);
  let found = 0;
  for await (const batch of scanTable(labelsTable, { columns: ['user_id', LABEL_COLUMN], partition })) {
    const labelIds = batch.columns['user_id'];
    const bought = batch.columns[LABEL_COLUMN];
    for (let i = 0; i < batch.numRows; i++) {
      const r = rowOf.get(BigInt(labelIds[i] as bigint));
      if (r === undefined || label[r] !== -1) continue;
      label[r] = bought[i] ? 1 : 0;
      found++;
    }
    if (found === n) break;
  }
  if (found !== n) {
    const missing = label.indexOf(-1);
    throw new PipelineError(
      'SilverNoData',
      `labels table ${opts.labelsPath} ${SNAPSHOT_DATE}=${opts.snapshotDate} has no ${LABEL_COLUMN} for ${n - found} of the ${n} users read from Silver (e.g. user ${ids[missing]})`,
    );
  }
  return { features, userIds: ids.subarray(0, n), x: x.subarray(0, n * width), y: Uint8Array.from(label) };
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
