/** Small Silver tables for planning tests: user_id and one feature, partitioned by snapshot_date or not. */
import { appendFiles, createTable, StructType, writeDataFile } from '../../delta';

export const FLAT: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: false, metadata: {} },
    { name: 'sessions_30d', type: 'double', nullable: true, metadata: {} },
  ],
};
export const PARTITIONED: StructType = { type: 'struct', fields: [...FLAT.fields, { name: 'snapshot_date', type: 'date', nullable: true, metadata: {} }] };

export function users(first: number, n: number) {
  return withIds(Array.from({ length: n }, (_, i) => first + i));
}

export function withIds(ids: number[]) {
  return { numRows: ids.length, columns: { user_id: BigInt64Array.from(ids, BigInt), sessions_30d: Float64Array.from(ids, (id) => id % 7) } };
}

/** A partitioned Silver table whose partition D holds one data file per batch. */
export async function silverOf(table: string, day: string, batches: ReturnType<typeof withIds>[]) {
  await createTable(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'] });
  const adds = [];
  for (const batch of batches) adds.push(await writeDataFile(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: day }, batch }));
  await appendFiles(table, adds);
  return adds.map((a) => a.path);
}

