/**
 * Staged Gold files between scoring and publishing. Before the commit, each unit's file is checked ON STORAGE
 * (it exists, has the size staged, and its Parquet footer counts the rows the unit scored), so a file lost,
 * truncated or replaced after scoring is never published. After the commit, or when the run fails, the run's
 * files that were not published (failed attempts, a failed run) are removed: only the run's own files, and
 * never one a Gold snapshot references. Every look at the files goes through the table's store, so the same
 * checks hold on a local folder and on S3.
 */
import {
  AddFile, dataFilePath, dataFileRowGroups, DeltaError, ObjectInfo, objectAt, openTable, partitionFolder, storeFor, tableExists, toAddPath,
} from '../delta';
import { SCORE_DATE } from './gold-schemas';
import { PipelineError } from './pipeline-error';

export interface StagedUnit {
  unitIndex: number;
  add: AddFile;
  /** Rows the unit scored (what its file must hold). */
  rows: number;
}

/** A scored unit as scoring returns it and the commit takes it: its staged file, its rows, the users skipped. */
export interface UnitResult extends StagedUnit {
  /** Users the null policy skipped (not in the file). */
  skipped: number;
}

/** Staged files checked or removed at once: each check is a HEAD and a footer read, on S3 a round trip each. */
const CHECKS_IN_FLIGHT = 8;

/**
 * Refuses a unit listed twice, or a staged file that is missing or does not hold what its unit scored. Files are
 * checked several at once; of several bad files, the first unit's is reported.
 */
export async function checkStagedFiles(goldTable: string, runId: string, units: StagedUnit[]): Promise<void> {
  const seen = new Set<number>();
  for (const u of units) {
    if (seen.has(u.unitIndex)) throw new PipelineError('DuplicateUnit', `unit ${u.unitIndex} appears twice in run ${runId}`);
    seen.add(u.unitIndex);
  }
  const failures: unknown[] = new Array(units.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < units.length; i = next++) await checkStagedFile(goldTable, units[i]).catch((err: unknown) => { failures[i] = err ?? new Error('check failed'); });
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, units.length) }, lane));
  const failed = failures.find((f) => f !== undefined);
  if (failed !== undefined) throw failed;
}

async function checkStagedFile(goldTable: string, u: StagedUnit): Promise<void> {
  const file = `staged file ${u.add.path} of unit ${u.unitIndex}`;
  const size = (await dataFileInfo(goldTable, u.add.path))?.size;
  if (size === undefined) throw new PipelineError('StagedFileInvalid', `${file} is missing from ${goldTable}`);
  if (size !== u.add.size) throw new PipelineError('StagedFileInvalid', `${file} has ${size} bytes on storage, ${u.add.size} were staged`);
  const rows = await footerRows(goldTable, u.add, file);
  if (rows !== u.rows) throw new PipelineError('StagedFileInvalid', `${file} holds ${rows} rows (Parquet footer), the unit scored ${u.rows}`);
}

/** The size and time of a data file the log names (relative to the table or not), or undefined when it is gone. */
export async function dataFileInfo(table: string, addPath: string): Promise<ObjectInfo | undefined> {
  const { store, key } = objectAt(dataFilePath(table, addPath));
  return store.head(key);
}

async function footerRows(goldTable: string, add: AddFile, file: string): Promise<number> {
  try {
    return (await dataFileRowGroups(goldTable, add)).reduce((n, g) => n + g, 0);
  } catch (err) {
    if (err instanceof DeltaError && err.code === 'CorruptDataFile') throw new PipelineError('StagedFileInvalid', `${file}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * A file this run staged (or was writing: the writer's hidden temp files), by the run id in its name: predictions
 * `part-NNNNN-<run>-attempt-A.c000.parquet`, top buyers `part-00000-<run>.c000.parquet`.
 */
export function stagedByRun(fileName: string, runId: string): boolean {
  return (
    (fileName.startsWith('part-') || fileName.startsWith('.part-')) &&
    (fileName.includes(`-${runId}-attempt-`) || fileName.includes(`-${runId}.c000.`))
  );
}

/**
 * Removes the files run `runId` staged in partition score_date=D of a Gold table that the table's latest
 * snapshot does not reference; returns their paths. Safe after a commit (the published files are referenced)
 * and after a failure (nothing of the run is).
 */
export async function removeUnpublishedStaged(table: string, scoreDate: string, runId: string): Promise<string[]> {
  const folder = `${partitionFolder([SCORE_DATE], { [SCORE_DATE]: scoreDate })}/`;
  const store = storeFor(table);
  // The partition folder's own files (a missing folder lists nothing); the key relative to the table is add.path's source.
  const ours = (await store.listKeys(folder)).filter((k) => !k.slice(folder.length).includes('/') && stagedByRun(k.slice(folder.length), runId));
  if (ours.length === 0) return [];
  const published = (await tableExists(table)) ? new Set((await openTable(table)).files().map((f) => f.path)) : new Set<string>();
  const removed = ours.filter((k) => !published.has(toAddPath(k)));
  // Several deletes at once: on S3 each is a round trip (a run of 20 units leaves up to 20 candidate files).
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < removed.length; i = next++) await store.delete(removed[i]);
  };
  await Promise.all(Array.from({ length: Math.min(CHECKS_IN_FLIGHT, removed.length) }, lane));
  return removed.map(toAddPath);
}
