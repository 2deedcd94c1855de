/** Reading a Delta table's rows in tests: as plain objects (one per row, columns by name), or which runs wrote them. */
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

/** The run_id values of a Gold table's partition: which runs' predictions it holds. */
export async function runIds(table: string, partition: Record<string, string>): Promise<Set<unknown>> {
  const ids = new Set<unknown>();
  for await (const b of scanTable(await openTable(table), { columns: ['run_id'], partition })) {
    for (let i = 0; i < b.numRows; i++) ids.add((b.columns.run_id as ArrayLike<unknown>)[i]);
  }
  return ids;
}
