/**
 * The Bronze events table as `batch-score features` reads it: the columns it needs (checked against the table's
 * schema before any file is read), and the data files of a range of event dates, chosen from the Delta snapshot's
 * partition values (the log decides which files count, never a directory listing), at local paths DuckDB reads.
 */
import {
  AddFile, dataFilePath, DeltaError, fieldOf, LocalDataFile, localDataFile, openTable, partitionValueOf, physicalField, Snapshot, statsNumRecords,
  StructField, tableExists, typeName, daysFromDate,
} from '../delta';
import { BatchScoreError } from '../errors';
import { EVENT_DATE } from '../events';

export { EVENT_DATE };

/** The Bronze columns the features are computed from, with the types the Bronze contract gives them. */
export const BRONZE_COLUMNS_READ = {
  event_time: 'timestamp',
  event_type: 'string',
  product_id: 'long',
  price: 'double',
  user_id: 'long',
  user_session: 'string',
} as const;

export type BronzeColumn = keyof typeof BRONZE_COLUMNS_READ;

export interface BronzeEvents {
  snapshot: Snapshot;
  /** The physical (in-file) name of each column read. */
  physical: Record<BronzeColumn, string>;
  /** Days since the epoch of the first and last event_date holding a live file (undefined: no files). */
  firstDay?: number;
  lastDay?: number;
  /** Every event_date holding a live file, from the log's partition values (no data read). */
  days: Set<number>;
}

/** Opens Bronze at its latest version and checks it has what the features need. */
export async function openBronze(tablePath: string): Promise<BronzeEvents> {
  if (!(await tableExists(tablePath))) {
    throw new BatchScoreError('BronzeNoEvents', `no Bronze events table at ${tablePath}: ingest events first (batch-score ingest FILE...)`);
  }
  const snapshot = await openTable(tablePath);
  const problems: string[] = [];
  const field = (name: string, type: string): StructField | undefined => {
    const f = snapshot.schema.fields.find((x) => x.name === name);
    if (!f) problems.push(`${name} is missing`);
    else if (typeName(f.type) !== type) problems.push(`${name} is ${typeName(f.type)}, not ${type}`);
    return f;
  };
  const physical = {} as Record<BronzeColumn, string>;
  for (const [name, type] of Object.entries(BRONZE_COLUMNS_READ)) {
    const f = field(name, type);
    if (f) physical[name as BronzeColumn] = physicalField(f).name;
  }
  field(EVENT_DATE, 'date');
  if (!snapshot.partitionColumns.includes(EVENT_DATE)) problems.push(`it is not partitioned by ${EVENT_DATE} (partitions: ${snapshot.partitionColumns.join(', ') || 'none'})`);
  if (problems.length) {
    throw new DeltaError('SchemaMismatch', `Bronze events table ${tablePath} is not the Bronze batch-score ingest writes: ${problems.join('; ')}`);
  }
  let firstDay: number | undefined;
  let lastDay: number | undefined;
  const days = new Set<number>();
  for (const f of snapshot.files()) {
    const day = dayOf(snapshot, f);
    days.add(day);
    if (firstDay === undefined || day < firstDay) firstDay = day;
    if (lastDay === undefined || day > lastDay) lastDay = day;
  }
  return { snapshot, physical, firstDay, lastDay, days };
}

/**
 * The event dates in [fromDay, toDay) on or after Bronze's first event date that hold no live file: days never
 * ingested. A day only partly ingested has a file and cannot be told from the log.
 */
export function missingDays(bronze: BronzeEvents, fromDay: number, toDay: number): number[] {
  const out: number[] = [];
  for (let d = Math.max(fromDay, bronze.firstDay ?? toDay); d < toDay; d++) if (!bronze.days.has(d)) out.push(d);
  return out;
}

/** The event_date of a file, from the log's partition values. */
function dayOf(snapshot: Snapshot, f: AddFile): number {
  const value = partitionValueOf(f.partitionValues, fieldOf(snapshot.schema, EVENT_DATE, snapshot.tablePath));
  if (value === null || value === undefined) {
    throw new DeltaError('CorruptLog', `Bronze events table ${snapshot.tablePath}: file ${f.path} has no ${EVENT_DATE}`);
  }
  return daysFromDate(value, EVENT_DATE);
}

/** A Bronze data file at a local path, and its rows from the log's stats (undefined without stats). */
export interface BronzeFile {
  local: LocalDataFile;
  rows?: number;
}

/**
 * The files of event dates in [fromDay, toDay) (days since the epoch; fromDay undefined: from the first), at
 * local paths; the caller removes them (copies, for a table on object storage). A file with a deletion vector is
 * refused: reading it whole would count deleted events.
 */
export async function bronzeFiles(bronze: BronzeEvents, fromDay: number | undefined, toDay: number): Promise<BronzeFile[]> {
  const { snapshot } = bronze;
  const files = snapshot.files().filter((f) => {
    const day = dayOf(snapshot, f);
    return (fromDay === undefined || day >= fromDay) && day < toDay;
  });
  const withDv = files.find((f) => f.deletionVector);
  if (withDv) {
    throw new DeltaError('UnsupportedReaderFeature', `Bronze events table ${snapshot.tablePath}: file ${dataFilePath(snapshot.tablePath, withDv.path)} has a deletion vector, which batch-score features does not apply yet: rewrite the table without deletion vectors (OPTIMIZE / REORG ... APPLY (PURGE))`);
  }
  const columns = Object.values(bronze.physical);
  const out: BronzeFile[] = [];
  try {
    for (const f of files) out.push({ local: await localDataFile(snapshot.tablePath, f, columns), rows: statsNumRecords(f) });
  } catch (err) {
    await Promise.all(out.map((c) => c.local.remove()));
    throw err;
  }
  return out;
}

