/** Reading a Delta table's rows in tests, as plain objects: one row per object, columns by name. */
import { openTable, scanTable } from '../../delta';

export async function partitionRows(
  table: string, partition: Record<string, string>, opts: { version?: number; columns?: string[] } = {},
): Promise<Record<string, unknown>[]> {
  const snapshot = await openTable(table, opts.version === undefined ? {} : { version: opts.version });
  const rows: Record<string, unknown>[] = [];
  for await (const batch of scanTable(snapshot, { partition, columns: opts.columns })) {
    const cols = Object.entries(batch.columns) as [string, ArrayLike<unknown>][];
    for (let i = 0; i < batch.numRows; i++) rows.push(Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
  }
  return rows;
}
