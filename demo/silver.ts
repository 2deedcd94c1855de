/**
 * The demo's Silver layer: `user_features` (user_id + ten behaviour features, partition snapshot_date) and
 * `purchase_labels` (user_id, purchased_next_7d, partition snapshot_date), generated together, user by user, from
 * one seeded stream, so the same seed gives the same tables whatever the file size.
 *
 *   for each file of ≤ fileRows users: draw users → write a features file and a labels file (row groups of
 *   the Delta writer's row groups of 131,072) → after the last file, one replacePartition(snapshot_date = D) commit per table
 *
 * Memory is bounded by one file's columns (1M users ≈ 60 MB), not by the number of users.
 */
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';
import { PURCHASE_LABELS_SCHEMA } from '../features';
import { AddFile, replacePartition, StructType, writeDataFile } from '../delta';
import { drawUser, FEATURES } from './behaviour';
import { Random } from './random';

export { SNAPSHOT_DATE };

export const SILVER_FEATURES_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: false, metadata: {} },
    ...FEATURES.map((f) => ({ name: f.name, type: f.type, nullable: true, metadata: {} })),
    { name: SNAPSHOT_DATE, type: 'date', nullable: false, metadata: {} },
  ],
};

/** The labels table is the one `batch-score features` writes from events (features/silver-schemas.ts). */
export const SILVER_LABELS_SCHEMA: StructType = PURCHASE_LABELS_SCHEMA;

export interface GenerateSilverOptions {
  tablePath: string;
  labelsPath: string;
  users: number;
  seed: number;
  /** YYYY-MM-DD: the partition written (replaced if it exists). */
  snapshotDate: string;
  /** Users per data file (default 1,000,000). */
  fileRows?: number;
  /** Users per Parquet row group (default: the writer's, 131,072); tests make many tiny units with small ones. */
  rowGroupRows?: number;
}

export async function generateSilver(opts: GenerateSilverOptions): Promise<{ version: number; rows: number; files: number }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.snapshotDate)) throw new Error(`snapshot date ${opts.snapshotDate} is not YYYY-MM-DD`);
  if (!Number.isInteger(opts.users) || opts.users < 1) throw new Error(`users must be a positive integer, got ${opts.users}`);
  const fileRows = opts.fileRows ?? 1_000_000;
  const rng = new Random(opts.seed);
  const partition = { [SNAPSHOT_DATE]: opts.snapshotDate };
  const write = (tablePath: string, schema: StructType, numRows: number, columns: Record<string, ArrayLike<unknown>>) =>
    writeDataFile(tablePath, {
      schema,
      partitionColumns: [SNAPSHOT_DATE],
      partitionValues: partition,
      batch: { numRows, columns },
      rowGroupRows: opts.rowGroupRows,
    });
  const featureFiles: AddFile[] = [];
  const labelFiles: AddFile[] = [];
  const row = new Float64Array(FEATURES.length);
  for (let first = 0; first < opts.users; first += fileRows) {
    const n = Math.min(fileRows, opts.users - first);
    const userIds = new BigInt64Array(n);
    const labels = new Array<boolean>(n);
    const columns = FEATURES.map((f) => (f.type === 'double' ? new Float64Array(n) : new Int32Array(n)));
    for (let i = 0; i < n; i++) {
      userIds[i] = BigInt(first + i + 1);
      labels[i] = drawUser(rng, row);
      for (let j = 0; j < columns.length; j++) columns[j][i] = row[j];
    }
    const featureColumns: Record<string, ArrayLike<unknown>> = { user_id: userIds };
    FEATURES.forEach((f, j) => (featureColumns[f.name] = columns[j]));
    featureFiles.push(await write(opts.tablePath, SILVER_FEATURES_SCHEMA, n, featureColumns));
    labelFiles.push(await write(opts.labelsPath, SILVER_LABELS_SCHEMA, n, { user_id: userIds, purchased_next_7d: labels }));
  }
  const commitInfo = { operation: 'GENERATE DEMO SILVER', users: opts.users, seed: opts.seed };
  await replacePartition(opts.labelsPath, partition, labelFiles, {
    commitInfo,
    createWith: { schema: SILVER_LABELS_SCHEMA, partitionColumns: [SNAPSHOT_DATE] },
  });
  const { version } = await replacePartition(opts.tablePath, partition, featureFiles, {
    commitInfo,
    createWith: { schema: SILVER_FEATURES_SCHEMA, partitionColumns: [SNAPSHOT_DATE] },
  });
  return { version, rows: opts.users, files: featureFiles.length };
}
