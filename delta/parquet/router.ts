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
 *          names, NANOS timestamps), and files      where exactness matters more than speed
 *          whose bytes are already in memory
 *   read   the same flat schemas on an object   → DuckDB on a sparse local copy (local-copy.ts): the footer and
 *          store (S3)                              the unit's column chunks fetched by ranged gets, 4 in flight,
 *                                                into a local file at their offsets, removed after the read;
 *                                                reading a unit of 250,000 users from a local MinIO took
 *                                                0.15–0.2 s instead of 0.23–0.3 s through hyparquet's ranged
 *                                                gets (loaded 2 cores; docs/benchmarks.md, "Object storage
 *                                                (issue 10)")
 *   write  all typed arrays or constants         → plain writer (plain-writer.ts, uncompressed): a scoring
 *          (a scoring unit's output)               unit's Gold file in 0.08–0.10 s instead of 0.48–0.59 s per
 *                                                million users through DuckDB
 *          other flat primitive columns          → DuckDB (duckdb-writer.ts): 4–5× faster than hyparquet-writer
 *          anything else, and no columns at all  → hyparquet-writer (writer.ts); SQL cannot select no columns
 *
 * Checkpoints are not data files: log/checkpoint.ts reads them with the leaf reader and writes them with
 * writer.ts directly.
 */
import { DeltaError } from '../errors';
import { StructField, StructType } from '../schema';
import { WriteColumn, rowValues } from './constant-column';
import { readRowGroupsDuckdb } from './duckdb-reader';
import { localCopy } from './local-copy';
import { duckdbInexactReason, duckdbSupports } from './duckdb-sql';
import { writeParquetFileDuckdb } from './duckdb-writer';
import { ParquetFile } from './file';
import { plainWritable, writeParquetFilePlain } from './plain-writer';
import { readRowGroup } from './row-group-reader';
import { writeParquetFile } from './writer';

/**
 * Reads row groups `groups` of a data file one after another, the given top-level (physical) fields as Delta
 * values, one record of columns per row group. Flat schemas read through DuckDB (a file on an object store
 * through a local copy of the ranges read), except widened columns (`delta.typeChanges`): their stored values
 * need the file's declared types (decimal scale, DATE), which the hyparquet reader applies (conversion.ts
 * `widen`). Files DuckDB would read inexactly, and files already read into memory, read through hyparquet.
 */
export function readRowGroups(pf: ParquetFile, groups: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  if (!readsWithDuckdb(pf, fields)) return readEach(pf, groups, fields);
  return pf.local ? readRowGroupsDuckdb(pf, groups, fields) : readFromLocalCopy(pf, groups, fields);
}

/** The read decision of the table above: true for the DuckDB reader (by path, or on a local copy), false for hyparquet. */
export function readsWithDuckdb(pf: ParquetFile, fields: StructField[]): boolean {
  return (pf.local || pf.remote) && duckdbSupports(fields) && !fields.some((f) => f.metadata?.['delta.typeChanges'] !== undefined) && duckdbInexactReason(pf, fields) === undefined;
}

/** DuckDB on a local copy of the ranges it reads; messages name the object, not the copy; the copy is removed. */
async function* readFromLocalCopy(pf: ParquetFile, groups: number[], fields: StructField[]): AsyncGenerator<Record<string, ArrayLike<unknown>>> {
  for (const g of groups) {
    if (!(g >= 0 && g < pf.rowGroupRows.length)) {
      throw new DeltaError('InvalidArgument', `${pf.filePath}: no row group ${g} (file has ${pf.rowGroupRows.length})`);
    }
  }
  const copy = await localCopy(pf, groups, fields.map((f) => f.name));
  try {
    yield* readRowGroupsDuckdb(copy.pf, groups, fields);
  } catch (err) {
    if (!(err instanceof DeltaError)) throw err;
    throw new DeltaError(err.code, err.message.split(copy.pf.filePath).join(pf.filePath), { cause: err });
  } finally {
    await copy.remove();
  }
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
