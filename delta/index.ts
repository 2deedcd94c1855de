/**
 * The Delta Lake layer, and its only entrance for the rest of the project: a reader (log replay, checkpoints,
 * time travel, row-group streaming) and an ACID writer (put-if-absent commits, optimistic concurrency, txn
 * idempotence, checkpoints) for tables on a storage behind one interface (storage/ObjectStore: local folders
 * and s3://bucket/path locations). Rooms (docs/delta-layer.md), each entered only by its index.ts:
 *
 *   storage/ → schema/ → parquet/ → log/ → data-files/ → transaction/ → maintenance/
 *                                                               (each imports only rooms before it)
 *
 * Value representation in batches: see schema/values.ts.
 */
export * from './errors';
// Locations: a local path or s3://bucket/path, joined and compared in one place (storage/locations.ts).
export { ByteRange, ObjectInfo, ObjectStore, PutFileOptions, isUri, joinLocation, keyUnder, localRoot, objectAt, splitLocation, storeFor } from './storage';
// Values computed from a local file, kept while its identity and times hold (model digests, Parquet footers).
export { FileIdentityCache } from './storage';
export * from './schema';
export * from './log';
export * from './data-files';
export * from './transaction';
export * from './maintenance';
export { ConstantColumn, IntegerRange, WriteColumn } from './parquet';
// Parquet paths on their own, for benchmarks comparing them (bench/).
export { openParquet, readRowGroup, readRowGroupDuckdb, writeParquetFile, writeParquetFileDuckdb, ParquetFile } from './parquet';
// The SQL engine over Parquet files, for the duplicate-user check (pipeline/silver-duplicates.ts).
export { DuckDBConnection, DuckDBInstance } from './parquet';
