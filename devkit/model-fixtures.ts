/**
 * Real model fixtures for tests and benchmarks (python/fixtures/train_models.py): a generated Silver snapshot, the models trained on it
 * and exported with skl2onnx / onnxmltools, and the source libraries' predict_proba. Built once per version of
 * the script into a cache folder under the OS temp dir (about 15 s), reused by later runs.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSilver } from '../demo';
import { python, REPO_ROOT } from './python';

export const FIXTURE_DATE = '2026-11-23';

export interface Fixtures {
  dir: string;
  silver: string;
  labels: string;
  models: string;
  expected: {
    features: string[];
    user_ids: number[];
    probabilities: Record<string, number[]>;
    models: Record<string, { file: string; description: string; inputs: string[]; outputs: string[] }>;
  };
}

let building: Promise<Fixtures> | undefined;

export function modelFixtures(): Promise<Fixtures> {
  building ??= build();
  return building;
}

async function build(): Promise<Fixtures> {
  const script = path.join(REPO_ROOT, 'python', 'fixtures', 'train_models.py');
  const key = createHash('sha256').update(await fs.readFile(script)).update('users=50000 seed=3').digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'batch-score-fixtures', key);
  const paths = { dir, silver: path.join(dir, 'silver'), labels: path.join(dir, 'labels'), models: path.join(dir, 'models') };
  const expectedFile = path.join(paths.models, 'expected.json');
  const done = await fs.access(expectedFile).then(() => true, () => false);
  if (!done) {
    const tmp = `${dir}.${process.pid}.tmp`;
    await fs.rm(tmp, { recursive: true, force: true });
    await generateSilver({ tablePath: path.join(tmp, 'silver'), labelsPath: path.join(tmp, 'labels'), users: 50_000, seed: 3, snapshotDate: FIXTURE_DATE });
    await python('fixtures/train_models.py', [
      '--silver', path.join(tmp, 'silver'), '--labels', path.join(tmp, 'labels'), '--date', FIXTURE_DATE,
      '--out', path.join(tmp, 'models'), '--rows', '10000',
    ]);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
  }
  return { ...paths, expected: JSON.parse(await fs.readFile(expectedFile, 'utf8')) };
}
