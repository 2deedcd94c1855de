/**
 * The Parquet router: the one place that decides which reader or writer handles a data file, with the measured
 * reason for each choice (docs/parquet-choice.md, docs/decisions/gold-parquet-writer.md, docs/benchmarks.md).
 *
 *   read   flat primitive fields, none widened  → DuckDB (duckdb-reader.ts): a row group 3–4× faster than
 *                                                hyparquet; consecutive row groups (a scoring unit) in one query,
 *                                                ~0.17 s instead of ~0.23 s per million users
 *          anything else (nested, timestamp_ntz,  → hyparquet (row-group-reader.ts): the only reader of nested
 *          wide decimals, widened columns), any     types; widened columns need the file's declared types;
 *          file DuckDB would read inexactly         DuckDB reads by path (its httpfs extension is not bundled
 *          (duckdb-sql.ts duckdbInexactReason:      and cannot be installed offline), hyparquet by ranged gets;
 *          glob characters, case-only duplicate     and the inexact cases are rare files from other writers,
 *          names, NANOS timestamps), and any file   where exactness matters more than speed
 *          not on the local file system
 *   write  all typed arrays or constants         → plain writer (plain-writer.ts, uncompressed): a scoring
 *          (a scoring unit's output)               unit's Gold file in 0.08–0.10 s instead of 0.48–0.59 s per
 *                                                million users through DuckDB
 *          other flat primitive columns          → DuckDB (duckdb-writer.ts): 4–5× faster than hyparquet-writer
 *          anything else, and no columns at all  → hyparquet-writer (writer.ts); SQL cannot select no columns
 *
 * Checkpoints are not data files: log/checkpoint.ts reads them with the leaf reader and writes them with
 * writer.ts directly.
 */
import { StructField, StructType } from '../schema';
import { WriteColumn, rowValues } from './constant-column';
import { readRowGroupsDuckdb } from './duckdb-reader';
import { duckdbInexactReason, duckdbSupports } from './duckdb-sql';
import { writeParquetFileDuckdb } from './duckdb-writer';
import { ParquetFile } from './file';
import { plainWritable, writeParquetFilePlain } from './plain-writer';
import { readRowGroup } from './row-group-reader';
import { writeParquetFile } from './writer';

/**
 * Reads row groups `groups` of a data file one after another, the given top-level (physical) fields as Delta
 * values, one record of columns per row group. Flat schemas read through DuckDB, except widened columns
 * (`delta.typeChanges`): their stored values need the file's declared types (decimal scale, DATE), which the
 * hyparquet reader applies (conversion.ts `widen`). Files DuckDB would read inexactly, and files not on the local
 * file system, read through hyparquet.
 */
export function readRowGroups(pf: ParquetFile, groups: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  return readsWithDuckdb(pf, fields) ? readRowGroupsDuckdb(pf, groups, fields) : readEach(pf, groups, fields);
}

/** The read decision of the table above: true for the DuckDB reader, false for hyparquet. */
export function readsWithDuckdb(pf: ParquetFile, fields: StructField[]): boolean {
  return pf.local && duckdbSupports(fields) && !fields.some((f) => f.metadata?.['delta.typeChanges'] !== undefined) && duckdbInexactReason(pf, fields) === undefined;
}

async function* readEach(pf: ParquetFile, groups: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  for (const g of groups) yield await readRowGroup(pf, g, fields);
}

/** The writer chosen for a batch of columns (see the table above). */
export interface ParquetWriterChoice {
  /** File name suffix before `.parquet`: `.snappy` when the writer compresses. */
  suffix: '' | '.snappy';
  write(filePath: string, schema: StructType, numRows: number, columns: Record<string, WriteColumn>, opts: { rowGroupRows?: number }): Promise<void>;
}

const PLAIN: ParquetWriterChoice = { suffix: '', write: writeParquetFilePlain };
const DUCKDB: ParquetWriterChoice = { suffix: '.snappy', write: (file, schema, n, columns, opts) => writeParquetFileDuckdb(file, schema, n, rowsOf(columns), opts) };
const HYPARQUET: ParquetWriterChoice = { suffix: '.snappy', write: (file, schema, n, columns, opts) => writeParquetFile(file, schema, n, rowsOf(columns), opts) };

/** Picks the writer for a data file of these fields and columns. */
export function parquetWriterFor(fields: StructField[], columns: Record<string, WriteColumn>): ParquetWriterChoice {
  if (plainWritable(fields, columns)) return PLAIN;
  return fields.length > 0 && duckdbSupports(fields) ? DUCKDB : HYPARQUET;
}

function rowsOf(columns: Record<string, WriteColumn>): Record<string, ArrayLike<unknown>> {
  return Object.fromEntries(Object.entries(columns).map(([name, c]) => [name, rowValues(c)]));
}
