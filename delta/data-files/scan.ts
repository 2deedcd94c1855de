/**
 * Table scan: every live file of a snapshot (optionally one partition), one batch per row group.
 */
import { PartitionValues, Snapshot } from '../log';
import { ColumnBatch, readDataFile } from './data-file';

export async function* scanTable(snapshot: Snapshot, opts: { columns?: string[]; partition?: PartitionValues } = {}): AsyncGenerator<ColumnBatch> {
  for (const file of snapshot.files(opts.partition)) {
    yield* readDataFile(snapshot.tablePath, file, { schema: snapshot.schema, columns: opts.columns });
  }
}
