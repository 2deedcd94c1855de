/**
 * The data-files room: a table's data files read a row group at a time (partition values and deletion
 * vectors applied) and staged for a commit with their stats; a snapshot scanned file by file.
 */
export * from './data-file';
export * from './scan';
export { computeStats } from './stats';
