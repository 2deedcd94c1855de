/**
 * The Delta Lake layer: a reader (log replay, checkpoints, time travel, row-group streaming) and an ACID
 * writer (put-if-absent commits, optimistic concurrency, txn idempotence, checkpoints) for local tables.
 * Value representation in batches: see values.ts.
 */
export * from './errors';
export * from './actions';
export * from './schema';
export * from './values';
export * from './log-store';
export * from './protocol';
export * from './snapshot';
export * from './checkpoint';
export * from './data-file';
export { ConstantColumn, WriteColumn } from './constant-column';
export * from './scan';
export * from './conflicts';
export * from './commit';
export * from './write';
export { partitionFolder, toAddPath, dataFilePath, HIVE_DEFAULT_PARTITION } from './paths';
export { computeStats } from './stats';
export { ENGINE_INFO } from './engine';
export * from './history';
export * from './vacuum';
export { readDeletionVector, DeletionVectorDescriptor } from './deletion-vectors';
