/**
 * The log room: the Delta transaction log and what it describes. Actions and their JSON lines, the log store
 * (listing, put-if-absent commit files), replay of commits and checkpoints into a snapshot (time travel
 * included), checkpoints (read and write), protocol and feature gating, deletion vectors, column mapping, and
 * data file paths as the log names them.
 */
export * from './actions';
export * from './log-store';
export * from './protocol';
export * from './snapshot';
export * from './checkpoint';
export { partitionFolder, toAddPath, dataFilePath, tableKey, HIVE_DEFAULT_PARTITION } from './paths';
export { readDeletionVector, deletionVectorFile, DeletionVectorDescriptor } from './deletion-vectors';
export { hasPartitionValue, logicalColumn, partitionValueOf, physicalField } from './column-mapping';
