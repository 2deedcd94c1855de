/**
 * The report of one score date, for the marketing team: how scores are spread (probability bands), how many
 * users are predicted buyers, the decile table (with actual buyers, lift and cumulative gain where the date has
 * labels), drift against the previous score date (PSI of scores and features), and the lineage (run, model,
 * Silver version) from the Gold commit.
 *
 * Every number comes from DuckDB over the date's data files as the Delta snapshot lists them (delta-duckdb.ts),
 * under one memory limit: memory is bounded by that limit, not by the number of users
 * (docs/decisions/run-report.md). Tables may be folders or s3:// locations.
 */
import { AddFile, DeltaError, openTable, Snapshot, tableHistory } from '../delta';
import { reportMemoryFromEnv } from '../config';
import { SCORE_DATE, scoreDates } from './gold-schemas';
import { PipelineError } from './pipeline-error';
import { DeltaRelation, deltaRelation, duckdbSession } from './delta-duckdb';
import { Decile, decilesOf } from './report-deciles';
import { Psi, PSI_BINS, PSI_DRIFT, PSI_WATCH, psiOf } from './report-drift';

export const BANDS = 50;
/** DuckDB's memory for the report's sorts and joins (BATCH_SCORE_REPORT_MEMORY); beyond it they spill to a temp folder. */
export const REPORT_MEMORY = reportMemoryFromEnv();
/** Partition column of the Silver features and labels tables. */
const SNAPSHOT_DATE = 'snapshot_date';
const LABEL = 'purchased_next_7d';
const NUMERIC = /^(byte|short|integer|long|float|double|decimal.*|boolean)$/;

export interface ProbabilityBand {
  from: number;
  to: number;
  users: number;
  predictedBuyers: number;
}

export interface Lineage {
  runId: string;
  workflowId?: string;
  model?: { uri?: string; name?: string; version?: string; sha256?: string };
  silver?: { table?: string; version?: number };
  /** The model's ordered input columns, as the run's Gold commit recorded them (runs since the report has drift). */
  features?: string[];
  goldVersion?: number;
  committedAt?: string;
}

/** Labels of the date, or why there are none. */
export interface LabelsSection {
  table: string;
  available: boolean;
  reason?: string;
  labelled?: number;
  buyers?: number;
  rate?: number | null;
  unlabelled?: number;
}

/** Drift against the previous score date, or why there is none. */
export interface DriftSection {
  available: boolean;
  reason?: string;
  previousDate?: string;
  bins: string;
  thresholds: { watch: number; drift: number };
  scores?: Psi;
  /** Silver table the feature values come from, where the columns compared come from, or why they could not be. */
  silverTable: string;
  featuresFrom?: 'model' | 'silver';
  features: Psi[];
  featuresReason?: string;
}

export interface ScoreReport {
  scoreDate: string;
  goldTable: string;
  goldVersion: number;
  users: number;
  predictedBuyers: number;
  meanProbability: number;
  /** BANDS equal-width probability bins over [0, 1]. */
  bands: ProbabilityBand[];
  deciles: Decile[];
  labels: LabelsSection;
  drift: DriftSection;
  lineage: Lineage[];
}

export interface ReportSources {
  /** Labels table (partition snapshot_date = the score date, column purchased_next_7d). */
  labelsTable: string;
  /** Silver features table, for feature drift. */
  silverTable: string;
  memoryLimit?: string;
}

const rowsOf = async (s: { con: { runAndReadAll(sql: string): Promise<{ getRowsJS(): unknown[][] }> } }, sql: string) => (await s.con.runAndReadAll(sql)).getRowsJS();

/** The report of `scoreDate`, or of the latest date Gold holds when none is given. */
export async function scoreReport(goldTable: string, scoreDate: string | undefined, sources: ReportSources): Promise<ScoreReport> {
  const snapshot = await openTable(goldTable);
  const dates = scoreDates(snapshot);
  const day = scoreDate ?? dates[dates.length - 1];
  const files = day === undefined ? [] : snapshot.files({ [SCORE_DATE]: day });
  if (files.length === 0) {
    const held = dates.length === 0 ? 'it holds no predictions yet' : `its dates: ${dates.slice(-5).join(', ')}`;
    throw new PipelineError('NoGoldData', `Gold table ${goldTable} (version ${snapshot.version}) has no predictions for ${SCORE_DATE}=${day ?? '(any date)'}; ${held}`);
  }
  return reportOf(goldTable, snapshot, day!, files, sources);
}

async function reportOf(goldTable: string, snapshot: Snapshot, scoreDate: string, files: AddFile[], sources: ReportSources): Promise<ScoreReport> {
  const session = await duckdbSession(sources.memoryLimit ?? REPORT_MEMORY);
  try {
    const goldColumns = ['user_id', 'purchase_probability', 'predicted_buyer', 'run_id'];
    const gold = await deltaRelation(session, goldTable, snapshot.schema, files, goldColumns);
    const [[users, buyers, mean, runIds]] = await rowsOf(session,
      `SELECT count(*), count(*) FILTER (WHERE predicted_buyer), fsum(purchase_probability) / count(purchase_probability), list(DISTINCT run_id ORDER BY run_id) FROM (${gold.sql})`);
    if (Number(users) === 0) throw new PipelineError('NoGoldData', `Gold table ${goldTable} (version ${snapshot.version}) has no predictions for ${SCORE_DATE}=${scoreDate}`);
    const bands: ProbabilityBand[] = Array.from({ length: BANDS }, (_, i) => ({ from: i / BANDS, to: (i + 1) / BANDS, users: 0, predictedBuyers: 0 }));
    for (const [b, n, predicted] of await rowsOf(session,
      `SELECT least(greatest(floor(purchase_probability * ${BANDS}), 0), ${BANDS - 1})::INTEGER AS b, count(*), count(*) FILTER (WHERE predicted_buyer) ` +
        `FROM (${gold.sql}) WHERE purchase_probability IS NOT NULL GROUP BY b`)) {
      Object.assign(bands[Number(b)], { users: Number(n), predictedBuyers: Number(predicted) });
    }

    const lineage = await lineageOf(goldTable, runIds as string[]);
    const labels = await partitionOf(sources.labelsTable, SNAPSHOT_DATE, scoreDate, [LABEL]);
    const labelRows = labels.files ? await deltaRelation(session, sources.labelsTable, labels.snapshot!.schema, labels.files, ['user_id', LABEL]) : undefined;
    const { deciles, labels: totals } = await decilesOf(session.con, gold.sql, labelRows?.sql);
    const labelsSection: LabelsSection = totals ? { table: sources.labelsTable, available: true, ...totals } : { table: sources.labelsTable, available: false, reason: labels.reason };

    return {
      scoreDate, goldTable, goldVersion: snapshot.version, users: Number(users), predictedBuyers: Number(buyers), meanProbability: Number(mean), bands,
      deciles, labels: labelsSection,
      drift: await driftOf(session, snapshot, gold, scoreDate, sources.silverTable, modelFeatures(lineage)),
      lineage,
    };
  } finally {
    await session.close();
  }
}

/** The files of one partition of a table, or why there are none (no table, no such partition, a missing column). */
async function partitionOf(table: string, column: string, value: string, needs: string[]): Promise<{ snapshot?: Snapshot; files?: AddFile[]; reason?: string }> {
  let snapshot: Snapshot;
  try {
    snapshot = await openTable(table);
  } catch (err) {
    if (err instanceof DeltaError && err.code === 'TableNotFound') return { reason: err.message };
    throw err;
  }
  const missing = needs.filter((n) => !snapshot.schema.fields.some((f) => f.name === n));
  if (missing.length) return { snapshot, reason: `${table} (version ${snapshot.version}) has no column ${missing.join(', ')}` };
  const files = snapshot.files({ [column]: value });
  if (files.length === 0) return { snapshot, reason: `${table} (version ${snapshot.version}) has no data for ${column}=${value}` };
  return { snapshot, files };
}

/** Drift against the latest score date before this one in Gold: PSI of the scores, and of each Silver feature. */
async function driftOf(
  session: Parameters<typeof deltaRelation>[0], gold: Snapshot, current: DeltaRelation, scoreDate: string, silverTable: string, model?: string[],
): Promise<DriftSection> {
  const base = { bins: PSI_BINS, thresholds: { watch: PSI_WATCH, drift: PSI_DRIFT }, silverTable, features: [] };
  const previousDate = [...new Set(gold.files().map((f) => f.partitionValues[SCORE_DATE]))].filter((d): d is string => !!d && d < scoreDate).sort().pop();
  if (!previousDate) return { ...base, available: false, reason: `Gold table ${gold.tablePath} (version ${gold.version}) has no score date before ${scoreDate}` };
  const previous = await deltaRelation(session, gold.tablePath, gold.schema, gold.files({ [SCORE_DATE]: previousDate }), ['purchase_probability']);
  const scores = await psiOf(session.con, 'purchase_probability', 'purchase_probability', previous.sql, current.sql);

  const now = await partitionOf(silverTable, SNAPSHOT_DATE, scoreDate, ['user_id']);
  const before = await partitionOf(silverTable, SNAPSHOT_DATE, previousDate, ['user_id']);
  const reason = now.reason ?? before.reason;
  if (reason) return { ...base, available: true, previousDate, scores, featuresReason: reason };
  // The model's inputs as its runs recorded them; for runs that did not, every numeric Silver column but user_id
  // and the partition columns (the contract of the feature tables).
  const schema = now.snapshot!.schema;
  const partitions = new Set(now.snapshot!.partitionColumns);
  const numeric = schema.fields.filter((f) => f.name !== 'user_id' && !partitions.has(f.name) && typeof f.type === 'string' && NUMERIC.test(f.type)).map((f) => f.name);
  const missing = (model ?? []).filter((c) => !numeric.includes(c));
  if (missing.length) {
    return { ...base, available: true, previousDate, scores, featuresFrom: 'model', featuresReason: `${silverTable} (version ${now.snapshot!.version}) has no numeric column ${missing.join(', ')} of the model's features` };
  }
  const columns = model ?? numeric;
  const cur = await deltaRelation(session, silverTable, schema, now.files!, columns);
  const prev = await deltaRelation(session, silverTable, schema, before.files!, columns);
  const features: Psi[] = [];
  for (const c of columns) features.push(await psiOf(session.con, c, c, prev.sql, cur.sql));
  return { ...base, available: true, previousDate, scores, features, featuresFrom: model ? 'model' : 'silver' };
}

/** The model's features, when every run of the date recorded the same list (else undefined: Silver's columns). */
function modelFeatures(lineage: Lineage[]): string[] | undefined {
  const lists = lineage.map((l) => l.features);
  const [first] = lists;
  if (!first?.length || !lists.every((l) => l && l.join('\0') === first.join('\0'))) return undefined;
  return first;
}

/** The batch-score provenance each run wrote into its Gold commit's commitInfo. */
async function lineageOf(goldTable: string, runIds: string[]): Promise<Lineage[]> {
  const history = await tableHistory(goldTable);
  return runIds.map((runId) => {
    const entry = history.find((h) => (h.commitInfo as { batchScore?: { runId?: string } }).batchScore?.runId === runId);
    const info = (entry?.commitInfo as { batchScore?: Omit<Lineage, 'goldVersion' | 'committedAt'> } | undefined)?.batchScore;
    return {
      ...info, runId, goldVersion: entry?.version,
      committedAt: entry ? new Date(entry.timestamp).toISOString() : undefined,
    };
  });
}
