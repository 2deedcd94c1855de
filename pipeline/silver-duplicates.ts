/**
 * Duplicate user_id in the Silver data of a score date, found at planning, before any unit is scored: Gold holds
 * one prediction per user and date, and units are scored apart on different workers, so only the plan sees
 * every row at once. Why here and what it costs: docs/decisions/duplicate-users.md. Skipped when the footers prove
 * that row groups hold disjoint user_id ranges: then each unit checks its own rows (duplicate-check.ts).
 *
 *   files of the date ─► DuckDB read_parquet(user_id) ─► minus rows their deletion vectors delete
 *                     ─► GROUP BY user_id HAVING count(*) > 1 ─► how many users, and a few with their files
 *
 * DuckDB runs with a memory limit and spills to a temp folder, so a table of any size checks in bounded memory; on
 * S3 the files' user_id column chunks are copied to local sparse files first (delta-duckdb.ts), removed after.
 */
import { AddFile, dataFilePath, DeltaError, StructType } from '../delta';
import { duplicateCheckMemoryFromEnv } from '../config';
import { BatchScoreError, messageOf } from '../errors';
import { deltaRelation, duckdbSession } from './delta-duckdb';

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
  // Without user_id there is nothing to check here: every unit refuses the table (SilverMissingColumn).
  if (files.length === 0 || !schema.fields.some((f) => f.name === 'user_id')) return { count: 0, examples: [] };
  const session = await duckdbSession(DUPLICATE_CHECK_MEMORY);
  const { con } = session;
  let paths: string[] = [];
  try {
    const rows = await deltaRelation(session, tablePath, schema, files, ['user_id'], { filename: true });
    paths = rows.paths;
    const live = rows.sql;
    await con.run(`CREATE TEMP TABLE dups AS SELECT user_id, count(*) AS n FROM (${live}) GROUP BY user_id HAVING count(*) > 1`);
    const count = Number((await con.runAndReadAll('SELECT count(*) FROM dups')).getRowsJS()[0][0]);
    if (count === 0) return { count, examples: [] };
    const found = (
      await con.runAndReadAll(
        `SELECT l.user_id, e.n, list(DISTINCT l.filename ORDER BY l.filename) FROM (${live}) l ` +
          `JOIN (SELECT * FROM dups ORDER BY user_id LIMIT ${DUPLICATE_EXAMPLES}) e USING (user_id) ` +
          'GROUP BY l.user_id, e.n ORDER BY l.user_id',
      )
    ).getRowsJS();
    const examples = found.map(([userId, n, names]) => ({
      userId: BigInt(userId as bigint | number),
      rows: Number(n),
      // In the order of the files' locations (a copy's path says nothing about it).
      files: (names as (string | number)[]).map(rows.fileOf).sort((a, b) => compareStrings(dataFilePath(tablePath, a), dataFilePath(tablePath, b))),
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
    await session.close();
  }
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The failure message: how many users, then a few of them with their row counts and files. */
export function describeDuplicates(found: DuplicateUsers): string {
  const shown = found.examples.map((e) => `user_id ${e.userId} (${e.rows} rows in ${e.files.join(', ')})`).join('; ');
  const more = found.count > found.examples.length ? `; and ${found.count - found.examples.length} more` : '';
  return `${found.count} user(s) have more than one row: ${shown}${more}`;
}
