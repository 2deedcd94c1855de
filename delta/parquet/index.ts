/**
 * The Parquet room: everything that reads or writes Parquet bytes. The only entrance to it; the libraries
 * (hyparquet, hyparquet-writer, DuckDB) are reached only through their adapters inside it.
 *
 *   file.ts               open a file: footer, row-group sizes, top-level columns, bytes on demand
 *   router.ts             which reader or writer runs for a data file, and why (measured)
 *   row-group-reader.ts   hyparquet row-group reader with footer pruning
 *   duckdb-reader.ts      DuckDB row-group reader (flat primitive columns)
 *   local-copy.ts         a sparse local copy of an object's ranges to read, for DuckDB (files on S3)
 *   leaf-reader.ts        checkpoint leaf reader (leaves with their levels, no nested assembly)
 *   text-pages.ts         PLAIN UTF-8 pages straight to strings (for the leaf reader)
 *   snappy.ts             snappy decompression handed to hyparquet
 *   conversion.ts         Parquet physical values ⇄ Delta values, type widening
 *   parquet-schema.ts     Delta schema → Parquet schema elements
 *   writer.ts             hyparquet-writer writer (any schema; checkpoints)
 *   duckdb-writer.ts      DuckDB writer (flat primitive columns)
 *   plain-writer.ts       typed arrays and constants written as they are (a scoring unit's output)
 *   duckdb-sql.ts         DuckDB types and SQL spelling shared by the DuckDB reader and writer
 *   constant-column.ts    a column of one value; typed-range.ts: min and max of a typed column
 *   column-ranges.ts      the [min, max] a footer states for an integer column, per row group
 *   *-adapter.ts          the one module per library that imports it
 */
export { ParquetFile, openParquet, openParquetBytes, openParquetObject } from './file';
export { LocalCopy, localCopy } from './local-copy';
export { parquetWriterFor, readRowGroups, readsWithDuckdb, ParquetWriterChoice } from './router';
export { readLeafRows, readListRows, readMapRows } from './leaf-reader';
export { ReadOptions, readRowGroup } from './row-group-reader';
export { WriteParquetOptions, writeParquetFile } from './writer';
export { ConstantColumn, WriteColumn, rowValues } from './constant-column';
export { NumericArray, typedRange } from './typed-range';
export { IntegerRange, integerColumnRanges } from './column-ranges';
// The DuckDB path on its own, for benchmarks comparing the paths.
export { readRowGroupDuckdb } from './duckdb-reader';
export { writeParquetFileDuckdb } from './duckdb-writer';
// A SQL engine over Parquet files, for table-wide queries (pipeline/silver-duplicates.ts).
export { DuckDBConnection, DuckDBInstance } from './duckdb-adapter';
