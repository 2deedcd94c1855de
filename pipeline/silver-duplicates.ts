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
 * machines cannot do): each file's user_id column chunks are copied by ranged gets into a sparse local file that
 * DuckDB reads into a table of (user_id, file index), deletion vectors applied; the same GROUP BY runs on that
 * table. Memory stays bounded by DuckDB's limit; disk by a few files' user_id columns.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AddFile, dataFilePath, DeletionVectorDescriptor, DeltaError, DuckDBConnection, DuckDBInstance, isUri, physicalField, readDeletionVector, withLocalDataFile,
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
  try {
    const { live, fileOf } = isUri(tablePath)
      ? await copiedUserIds(con, tablePath, physicalField(field).name, files)
      : await liveUserIds(con, tablePath, sqlIdent(physicalField(field).name), files);
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
      files: (names as (string | number)[]).map(fileOf),
    }));
    return { count, examples };
  } catch (err) {
    if (err instanceof BatchScoreError) throw err;
    const message = `Silver table ${tablePath}: cannot read user_id to check for duplicate users: ${messageOf(err)}`;
    // DuckDB says 'IO Error: …' for the file system (may pass on retry); anything else is the data.
    throw new DeltaError(/^IO Error/i.test(messageOf(err)) ? 'Io' : 'CorruptDataFile', message, { cause: err });
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** A query of (user_id, filename) for the rows a reader sees, and the data file path of a filename it gives. */
interface UserIdSource {
  live: string;
  fileOf(name: string | number): string;
}

/**
 * Local files, read by DuckDB: rows a file's deletion vector deletes are left out, by position in the file, as
 * readDataFile does.
 */
async function liveUserIds(con: DuckDBConnection, tablePath: string, column: string, files: AddFile[]): Promise<UserIdSource> {
  const byLocation = new Map(files.map((f) => [dataFilePath(tablePath, f.path), f.path]));
  const list = (fs: AddFile[]) => `[${fs.map((f) => sqlString(dataFilePath(tablePath, f.path))).join(', ')}]`;
  const plain = files.filter((f) => !f.deletionVector);
  const withDv = files.filter((f) => f.deletionVector);
  const parts: string[] = [];
  if (plain.length) parts.push(`SELECT ${column} AS user_id, filename FROM read_parquet(${list(plain)}, filename = true)`);
  if (withDv.length) {
    await con.run('CREATE TEMP TABLE deleted (filename VARCHAR, pos BIGINT)');
    const appender = await con.createAppender('deleted');
    for (const f of withDv) {
      const location = dataFilePath(tablePath, f.path);
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

/** Files copied in parallel (each copy is one file's user_id column on local disk). */
const FILES_IN_FLIGHT = 4;

/**
 * Files on object storage: each file's user_id column chunks are copied by ranged gets to a sparse local file
 * (withLocalDataFile), which DuckDB reads into a table of (user_id, file index), rows a deletion vector deletes
 * left out as for local files; the copy is removed once inserted. DuckDB spills the table past its memory
 * limit, as it does its own reads; the disk used by copies is at most FILES_IN_FLIGHT files' user_id columns.
 */
async function copiedUserIds(con: DuckDBConnection, tablePath: string, column: string, given: AddFile[]): Promise<UserIdSource> {
  // Indexes in the order of the files' locations, so examples list their files as the local check does.
  const located = given.map((f) => ({ f, at: dataFilePath(tablePath, f.path) }));
  const files = located.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map(({ f }) => f);
  await con.run('CREATE TEMP TABLE user_ids (user_id BIGINT, filename INTEGER)');
  if (files.some((f) => f.deletionVector)) {
    await con.run('CREATE TEMP TABLE deleted (filename INTEGER, pos BIGINT)');
    const appender = await con.createAppender('deleted');
    for (const [i, f] of files.entries()) {
      if (!f.deletionVector) continue;
      for (const pos of await readDeletionVector(tablePath, f.path, f.deletionVector as DeletionVectorDescriptor)) {
        appender.appendInteger(i);
        appender.appendBigInt(BigInt(pos));
        appender.endRow();
      }
    }
    appender.closeSync();
  }
  // Copies are fetched in parallel; their inserts take turns on the one connection (DuckDB parallelises each).
  let turn: Promise<unknown> = Promise.resolve();
  const insert = (sql: string) => {
    const run = turn.then(() => con.run(sql));
    turn = run.catch(() => undefined);
    return run;
  };
  let next = 0;
  const copyFiles = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const f = files[i];
      await withLocalDataFile(tablePath, f, [column], (local) => insert(
        f.deletionVector
          ? `INSERT INTO user_ids SELECT r.${sqlIdent(column)}, ${i} FROM read_parquet(${sqlString(local)}, file_row_number = true) r ` +
            `ANTI JOIN (SELECT pos FROM deleted WHERE filename = ${i}) d ON r.file_row_number = d.pos`
          : `INSERT INTO user_ids SELECT ${sqlIdent(column)}, ${i} FROM read_parquet(${sqlString(local)})`,
      ));
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, files.length) }, copyFiles));
  return { live: 'SELECT user_id, filename FROM user_ids', fileOf: (name) => files[Number(name)].path };
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The failure message: how many users, then a few of them with their row counts and files. */
export function describeDuplicates(found: DuplicateUsers): string {
  const shown = found.examples.map((e) => `user_id ${e.userId} (${e.rows} rows in ${e.files.join(', ')})`).join('; ');
  const more = found.count > found.examples.length ? `; and ${found.count - found.examples.length} more` : '';
  return `${found.count} user(s) have more than one row: ${shown}${more}`;
}
