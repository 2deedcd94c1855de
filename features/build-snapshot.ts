/**
 * One snapshot date of Silver from Bronze events: `user_features` and, when Bronze covers the whole label window,
 * `purchase_labels`, each written as partition snapshot_date = D replaced in one Delta commit, so a rerun of the
 * same date gives the same rows and a reader never sees half a date.
 *
 *   guard the Silver tables' schemas ─► Bronze files of the needed event dates (from the log) ─► DuckDB:
 *   per-user aggregates (point-in-time-sql.ts) ─► rows by user_id, files of ≤ fileRows users in row groups ─►
 *   replacePartition(features) ─► the same for labels, or why they are not written
 *
 * Memory: DuckDB's memory_limit (it spills to a temp folder beyond it) plus one file's columns in JavaScript
 * (≈ 100 bytes a user, 1M users a file by default), whatever the number of events. Why DuckDB:
 * docs/decisions/features-from-events.md.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AddFile, dateFromDays, daysFromDate, DuckDBConnection, DuckDBInstance, LocalDataFile, replacePartition, StructField, StructType, writeDataFile } from '../delta';
import { featuresMemoryFromEnv } from '../config';
import { BatchScoreError } from '../errors';
import { bronzeFiles, BronzeEvents, missingDays, openBronze } from './bronze-events';
import { DAY_US, eventsOf, FEATURE_ROWS_SQL, featuresSql, labelRowsSql, SnapshotSources } from './point-in-time-sql';
import { checkSilverTarget } from './silver-target';
import { PURCHASE_LABELS_SCHEMA, SNAPSHOT_DATE, USER_FEATURES_SCHEMA } from './silver-schemas';

export const FEATURE_WINDOW_DAYS = 30;
export const LABEL_WINDOW_DAYS = 7;

export interface SilverTables {
  bronzeEvents: string;
  silverFeatures: string;
  silverLabels: string;
}

export interface BuildOptions {
  /** Users per data file (default 1,000,000): bounds the JavaScript side's memory. */
  fileRows?: number;
  /** Users per Parquet row group (default: the writer's, 131,072). */
  rowGroupRows?: number;
  /** DuckDB's memory_limit (default BATCH_SCORE_FEATURES_MEMORY or 512MB). */
  memoryLimit?: string;
  /** Called when a stage of the date starts. */
  onStage?: (stage: string) => void;
}

export type LabelsOutcome =
  | { written: true; version: number; buyers: number }
  | { written: false; reason: string };

export interface SnapshotBuilt {
  date: string;
  users: number;
  /** Bronze events in [D-30d, D), from the files' stats (undefined when a file has none). */
  windowEvents?: number;
  featuresVersion: number;
  labels: LabelsOutcome;
}

/** Refuses Silver tables of another schema before anything is read or written (silver-target.ts). */
export async function checkSilverTargets(tables: SilverTables): Promise<void> {
  await checkSilverTarget(tables.silverFeatures, USER_FEATURES_SCHEMA, [SNAPSHOT_DATE]);
  await checkSilverTarget(tables.silverLabels, PURCHASE_LABELS_SCHEMA, [SNAPSHOT_DATE]);
}

export interface BronzeForOptions {
  /** Build dates whose 30 days miss event dates in Bronze (features from what Bronze holds, i.e. stale or short). */
  allowIncomplete?: boolean;
}

/**
 * Opens Bronze and refuses dates before its first event date (they would have no users) and, unless
 * allowIncomplete, dates whose 30 days [D-30d, D) miss an event date Bronze should hold (past its end, or a gap:
 * a day on or after its first event date with no file in the log), else their features are silently stale.
 */
export async function bronzeFor(tables: SilverTables, dates: string[], opts: BronzeForOptions = {}): Promise<BronzeEvents> {
  const bronze = await openBronze(tables.bronzeEvents);
  const early = dates.filter((d) => bronze.firstDay === undefined || daysFromDate(d) <= bronze.firstDay);
  if (early.length) {
    const held = bronze.firstDay === undefined ? 'no events' : `events from ${dateFromDays(bronze.firstDay)} to ${dateFromDays(bronze.lastDay!)}`;
    throw new BatchScoreError('BronzeNoEvents', `Bronze events table ${tables.bronzeEvents} has no events before ${early[0]} (it holds ${held}): no user would have features on that date`);
  }
  const late = opts.allowIncomplete ? undefined : dates.find((d) => bronze.lastDay! < daysFromDate(d) - 1);
  if (late) {
    const last = dateFromDays(bronze.lastDay!);
    const dayBefore = dateFromDays(daysFromDate(late) - 1);
    throw new BatchScoreError('BronzeIncomplete',
      `Bronze events table ${tables.bronzeEvents} ends at event date ${last}, before ${dayBefore}: the features of ${late} would miss the events ` +
        `from ${dateFromDays(bronze.lastDay! + 1)} to ${dayBefore} and look stale; ingest them first, or pass --allow-incomplete to build ${late} from what Bronze holds`);
  }
  for (const d of opts.allowIncomplete ? [] : dates) {
    const gap = missingDays(bronze, daysFromDate(d) - FEATURE_WINDOW_DAYS, daysFromDate(d));
    if (gap.length) {
      throw new BatchScoreError('BronzeIncomplete',
        `Bronze events table ${tables.bronzeEvents} has no events on ${gap.map(dateFromDays).join(', ')}, in the 30 days before ${d}: its features would ` +
          `miss them; ingest them first, or pass --allow-incomplete to build ${d} from what Bronze holds`);
    }
  }
  return bronze;
}

/**
 * Both guards before a build, every problem in one message: a Silver table of another schema and a missing or
 * short Bronze are both said, so one fix is not followed by another refusal. Returns Bronze when both pass.
 */
export async function checkBuildInputs(tables: SilverTables, dates: string[], opts: BronzeForOptions = {}): Promise<BronzeEvents> {
  const silver = await checkSilverTargets(tables).then(() => undefined, (err: unknown) => err);
  let bronze: BronzeEvents;
  try {
    bronze = await bronzeFor(tables, dates, opts);
  } catch (err) {
    if (silver instanceof BatchScoreError && err instanceof BatchScoreError) {
      throw new BatchScoreError(silver.code, `${silver.message}; also, ${err.message}`);
    }
    throw silver ?? err;
  }
  if (silver) throw silver;
  return bronze;
}

/** Why labels of date D cannot be written yet, or undefined when Bronze holds every event date of [D, D+7). */
function labelsUnavailable(bronze: BronzeEvents, date: string): string | undefined {
  const lastNeeded = daysFromDate(date) + LABEL_WINDOW_DAYS - 1;
  if (bronze.lastDay !== undefined && bronze.lastDay >= lastNeeded) {
    const gap = missingDays(bronze, daysFromDate(date), lastNeeded + 1);
    if (!gap.length) return undefined;
    return `the label window [${date}, ${dateFromDays(lastNeeded + 1)}) has no events on ${gap.map(dateFromDays).join(', ')}: ` +
      'run features for this date again once Bronze has them';
  }
  return `the label window [${date}, ${dateFromDays(lastNeeded + 1)}) needs events through ${dateFromDays(lastNeeded)}, ` +
    `and Bronze's last event date is ${dateFromDays(bronze.lastDay!)}: run features for this date again once Bronze covers it`;
}

export async function buildSnapshot(tables: SilverTables, bronze: BronzeEvents, date: string, opts: BuildOptions = {}): Promise<SnapshotBuilt> {
  const day = daysFromDate(date);
  const stage = opts.onStage ?? (() => undefined);
  const noLabels = labelsUnavailable(bronze, date);
  stage('choosing Bronze files from its log');
  const copies: LocalDataFile[] = [];
  const filesOf = async (from: number | undefined, to: number) => {
    const files = await bronzeFiles(bronze, from, to);
    copies.push(...files.map((f) => f.local));
    return files;
  };
  const tempDir = path.join(os.tmpdir(), `batch-score-features-${process.pid}-${date}`);
  const instance = await DuckDBInstance.create(':memory:', {
    // Few threads: each needs its share of the memory limit (as in pipeline/silver-duplicates.ts).
    threads: String(Math.min(os.availableParallelism(), 4)),
    memory_limit: opts.memoryLimit ?? featuresMemoryFromEnv(),
    temp_directory: tempDir,
    preserve_insertion_order: 'false',
  });
  const con = await instance.connect();
  try {
    const from30 = day - FEATURE_WINDOW_DAYS;
    const history = await filesOf(undefined, from30);
    const window = await filesOf(from30, day);
    const label = noLabels ? [] : await filesOf(day, day + LABEL_WINDOW_DAYS);
    const paths = (files: typeof history) => files.map((f) => f.local.path);
    const sources: SnapshotSources = {
      day,
      history: eventsOf(paths(history), bronze.physical, undefined, from30 * DAY_US),
      window: eventsOf(paths(window), bronze.physical, from30 * DAY_US, day * DAY_US),
      label: eventsOf(paths(label), bronze.physical, day * DAY_US, (day + LABEL_WINDOW_DAYS) * DAY_US),
    };
    const windowEvents = window.every((f) => f.rows !== undefined) ? window.reduce((n, f) => n + f.rows!, 0) : undefined;

    stage(`aggregating ${window.length + history.length} Bronze file(s) per user`);
    await con.run(featuresSql(sources));
    const partition = { [SNAPSHOT_DATE]: date };
    const commitInfo = { operation: 'BUILD FEATURES FROM EVENTS', snapshotDate: date, bronzeVersion: bronze.snapshot.version };

    const users = Number((await con.runAndReadAll('SELECT count(*) FROM features')).getRowsJS()[0][0]);
    stage(`writing user_features (${users.toLocaleString('en-US')} users)`);
    const featureFiles = await writeRows(con, FEATURE_ROWS_SQL, tables.silverFeatures, USER_FEATURES_SCHEMA, date, users, opts);
    const { version: featuresVersion } = await replacePartition(tables.silverFeatures, partition, featureFiles.files, {
      commitInfo, createWith: { schema: USER_FEATURES_SCHEMA, partitionColumns: [SNAPSHOT_DATE] },
    });
    let labels: LabelsOutcome = { written: false, reason: noLabels ?? '' };
    if (!noLabels) {
      stage('writing purchase_labels');
      const labelFiles = await writeRows(con, labelRowsSql(sources), tables.silverLabels, PURCHASE_LABELS_SCHEMA, date, users, opts);
      const { version } = await replacePartition(tables.silverLabels, partition, labelFiles.files, {
        commitInfo, createWith: { schema: PURCHASE_LABELS_SCHEMA, partitionColumns: [SNAPSHOT_DATE] },
      });
      labels = { written: true, version, buyers: labelFiles.trues };
    }
    return { date, users: featureFiles.rows, windowEvents, featuresVersion, labels };
  } finally {
    con.closeSync();
    instance.closeSync();
    await Promise.all(copies.map((c) => c.remove()));
    await fs.rm(tempDir, { recursive: true, force: true });
  }
}

/** A column being filled for one data file: typed where the type allows. */
type Column = BigInt64Array | Int32Array | Float64Array | boolean[];

function newColumn(f: StructField, n: number): Column {
  if (f.type === 'long') return new BigInt64Array(n);
  if (f.type === 'integer') return new Int32Array(n);
  if (f.type === 'double') return new Float64Array(n);
  if (f.type === 'boolean') return new Array<boolean>(n);
  throw new Error(`no column for ${f.name} of type ${String(f.type)}`);
}

/**
 * Streams the query's rows (the table's data columns, in order) into staged data files of ≤ fileRows rows each:
 * JavaScript holds one file's columns at a time. Returns the files, the rows, and how many boolean values were true.
 */
async function writeRows(con: DuckDBConnection, sql: string, tablePath: string, schema: StructType, date: string, users: number, opts: BuildOptions) {
  // Columns as long as a file, or as the users when they are fewer.
  const fileRows = Math.max(1, Math.min(opts.fileRows ?? 1_000_000, users));
  const fields = schema.fields.filter((f) => f.name !== SNAPSHOT_DATE);
  const files: AddFile[] = [];
  let rows = 0;
  let trues = 0;
  let columns = fields.map((f) => newColumn(f, fileRows));
  let n = 0;
  const flush = async () => {
    if (n === 0) return;
    const batch: Record<string, Column> = {};
    fields.forEach((f, j) => (batch[f.name] = n === fileRows ? columns[j] : (columns[j].slice(0, n) as Column)));
    files.push(await writeDataFile(tablePath, {
      schema, partitionColumns: [SNAPSHOT_DATE], partitionValues: { [SNAPSHOT_DATE]: date }, batch: { numRows: n, columns: batch }, rowGroupRows: opts.rowGroupRows,
    }));
    rows += n;
    n = 0;
    columns = fields.map((f) => newColumn(f, fileRows));
  };
  const result = await con.stream(sql);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const values = fields.map((_, j) => chunk!.getColumnValues(j));
    for (let i = 0; i < chunk.rowCount; i++) {
      for (let j = 0; j < fields.length; j++) {
        const v = values[j][i];
        if (v === null) throw new Error(`${tablePath}: ${fields[j].name} is null for a user (the feature SQL makes every column NOT NULL)`);
        (columns[j] as unknown as unknown[])[n] = fields[j].type === 'long' ? BigInt(v as bigint) : v;
        if (v === true) trues++;
      }
      if (++n === fileRows) await flush();
    }
  }
  await flush();
  return { files, rows, trues };
}
