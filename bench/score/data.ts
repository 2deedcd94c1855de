/**
 * Benchmark inputs, made once and kept in a folder (default <tmp>/batch-score-bench): Silver tables of N users
 * (10 features, files of 1M users, row groups of 131,072), the demo logistic regression, and a 100-tree
 * gradient-boosted model (scikit-learn GradientBoosting exported with skl2onnx, from the test fixtures).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { dataFilePath, openTable, tableExists } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { PinnedModel, resolveModel } from '../../registry';
import { modelFixtures } from '../../devkit';

export const BENCH_DATE = '2026-11-23';

export function benchDir(dir?: string): string {
  return path.resolve(dir ?? process.env.BATCH_SCORE_BENCH ?? path.join(os.tmpdir(), 'batch-score-bench'));
}

/** The Silver table of `users` users; returns its data files (absolute paths, in user_id order). */
export async function benchSilver(dir: string, users: number): Promise<{ table: string; files: string[] }> {
  const table = path.join(dir, `silver-${users}`, 'user_features');
  const labels = path.join(dir, `silver-${users}`, 'purchase_labels');
  const ready = (await tableExists(table)) && (await openTable(table)).numRecords({ snapshot_date: BENCH_DATE }) === users;
  if (!ready) await generateSilver({ tablePath: table, labelsPath: labels, users, seed: 1, snapshotDate: BENCH_DATE });
  const files = (await openTable(table)).files({ snapshot_date: BENCH_DATE }).map((f) => dataFilePath(table, f.path));
  return { table, files: files.sort() };
}

export type BenchModel = 'lr' | 'gbm';

export async function benchModel(dir: string, model: BenchModel): Promise<PinnedModel> {
  if (model === 'lr') {
    const { table } = await benchSilver(dir, 100_000);
    const registryDir = path.join(dir, 'models');
    const trained = await resolveModel('models:/purchase_propensity@champion', { registryDir }).catch(() => undefined);
    if (trained) return trained;
    await trainDemoModel({ silverPath: table, labelsPath: table.replace(/user_features$/, 'purchase_labels'), snapshotDate: BENCH_DATE, registryDir });
    return resolveModel('models:/purchase_propensity@champion', { registryDir });
  }
  const f = await modelFixtures();
  return resolveModel(path.join(f.models, 'sklearn_gb.onnx'), { registryDir: path.join(dir, 'models') });
}
