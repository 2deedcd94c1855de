/**
 * Duplicate user_id in the Silver data of a score date, found at planning, before any unit is scored: Gold holds
 * one prediction per user and date, and units are scored apart on different workers, so only the plan sees
 * every row at once. Why here and what it costs: docs/decisions/duplicate-users.md.
 *
 *   files of the date ─► DuckDB read_parquet(user_id) ─► minus rows their deletion vectors delete
 *                     ─► GROUP BY user_id HAVING count(*) > 1 ─► how many users, and a few with their files
 *
 * DuckDB runs with a memory limit and spills to a temp folder, so a table of any size checks in bounded memory.
 *
 * On S3, DuckDB cannot read the files by URL (its httpfs extension would be downloaded at run time, which offline
 * machines cannot do): each file's user_id column chunks are copied by ranged gets into a sparse local file, and
 * the same query runs over the copies, removed after the check. Memory stays bounded by DuckDB's limit, as for
 * local files; the copies on disk hold the date's user_id column.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AddFile, dataFilePath, DeletionVectorDescriptor, DeltaError, DuckDBConnection, DuckDBInstance, isUri, LocalDataFile, localDataFile, physicalField, readDeletionVector,
  StructType,
} from '../delta';
import { duplicateCheckMemoryFromEnv } from '../config';
import { BatchScoreError, messageOf } from '../errors';

/** DuckDB's memory for the check; beyond it, the GROUP BY spills to disk (measured in the decision doc). */
export const DUPLICATE_CHECK_MEMORY = duplicateCheckMemoryFromEnv();
export const DUPLICATE_EXAMPLES = 5;

export interface DuplicateUser {
  userId: bigint;
  rows: number;
  /** Data file paths as the Delta log names them. */
  files: string[];
}

export interface DuplicateUsers {
  /** Users with more than one live row. */
  count: number;
  /** The first few by user_id. */
  examples: DuplicateUser[];
}

export async function findDuplicateUsers(tablePath: string, schema: StructType, files: AddFile[]): Promise<DuplicateUsers> {
  const field = schema.fields.find((f) => f.name === 'user_id');
  // Without user_id there is nothing to check here: every unit refuses the table (SilverMissingColumn).
  if (files.length === 0 || !field) return { count: 0, examples: [] };
  const instance = await DuckDBInstance.create(':memory:', {
    // Few threads: each needs its share of the memory limit, and the gain flattens past a few cores.
    threads: String(Math.min(os.availableParallelism(), 4)),
    memory_limit: DUPLICATE_CHECK_MEMORY,
    temp_directory: path.join(os.tmpdir(), `batch-score-duckdb-${process.pid}`),
  });
  const con = await instance.connect();
  const copies: LocalDataFile[] = [];
  let paths: string[] = [];
  try {
    const column = physicalField(field).name;
    paths = isUri(tablePath) ? await copiedFiles(tablePath, column, files, copies) : files.map((f) => dataFilePath(tablePath, f.path));
    const { live, fileOf } = await liveUserIds(con, tablePath, sqlIdent(column), files, paths);
    await con.run(`CREATE TEMP TABLE dups AS SELECT user_id, count(*) AS n FROM (${live}) GROUP BY user_id HAVING count(*) > 1`);
    const count = Number((await con.runAndReadAll('SELECT count(*) FROM dups')).getRowsJS()[0][0]);
    if (count === 0) return { count, examples: [] };
    const rows = (
      await con.runAndReadAll(
        `SELECT l.user_id, e.n, list(DISTINCT l.filename ORDER BY l.filename) FROM (${live}) l ` +
          `JOIN (SELECT * FROM dups ORDER BY user_id LIMIT ${DUPLICATE_EXAMPLES}) e USING (user_id) ` +
          'GROUP BY l.user_id, e.n ORDER BY l.user_id',
      )
    ).getRowsJS();
    const examples = rows.map(([userId, n, names]) => ({
      userId: BigInt(userId as bigint | number),
      rows: Number(n),
      // In the order of the files' locations (a copy's path says nothing about it).
      files: (names as (string | number)[]).map(fileOf).sort((a, b) => compareStrings(dataFilePath(tablePath, a), dataFilePath(tablePath, b))),
    }));
    return { count, examples };
  } catch (err) {
    if (err instanceof BatchScoreError) throw err;
    // A copy's path in DuckDB's message is said as the file it copies.
    const said = paths.reduce((m, p, i) => m.split(p).join(dataFilePath(tablePath, files[i].path)), messageOf(err));
    const message = `Silver table ${tablePath}: cannot read user_id to check for duplicate users: ${said}`;
    // DuckDB says 'IO Error: …' for the file system (may pass on retry); anything else is the data.
    throw new DeltaError(/^IO Error/i.test(messageOf(err)) ? 'Io' : 'CorruptDataFile', message, { cause: err });
  } finally {
    con.closeSync();
    instance.closeSync();
    await Promise.all(copies.map((c) => c.remove()));
  }
}

/** A query of (user_id, filename) for the rows a reader sees, and the data file path of a filename it gives. */
interface UserIdSource {
  live: string;
  fileOf(name: string | number): string;
}

/**
 * The files at local paths (`paths[i]`: file i's own path, or its local copy), read by DuckDB: rows a file's
 * deletion vector deletes are left out, by position in the file, as readDataFile does.
 */
async function liveUserIds(con: DuckDBConnection, tablePath: string, column: string, files: AddFile[], paths: string[]): Promise<UserIdSource> {
  const byLocation = new Map(files.map((f, i) => [paths[i], f.path]));
  const list = (indexes: number[]) => `[${indexes.map((i) => sqlString(paths[i])).join(', ')}]`;
  const plain = files.flatMap((f, i) => (f.deletionVector ? [] : [i]));
  const withDv = files.flatMap((f, i) => (f.deletionVector ? [i] : []));
  const parts: string[] = [];
  if (plain.length) parts.push(`SELECT ${column} AS user_id, filename FROM read_parquet(${list(plain)}, filename = true)`);
  if (withDv.length) {
    await con.run('CREATE TEMP TABLE deleted (filename VARCHAR, pos BIGINT)');
    const appender = await con.createAppender('deleted');
    for (const i of withDv) {
      const f = files[i];
      const location = paths[i];
      for (const pos of await readDeletionVector(tablePath, f.path, f.deletionVector as DeletionVectorDescriptor)) {
        appender.appendVarchar(location);
        appender.appendBigInt(BigInt(pos));
        appender.endRow();
      }
    }
    appender.closeSync();
    parts.push(
      `SELECT r.${column} AS user_id, r.filename FROM read_parquet(${list(withDv)}, filename = true, file_row_number = true) r ` +
        'ANTI JOIN deleted d ON r.filename = d.filename AND r.file_row_number = d.pos',
    );
  }
  return { live: parts.join(' UNION ALL '), fileOf: (name) => byLocation.get(String(name)) ?? String(name) };
}

/** Files copied at once (each copy is one file's user_id column on local disk). */
const FILES_IN_FLIGHT = 4;

/**
 * Files on object storage: each file's user_id column chunks copied by ranged gets to a sparse local file
 * (localDataFile), four files at once, for DuckDB to read as it reads local files; the copies are added to
 * `copies` as they are made, for the caller to remove. Disk holds the date's user_id column (8 bytes a user).
 */
async function copiedFiles(tablePath: string, column: string, files: AddFile[], copies: LocalDataFile[]): Promise<string[]> {
  const paths: string[] = new Array(files.length);
  let next = 0;
  const copyFiles = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const copy = await localDataFile(tablePath, files[i], [column]);
      copies.push(copy);
      paths[i] = copy.path;
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, files.length) }, copyFiles));
  return paths;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The failure message: how many users, then a few of them with their row counts and files. */
export function describeDuplicates(found: DuplicateUsers): string {
  const shown = found.examples.map((e) => `user_id ${e.userId} (${e.rows} rows in ${e.files.join(', ')})`).join('; ');
  const more = found.count > found.examples.length ? `; and ${found.count - found.examples.length} more` : '';
  return `${found.count} user(s) have more than one row: ${shown}${more}`;
}
