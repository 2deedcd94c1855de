/**
 * Training the demo model: Silver features + labels of one snapshot → logistic regression (fitted here, in
 * TypeScript) → ONNX → the local registry as `purchase_propensity`, alias `champion`.
 *
 * Trains on the first `maxRows` users (default 200,000) so a 10M-user table trains as fast as a small one.
 * Retraining on the same data gives the same bytes, and the same bytes reuse the existing version.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTable, scanTable } from '../delta';
import { listModels, registerModel, setAlias, sha256File } from '../registry';
import { FEATURE_NAMES } from './behaviour';
import { fitLogistic } from './logistic';
import { logisticOnnx } from './onnx-logistic';
import { SNAPSHOT_DATE } from './silver';

export const DEMO_MODEL_NAME = 'purchase_propensity';
export const DEMO_MODEL_ALIAS = 'champion';

export interface TrainDemoOptions {
  silverPath: string;
  labelsPath: string;
  snapshotDate: string;
  registryDir: string;
  maxRows?: number;
}

export interface TrainedModel {
  name: string;
  version: string;
  alias: string;
  sha256: string;
  localPath: string;
  features: string[];
  intercept: number;
  weights: number[];
  trainingRows: number;
  positiveRate: number;
  logLoss: number;
}

export async function trainDemoModel(opts: TrainDemoOptions): Promise<TrainedModel> {
  const maxRows = opts.maxRows ?? 200_000;
  const features = FEATURE_NAMES;
  const width = features.length;
  const partition = { [SNAPSHOT_DATE]: opts.snapshotDate };

  // Features of the first maxRows users, row-major.
  const x = new Float64Array(maxRows * width);
  const rowOf = new Map<bigint, number>();
  const silver = await openTable(opts.silverPath);
  for await (const batch of scanTable(silver, { columns: ['user_id', ...features], partition })) {
    const ids = batch.columns['user_id'];
    const take = Math.min(batch.numRows, maxRows - rowOf.size);
    for (let j = 0; j < width; j++) {
      const col = batch.columns[features[j]];
      for (let i = 0; i < take; i++) x[(rowOf.size + i) * width + j] = Number(col[i]);
    }
    for (let i = 0; i < take; i++) rowOf.set(BigInt(ids[i] as bigint), rowOf.size);
    if (rowOf.size >= maxRows) break;
  }
  const n = rowOf.size;
  if (n === 0) throw new Error(`Silver table ${opts.silverPath} has no rows for ${SNAPSHOT_DATE} ${opts.snapshotDate}`);

  // Their labels.
  const y = new Uint8Array(n);
  let found = 0;
  const labels = await openTable(opts.labelsPath);
  for await (const batch of scanTable(labels, { columns: ['user_id', 'purchased_next_7d'], partition })) {
    const ids = batch.columns['user_id'];
    const bought = batch.columns['purchased_next_7d'];
    for (let i = 0; i < batch.numRows; i++) {
      const r = rowOf.get(BigInt(ids[i] as bigint));
      if (r === undefined) continue;
      y[r] = bought[i] ? 1 : 0;
      found++;
    }
    if (found === n) break;
  }
  if (found !== n) throw new Error(`labels table ${opts.labelsPath} lacks ${n - found} of the ${n} training users for ${opts.snapshotDate}`);

  const fit = fitLogistic(x.subarray(0, n * width), y, width);
  const bytes = logisticOnnx({
    features,
    weights: fit.weights,
    intercept: fit.intercept,
    imputeValues: fit.means,
    docString: `purchase propensity: logistic regression on ${n} users of Silver snapshot ${opts.snapshotDate}`,
  });
  const registered = await registerOnce(opts.registryDir, bytes);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i];
  return {
    name: DEMO_MODEL_NAME,
    version: registered.version,
    alias: DEMO_MODEL_ALIAS,
    sha256: registered.sha256,
    localPath: path.join(opts.registryDir, registered.blob),
    features,
    intercept: fit.intercept,
    weights: Array.from(fit.weights),
    trainingRows: n,
    positiveRate: positives / n,
    logLoss: fit.logLoss,
  };
}

/** Registers the bytes as a new version unless a version with the same sha256 exists; points champion at it. */
async function registerOnce(registryDir: string, bytes: Uint8Array) {
  const tmpDir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-train-'));
  try {
    const file = path.join(tmpDir, `${DEMO_MODEL_NAME}.onnx`);
    await fs.writeFile(file, bytes);
    const sha256 = await sha256File(file);
    const existing = (await listModels(registryDir))
      .find((m) => m.name === DEMO_MODEL_NAME)
      ?.versions.find((v) => v.sha256 === sha256);
    if (existing) {
      await setAlias(registryDir, DEMO_MODEL_NAME, DEMO_MODEL_ALIAS, existing.version);
      return existing;
    }
    return await registerModel(registryDir, file, { name: DEMO_MODEL_NAME, alias: DEMO_MODEL_ALIAS });
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
