/**
 * Table scan: every live file of a snapshot (optionally one partition), one batch per row group.
 */
import { PartitionValues } from '../log';
import { ColumnBatch, readDataFile } from './data-file';
import { Snapshot } from '../log';

export async function* scanTable(snapshot: Snapshot, opts: { columns?: string[]; partition?: PartitionValues } = {}): AsyncGenerator<ColumnBatch> {
  for (const file of snapshot.files(opts.partition)) {
    yield* readDataFile(snapshot.tablePath, file, { schema: snapshot.schema, columns: opts.columns });
  }
}
