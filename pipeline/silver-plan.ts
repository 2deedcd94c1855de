/**
 * Plan a scoring run over the Silver table: pin the snapshot, pick the data of the score date and cut it into
 * units of about `unitRows` rows. A unit is a list of (data file, row groups): whole row groups, so reading a
 * unit reads each row group once, and memory stays bounded by one row group.
 *
 *   Silver snapshot (pinned version) ─► files of snapshot_date = D ─► row counts and user_id ranges from
 *                                      Parquet footers ─► units
 *                                      ─► checks: no live rows (SilverEmptySnapshot, unless allowed),
 *                                         a user_id on more than one row (SilverDuplicateUser): here, unless the
 *                                         footers prove disjoint row groups, then by each unit (duplicate-check.ts)
 *
 * A table partitioned by `snapshot_date` contributes partition D; any other table is read as it was at the end
 * of day D (Delta time travel by timestamp), unless a version is pinned explicitly.
 */
import { AddFile, dataFileRowGroupRanges, dataFileRowGroups, IntegerRange, openTable, Snapshot, StructField, StructType } from '../delta';
import type { ScoringUnit, UnitSegment } from '../scoring';
import { PipelineError } from './pipeline-error';
import { DuplicateCheck, duplicateCheckFor } from './duplicate-check';
import { describeDuplicates, findDuplicateUsers } from './silver-duplicates';

export const SNAPSHOT_DATE = 'snapshot_date';

export interface SilverPlan {
  silverTable: string;
  silverVersion: number;
  /** The pinned snapshot's schema: every unit reads with it. */
  silverSchema: StructType;
  scoreDate: string;
  /** Live rows (deletion vectors applied); a unit's `rows` counts the rows its row groups hold. */
  totalRows: number;
  units: ScoringUnit[];
  /** Where duplicate user_ids are looked for: 'plan' (done, none found) or 'units' (each unit checks its rows). */
  duplicateCheck: DuplicateCheck;
}

export interface PlanRequest {
  silverTable: string;
  scoreDate: string;
  unitRows: number;
  /** Pin this Silver version instead of the latest (partitioned) or end-of-day (unpartitioned) one. */
  silverVersion?: number;
  /** Publish an empty partition when the date's data holds no rows, instead of failing (SilverEmptySnapshot). */
  allowEmptySnapshot?: boolean;
}

/**
 * Units a single run may have: 50 billion users at the default 500,000 a unit. Units live in the run's manifest
 * and are scored in shards (workflows/score-shard.ts), so the bound is the manifest's size (~300 bytes a unit,
 * read once by every worker process), not workflow history.
 */
export const MAX_UNITS = 100_000;

export async function planUnits(req: PlanRequest): Promise<SilverPlan> {
  if (!(req.unitRows >= 1)) throw new PipelineError('InvalidInput', `unitRows must be a positive number, got ${req.unitRows}`);
  const snapshot = await silverSnapshot(req);
  const files = snapshotFiles(snapshot, req.scoreDate);
  if (files.length === 0) {
    throw new PipelineError(
      'SilverNoData',
      `Silver table ${req.silverTable} (version ${snapshot.version}) has no data for ${SNAPSHOT_DATE}=${req.scoreDate}` +
        availableDates(snapshot),
    );
  }
  // Sorted by path so that the same snapshot always yields the same units (retries and replays agree).
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const units: ScoringUnit[] = [];
  let current: ScoringUnit = { index: 0, rows: 0, segments: [] };
  let totalRows = 0;
  const userId = userIdField(snapshot.schema);
  const userRanges: (IntegerRange | undefined)[] = [];
  for (const add of files) {
    const footer = userId ? await dataFileRowGroupRanges(snapshot.tablePath, add, userId) : { rows: await dataFileRowGroups(snapshot.tablePath, add), ranges: [] };
    const groups = footer.rows;
    const { stats: _stats, tags: _tags, ...file } = add;
    // Rows a deletion vector removes are in the footer's counts but are never read.
    totalRows -= (add.deletionVector as { cardinality?: number } | undefined)?.cardinality ?? 0;
    let segment: UnitSegment | undefined;
    for (let g = 0; g < groups.length; g++) {
      if (groups[g] === 0) continue;
      userRanges.push(footer.ranges[g]);
      if (current.rows >= req.unitRows) {
        units.push(current);
        current = { index: units.length, rows: 0, segments: [] };
        segment = undefined;
      }
      if (!segment) {
        segment = { file, rowGroups: [], rows: 0 };
        current.segments.push(segment);
      }
      segment.rowGroups.push(g);
      segment.rows += groups[g];
      current.rows += groups[g];
      totalRows += groups[g];
    }
  }
  if (current.rows > 0) units.push(current);
  const where = silverWhere(req.silverTable, snapshot.version, snapshot.partitionColumns.includes(SNAPSHOT_DATE), req.scoreDate);
  if (totalRows === 0 && !req.allowEmptySnapshot) {
    throw new PipelineError(
      'SilverEmptySnapshot',
      `${where}: ${files.length} data file(s) but no rows (written empty, or every row deleted); ` +
        'scoring it would replace the Gold partition of that date with zero rows',
    );
  }
  if (units.length > MAX_UNITS) {
    throw new PipelineError(
      'InvalidInput',
      `${totalRows} rows at unitRows=${req.unitRows} make ${units.length} units; at most ${MAX_UNITS} fit one run: raise unitRows`,
    );
  }
  // Last, as the one check that reads every row's user_id (the others need only the log and the footers); not
  // needed when the footers prove that a duplicate can only sit inside one row group, which its unit checks.
  const duplicateCheck = userId ? duplicateCheckFor(userRanges) : 'plan';
  if (duplicateCheck === 'plan') {
    const duplicates = await findDuplicateUsers(snapshot.tablePath, snapshot.schema, files);
    if (duplicates.count > 0) throw new PipelineError('SilverDuplicateUser', `${where}: ${describeDuplicates(duplicates)}`);
  }
  return {
    silverTable: snapshot.tablePath, silverVersion: snapshot.version, silverSchema: snapshot.schema, scoreDate: req.scoreDate, totalRows, units, duplicateCheck,
  };
}

/** How messages name the Silver data of a run: `Silver table T (version V), snapshot_date=D` (or `as of D`). */
export function silverWhere(table: string, version: number, partitionedByDate: boolean, scoreDate: string): string {
  return `Silver table ${table} (version ${version}), ${partitionedByDate ? `${SNAPSHOT_DATE}=${scoreDate}` : `as of ${scoreDate}`}`;
}

/** The user_id field when it is an integer column (footer ranges apply); any other type fails in the units. */
function userIdField(schema: StructType): StructField | undefined {
  return schema.fields.find((f) => f.name === 'user_id' && (f.type === 'long' || f.type === 'integer'));
}

async function silverSnapshot(req: PlanRequest): Promise<Snapshot> {
  if (req.silverVersion !== undefined) return openTable(req.silverTable, { version: req.silverVersion });
  const latest = await openTable(req.silverTable);
  if (latest.partitionColumns.includes(SNAPSHOT_DATE)) return latest;
  // Not partitioned by date: the table as it was at the end of the score date.
  const endOfDay = Date.parse(`${req.scoreDate}T00:00:00Z`) + 86_400_000 - 1;
  return openTable(req.silverTable, { timestamp: endOfDay });
}

function snapshotFiles(snapshot: Snapshot, scoreDate: string): AddFile[] {
  return snapshot.partitionColumns.includes(SNAPSHOT_DATE) ? snapshot.files({ [SNAPSHOT_DATE]: scoreDate }) : snapshot.files();
}

function availableDates(snapshot: Snapshot): string {
  if (!snapshot.partitionColumns.includes(SNAPSHOT_DATE)) return '';
  const dates = [...new Set(snapshot.files().map((f) => f.partitionValues[SNAPSHOT_DATE]))].sort();
  const shown = dates.slice(-5).join(', ');
  return dates.length === 0 ? ' (the table is empty)' : `; it has ${dates.length} snapshot date(s), latest: ${shown}`;
}
