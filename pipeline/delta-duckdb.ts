/**
 * A Delta snapshot's data files as a DuckDB relation, for the pipeline's questions about a whole date that one
 * row group at a time cannot answer (duplicate users, the run report's deciles, label join and drift). DuckDB
 * runs with a memory limit and spills to a temp folder, so a table of any size is read in bounded memory.
 *
 * The rows a reader sees: rows a file's deletion vector deletes are left out (by position in the file, as
 * readDataFile does), and columns are read by their physical names (column mapping) and named by their logical
 * ones. On S3, DuckDB cannot read the files by URL (its httpfs extension would be downloaded at run time, which
 * offline machines cannot do): each file's asked column chunks are copied by ranged gets into a sparse local
 * file (localDataFile), read like a local file and removed by `close()`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AddFile, DeletionVectorDescriptor, DeltaError, DuckDBConnection, DuckDBInstance, LocalDataFile, localDataFile, physicalField, readDeletionVector,
  StructType,
} from '../delta';

/** A DuckDB connection with a memory limit, and the local copies its relations read (removed by close). */
export interface DuckdbSession {
  con: DuckDBConnection;
  close(): Promise<void>;
}

export async function duckdbSession(memoryLimit: string): Promise<DuckdbSession & { copies: LocalDataFile[] }> {
  const instance = await DuckDBInstance.create(':memory:', {
    // Few threads: each needs its share of the memory limit, and the gain flattens past a few cores.
    threads: String(Math.min(os.availableParallelism(), 4)),
    memory_limit: memoryLimit,
    temp_directory: path.join(os.tmpdir(), `batch-score-duckdb-${process.pid}`),
  });
  const con = await instance.connect();
  const copies: LocalDataFile[] = [];
  return {
    con, copies,
    close: async () => {
      con.closeSync();
      instance.closeSync();
      await Promise.all(copies.map((c) => c.remove()));
    },
  };
}

/** The SQL of a table's live rows, and the data file path (as the Delta log names it) of a `filename` it gives. */
export interface DeltaRelation {
  sql: string;
  fileOf(name: string | number): string;
  /** The local path DuckDB reads for each file (the file itself, or its copy). */
  paths: string[];
}

/** Files copied at once (each copy is one file's asked columns on local disk). */
const FILES_IN_FLIGHT = 4;
let relations = 0;

/**
 * `SELECT <columns named logically> [, filename] FROM <files>` over the rows a reader sees. Columns are non-partition
 * columns of `schema`; `filename` adds the column DuckDB names the file with (fileOf maps it back).
 */
export async function deltaRelation(
  session: DuckdbSession & { copies: LocalDataFile[] }, tablePath: string, schema: StructType, files: AddFile[], columns: string[], opts: { filename?: boolean } = {},
): Promise<DeltaRelation> {
  const fields = columns.map((name) => {
    const field = schema.fields.find((f) => f.name === name);
    if (!field) throw new DeltaError('InvalidArgument', `${tablePath} has no column ${name}`);
    return physicalField(field);
  });
  const select = (q: string) => fields.map((f, i) => `${q}${sqlIdent(f.name)} AS ${sqlIdent(columns[i])}`).concat(opts.filename ? [`${q}filename`] : []).join(', ');
  const paths = await localPaths(tablePath, files, fields.map((f) => f.name), session.copies);
  const byLocation = new Map(files.map((f, i) => [paths[i], f.path]));
  const list = (indexes: number[]) => `[${indexes.map((i) => sqlString(paths[i])).join(', ')}]`;
  const plain = files.flatMap((f, i) => (f.deletionVector ? [] : [i]));
  const withDv = files.flatMap((f, i) => (f.deletionVector ? [i] : []));
  const parts: string[] = [];
  if (plain.length) parts.push(`SELECT ${select('')} FROM read_parquet(${list(plain)}, filename = true)`);
  if (withDv.length) {
    const deleted = `deleted_${++relations}`;
    await session.con.run(`CREATE TEMP TABLE ${deleted} (filename VARCHAR, pos BIGINT)`);
    const appender = await session.con.createAppender(deleted);
    for (const i of withDv) {
      for (const pos of await readDeletionVector(tablePath, files[i].path, files[i].deletionVector as DeletionVectorDescriptor)) {
        appender.appendVarchar(paths[i]);
        appender.appendBigInt(BigInt(pos));
        appender.endRow();
      }
    }
    appender.closeSync();
    parts.push(
      `SELECT ${select('r.')} FROM read_parquet(${list(withDv)}, filename = true, file_row_number = true) r ` +
        `ANTI JOIN ${deleted} d ON r.filename = d.filename AND r.file_row_number = d.pos`,
    );
  }
  // No files: an empty relation of the right column names.
  if (parts.length === 0) parts.push(`SELECT ${columns.map((c) => `NULL AS ${sqlIdent(c)}`).concat(opts.filename ? ['NULL AS filename'] : []).join(', ')} WHERE false`);
  return { sql: parts.join(' UNION ALL '), fileOf: (name) => byLocation.get(String(name)) ?? String(name), paths };
}

/** Each file's local path: itself on a file system; on S3 a sparse copy of the asked columns, four at once. */
async function localPaths(tablePath: string, files: AddFile[], physicalColumns: string[], copies: LocalDataFile[]): Promise<string[]> {
  const paths: string[] = new Array(files.length);
  let next = 0;
  const copyFiles = async () => {
    for (let i = next++; i < files.length; i = next++) {
      const copy = await localDataFile(tablePath, files[i], physicalColumns);
      copies.push(copy);
      paths[i] = copy.path;
    }
  };
  await Promise.all(Array.from({ length: Math.min(FILES_IN_FLIGHT, files.length) }, copyFiles));
  return paths;
}

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
export const sqlIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
