/**
 * The report of one score date, for the marketing team: how scores are spread (probability bands), how many
 * users are predicted buyers, the top buyers, and the lineage (run, model, Silver version) from the Gold commit.
 * Streams partition D one row group at a time: memory is bounded by the bands, not by the number of users.
 */
import { openTable, scanTable, tableHistory } from '../delta';
import { SCORE_DATE } from './gold-schemas';
import { PipelineError } from './pipeline-error';

export const BANDS = 20;

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
  goldVersion?: number;
  committedAt?: string;
}

export interface ScoreReport {
  scoreDate: string;
  goldTable: string;
  goldVersion: number;
  users: number;
  predictedBuyers: number;
  meanProbability: number;
  bands: ProbabilityBand[];
  lineage: Lineage[];
}

export async function scoreReport(goldTable: string, scoreDate: string): Promise<ScoreReport> {
  const snapshot = await openTable(goldTable);
  const partition = { [SCORE_DATE]: scoreDate };
  const bands: ProbabilityBand[] = Array.from({ length: BANDS }, (_, i) => ({ from: i / BANDS, to: (i + 1) / BANDS, users: 0, predictedBuyers: 0 }));
  const runIds = new Set<string>();
  let users = 0;
  let buyers = 0;
  let sum = 0;
  for await (const batch of scanTable(snapshot, { columns: ['purchase_probability', 'predicted_buyer', 'run_id'], partition })) {
    const p = batch.columns.purchase_probability as ArrayLike<number>;
    const predicted = batch.columns.predicted_buyer as ArrayLike<boolean>;
    const run = batch.columns.run_id as ArrayLike<string>;
    for (let i = 0; i < batch.numRows; i++) {
      const band = bands[Math.min(BANDS - 1, Math.floor(p[i] * BANDS))];
      band.users++;
      if (predicted[i]) { band.predictedBuyers++; buyers++; }
      sum += p[i];
      runIds.add(run[i]);
    }
    users += batch.numRows;
  }
  if (users === 0) throw new PipelineError('NoGoldData', `Gold table ${goldTable} (version ${snapshot.version}) has no predictions for ${SCORE_DATE}=${scoreDate}`);
  return {
    scoreDate, goldTable, goldVersion: snapshot.version, users, predictedBuyers: buyers, meanProbability: sum / users, bands,
    lineage: await lineageOf(goldTable, [...runIds]),
  };
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
