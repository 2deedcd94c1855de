/** The maintenance room: a table's history (commit infos, newest first) and vacuum of unreferenced files. */
export * from './history';
export * from './vacuum';
