/**
 * The general Parquet writer (hyparquet-writer): any Delta schema, nested types included, snappy-compressed.
 * Which writer runs for a data file is router.ts's decision; checkpoints always use this one.
 */
import { DeltaError, ioError } from '../errors';
import { StructType } from '../schema';
import { columnToParquet } from './conversion';
import { fileWriter, parquetWrite } from './hyparquet-writer-adapter';
import type { SchemaElement } from './hyparquet-adapter';
import { schemaElements } from './parquet-schema';

export interface WriteParquetOptions {
  /** Rows per row group (default 131072). */
  rowGroupRows?: number;
}

/** Writes `columns` (Delta values, one entry per field of `schema`) as a snappy Parquet file at `filePath`. */
export async function writeParquetFile(filePath: string, schema: StructType, numRows: number, columns: Record<string, ArrayLike<unknown>>, opts: WriteParquetOptions = {}): Promise<void> {
  const elements: SchemaElement[] = [{ name: 'spark_schema', num_children: schema.fields.length }, ...schema.fields.flatMap((f) => schemaElements(f.name, f.type, f.nullable))];
  const columnData = schema.fields.map((f) => {
    const data = columns[f.name];
    if (data === undefined) throw new DeltaError('SchemaMismatch', `batch has no column ${f.name}`);
    if (data.length !== numRows) throw new DeltaError('SchemaMismatch', `column ${f.name} has ${data.length} values, batch numRows is ${numRows}`);
    return { name: f.name, data: columnToParquet(data, f) as any, nullable: f.nullable };
  });
  try {
    const writer = fileWriter(filePath);
    await parquetWrite({
      writer,
      columnData,
      schema: elements,
      codec: 'SNAPPY',
      rowGroupSize: opts.rowGroupRows ?? 131072,
      createdBy: 'batch-score (hyparquet-writer)',
      statisticsTruncateLength: 32,
    });
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw ioError('cannot write Parquet file', filePath, err);
  }
}
