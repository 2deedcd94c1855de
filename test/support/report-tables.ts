/**
 * A small world for the run report's tests: Gold predictions of two score dates (committed as runs commit them,
 * with lineage in commitInfo), labels of the later date, and Silver features of both dates, one of which drifts
 * on purpose. Seeded, so every test and the Python reference see the same rows.
 */
import * as path from 'node:path';
import { appendFiles, createTable, StructType, writeDataFile } from '../../delta';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { TOP_BUYERS_TABLE } from '../../pipeline/gold-schemas';
import { seededRandom } from './seeded-random';

export const REPORT_DAY = '2026-11-23';
export const PREVIOUS_DAY = '2026-11-16';
/** Silver features: one drifts on purpose (views_7d triples), one is mostly 0 (few distinct deciles), one has nulls. */
export const DRIFTED_FEATURE = 'views_7d';
export const TOP_BUYERS = 12;
/** The model's features, in its input order (not Silver's column order). */
export const MODEL_FEATURES = ['spend_30d', 'views_7d', 'carts_7d'];
export const MODEL = { uri: 'models:/purchase_propensity/3', name: 'purchase_propensity', version: '3', sha256: 'c0ffee'.repeat(10) + 'abcd' };

export interface ReportWorld {
  dir: string;
  gold: string;
  labels: string;
  silver: string;
  /** Top buyers of the later date: its TOP_BUYERS users of highest probability. */
  topBuyers: string;
  /** Gold versions of the two runs' commits, and their run ids. */
  runs: Record<string, { runId: string; goldVersion: number }>;
}

const field = (name: string, type: string, nullable = true) => ({ name, type, nullable, metadata: {} });
const SILVER: StructType = {
  type: 'struct',
  fields: [field('user_id', 'long', false), field('views_7d', 'integer'), field('carts_7d', 'integer'), field('spend_30d', 'double'), field('snapshot_date', 'date')],
};
const LABELS: StructType = { type: 'struct', fields: [field('user_id', 'long', false), field('purchased_next_7d', 'boolean', false), field('snapshot_date', 'date')] };
const BY_SNAPSHOT = ['snapshot_date'];

/**
 * Scores: most users low (a long tail toward 0), a dozen near 1 (so a log-scale histogram must show them), values
 * rounded to 4 digits so that ties occur (broken by user_id). Labels follow the scores, so lift is real.
 */
export async function reportWorld(dir: string, opts: { users?: number; previousUsers?: number; features?: string[] | null } = {}): Promise<ReportWorld> {
  // The model's features as the later run's commit records them (null: a run that recorded none).
  const features = opts.features === undefined ? MODEL_FEATURES : opts.features ?? undefined;
  const gold = path.join(dir, 'gold', 'purchase_predictions');
  const labels = path.join(dir, 'silver', 'purchase_labels');
  const silver = path.join(dir, 'silver', 'user_features');
  const topBuyers = path.join(dir, 'gold', 'top_buyers');
  const runs: ReportWorld['runs'] = {};
  await createTable(silver, { schema: SILVER, partitionColumns: BY_SNAPSHOT });
  await createTable(labels, { schema: LABELS, partitionColumns: BY_SNAPSHOT });
  const days = [
    { day: PREVIOUS_DAY, users: opts.previousUsers ?? 2_800, first: 1, power: 5, seed: 11, drift: false, labelled: false },
    { day: REPORT_DAY, users: opts.users ?? 3_000, first: 101, power: 6, seed: 12, drift: true, labelled: true },
  ];
  for (const [i, d] of days.entries()) {
    const rnd = seededRandom(d.seed);
    const ids = Array.from({ length: d.users }, (_, k) => d.first + k);
    const p = ids.map((_, k) => (k % 250 === 7 ? 0.95 + 0.049 * rnd() : Math.round(0.6 * rnd() ** d.power * 1e4) / 1e4));
    const runId = `run-${d.day}`;
    // Two units, as a run stages them.
    const half = Math.floor(d.users / 2);
    const adds = [];
    for (const [unit, [a, b]] of [[0, half], [half, d.users]].entries()) {
      adds.push(await stagePredictions({
        goldTable: gold, scoreDate: d.day, runId, unitIndex: unit, attempt: 1, model: MODEL, scoredAt: new Date(Date.UTC(2026, 10, 23, 6)), threshold: 0.5,
        scored: { userIds: BigInt64Array.from(ids.slice(a, b), BigInt), probabilities: Float64Array.from(p.slice(a, b)) },
      }));
    }
    const committed = await commitPredictions({
      goldTable: gold, scoreDate: d.day, workflowId: `score-users-${d.day}`, runId, adds, txn: { appId: runId, version: i + 1 },
      commitInfo: { batchScore: { workflowId: `score-users-${d.day}`, runId, model: MODEL, features: d.labelled ? features : undefined, silver: { table: silver, version: i + 1 } } },
    });
    runs[d.day] = { runId, goldVersion: committed.version };

    const views = ids.map(() => Math.floor(rnd() * 20) * (d.drift ? 3 : 1) + (d.drift ? 5 : 0));
    const silverBatch = {
      numRows: d.users,
      columns: {
        user_id: BigInt64Array.from(ids, BigInt),
        views_7d: Int32Array.from(views),
        carts_7d: Int32Array.from(ids, () => (rnd() < 0.85 ? 0 : 1 + Math.floor(rnd() * 3))),
        spend_30d: ids.map((_, k) => (k % 97 === 3 ? null : Math.round(rnd() * 50000) / 100)),
      },
    };
    await appendFiles(silver, [await writeDataFile(silver, { schema: SILVER, partitionColumns: BY_SNAPSHOT, partitionValues: { snapshot_date: d.day }, batch: silverBatch })]);
    if (!d.labelled) continue;
    const top = ids.map((id, k) => ({ id, p: p[k] })).sort((a, b) => b.p - a.p || a.id - b.id).slice(0, TOP_BUYERS);
    await createTable(topBuyers, TOP_BUYERS_TABLE);
    await appendFiles(topBuyers, [await writeDataFile(topBuyers, {
      ...TOP_BUYERS_TABLE, partitionValues: { score_date: d.day },
      batch: {
        numRows: top.length,
        columns: {
          rank: top.map((_, r) => r + 1), user_id: top.map((t) => BigInt(t.id)), purchase_probability: top.map((t) => t.p),
          model_name: top.map(() => MODEL.name), model_version: top.map(() => MODEL.version), run_id: top.map(() => runId),
        },
      },
    })]);
    // Labels: the first 40 scored users have none; 25 labelled users were not scored (they must not count).
    const labelled = ids.slice(40).concat(Array.from({ length: 25 }, (_, k) => 900_000 + k));
    const bought = labelled.map((id) => {
      const k = id - d.first;
      return rnd() < (k >= 0 && k < d.users ? 0.02 + 0.8 * p[k] : 0.5);
    });
    await appendFiles(labels, [await writeDataFile(labels, {
      schema: LABELS, partitionColumns: BY_SNAPSHOT, partitionValues: { snapshot_date: d.day },
      batch: { numRows: labelled.length, columns: { user_id: BigInt64Array.from(labelled, BigInt), purchased_next_7d: bought } },
    })]);
  }
  return { dir, gold, labels, silver, topBuyers, runs };
}
