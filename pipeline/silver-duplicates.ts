/**
 * Duplicate user_id in the Silver data of a score date, found at planning, before any unit is scored: Gold holds
 * one prediction per user and date, and units are scored apart on different workers, so only the plan sees
 * every row at once. Why here and what it costs: docs/decisions/duplicate-users.md.
 *
 *   files of the date ─► DuckDB read_parquet(user_id) ─► minus rows their deletion vectors delete
 *                     ─► GROUP BY user_id HAVING count(*) > 1 ─► how many users, and a few with their files
 *
 * DuckDB runs with a memory limit and spills to a temp folder, so a table of any size checks in bounded memory.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { AddFile, dataFilePath, DeletionVectorDescriptor, DeltaError, DuckDBConnection, DuckDBInstance, physicalField, readDeletionVector, StructType } from '../delta';
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
  const column = sqlIdent(physicalField(field).name);
  const byLocation = new Map(files.map((f) => [dataFilePath(tablePath, f.path), f.path]));
  const instance = await DuckDBInstance.create(':memory:', {
    // Few threads: each needs its share of the memory limit, and the gain flattens past a few cores.
    threads: String(Math.min(os.availableParallelism(), 4)),
    memory_limit: DUPLICATE_CHECK_MEMORY,
    temp_directory: path.join(os.tmpdir(), `batch-score-duckdb-${process.pid}`),
  });
  const con = await instance.connect();
  try {
    const live = await liveUserIds(con, tablePath, column, files);
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
      files: (names as string[]).map((name) => byLocation.get(name) ?? name),
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

/**
 * A query of (user_id, filename) for the rows a reader sees: rows a file's deletion vector deletes are left
 * out, by position in the file, as readDataFile does.
 */
async function liveUserIds(con: DuckDBConnection, tablePath: string, column: string, files: AddFile[]): Promise<string> {
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
  return parts.join(' UNION ALL ');
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The failure message: how many users, then a few of them with their row counts and files. */
export function describeDuplicates(found: DuplicateUsers): string {
  const shown = found.examples.map((e) => `user_id ${e.userId} (${e.rows} rows in ${e.files.join(', ')})`).join('; ');
  const more = found.count > found.examples.length ? `; and ${found.count - found.examples.length} more` : '';
  return `${found.count} user(s) have more than one row: ${shown}${more}`;
}
