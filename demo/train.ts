/**
 * Training the demo model: Silver features + labels of one snapshot (demo/training-set.ts) → a held-out split by
 * user (demo/holdout.ts) → logistic regression on the training part, counts on the log scale (demo/log-scale.ts)
 * → metrics on both parts (demo/metrics.ts) → ONNX → the local registry as `purchase_propensity`, alias
 * `champion`, with the metrics in the version record.
 *
 * Trains on about `maxRows` users (default 200,000) picked by a hash of user_id when the snapshot has more: the
 * fit's time and memory stay those of the sample, on a sample uniform over ids; the snapshot is still read once
 * in full to pick it (demo/training-set.ts).
 * Retraining on the same data gives the same bytes, and the same bytes reuse the existing version: the metrics
 * are in the model's metadata too, so one set of bytes has one set of metrics (docs/decisions/training-metrics.md).
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { PipelineError } from '../pipeline/pipeline-error';
import { listModels, registerModel, setAlias, sha256File } from '../registry';
import { DEFAULT_SPLIT_SEED, HOLDOUT_FRACTION, isHeldOut } from './holdout';
import { modelScale, nonNegativeColumns, toModelScale } from './log-scale';
import { fitLogistic } from './logistic';
import { ClassifierMetrics, classifierMetrics } from './metrics';
import { logisticOnnx } from './onnx-logistic';
import { SNAPSHOT_DATE } from './silver';
import { readTrainingSet } from './training-set';

export const DEMO_MODEL_NAME = 'purchase_propensity';
export const DEMO_MODEL_ALIAS = 'champion';

export interface TrainDemoOptions {
  silverPath: string;
  labelsPath: string;
  snapshotDate: string;
  registryDir: string;
  maxRows?: number;
  /** Seed of the held-out split (default 1). */
  splitSeed?: number;
}

export interface TrainedModel {
  name: string;
  version: string;
  alias: string;
  sha256: string;
  localPath: string;
  /** False when identical bytes were already registered: that version (and its identical metrics) is reused. */
  newVersion: boolean;
  features: string[];
  /** Per feature: the weight applies to log(1 + max(x, 0)) instead of x. */
  logScale: boolean[];
  intercept: number;
  weights: number[];
  train: ClassifierMetrics;
  holdout: ClassifierMetrics;
  /** The held-out users' labels and predicted probabilities, in Silver order (for checking the metrics). */
  holdoutPredictions: { userIds: BigInt64Array; labels: Uint8Array; probabilities: Float64Array };
  /** The version record's metrics and params. */
  metrics: Record<string, number>;
  params: Record<string, string>;
}

export async function trainDemoModel(opts: TrainDemoOptions): Promise<TrainedModel> {
  const splitSeed = opts.splitSeed ?? DEFAULT_SPLIT_SEED;
  const set = await readTrainingSet({ ...opts, maxRows: opts.maxRows ?? 200_000 });
  const { features, userIds, x, y } = set;
  const width = features.length;
  const n = y.length;

  const held = Uint8Array.from(userIds, (id) => (isHeldOut(id, splitSeed) ? 1 : 0));
  const part = (want: number) => {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (held[i] === want) rows.push(i);
    const px = new Float64Array(rows.length * width);
    rows.forEach((r, k) => px.set(x.subarray(r * width, (r + 1) * width), k * width));
    return { rows, x: px, y: Uint8Array.from(rows, (r) => y[r]), userIds: BigInt64Array.from(rows, (r) => userIds[r]) };
  };
  const training = part(0);
  const holdout = part(1);
  const trainPositives = training.y.reduce((a, b) => a + b, 0);
  if (trainPositives === 0 || trainPositives === training.y.length) {
    throw new PipelineError(
      'InvalidInput',
      `labels of ${SNAPSHOT_DATE}=${opts.snapshotDate} in ${opts.labelsPath}: the ${training.y.length} training users are all ${trainPositives ? 'buyers' : 'non-buyers'}; a classifier needs both`,
    );
  }

  const logScale = nonNegativeColumns(training.x, width);
  const fit = fitLogistic(toModelScale(training.x, logScale), training.y, width);
  const predict = (px: Float64Array) => {
    const p = new Float64Array(px.length / width);
    for (let i = 0; i < p.length; i++) {
      let z = 0;
      for (let j = 0; j < width; j++) z += fit.weights[j] * modelScale(px[i * width + j], logScale[j]);
      p[i] = 1 / (1 + Math.exp(-(z + fit.intercept)));
    }
    return p;
  };
  const trainMetrics = classifierMetrics(training.y, predict(training.x));
  const holdoutProbabilities = predict(holdout.x);
  const holdoutMetrics = classifierMetrics(holdout.y, holdoutProbabilities);

  const metrics = finite({
    holdout_auc: holdoutMetrics.auc,
    holdout_log_loss: holdoutMetrics.logLoss,
    holdout_positive_rate: holdoutMetrics.positiveRate,
    holdout_rows: holdoutMetrics.rows,
    train_auc: trainMetrics.auc,
    train_log_loss: trainMetrics.logLoss,
    train_positive_rate: trainMetrics.positiveRate,
    train_rows: trainMetrics.rows,
  });
  const params = {
    snapshot_date: opts.snapshotDate,
    split: `user_id hash, seed ${splitSeed}, held out ${HOLDOUT_FRACTION}`,
    log_scale_features: features.filter((_, j) => logScale[j]).join(','),
    max_rows: String(set.maxRows),
    rows_available: String(set.rowsAvailable),
    rows_used: String(n),
  };
  const bytes = logisticOnnx({
    features,
    weights: fit.weights,
    intercept: fit.intercept,
    // Training users only: the held-out users' values must not reach the model.
    imputeValues: columnMeans(training.x, width),
    logScale,
    metadata: { training_metrics: metrics, training_params: params },
    docString: `purchase propensity: logistic regression on ${training.y.length} users of Silver snapshot ${opts.snapshotDate}`,
  });
  const registered = await registerOnce(opts.registryDir, bytes, metrics, params);
  return {
    name: DEMO_MODEL_NAME,
    version: registered.version,
    alias: DEMO_MODEL_ALIAS,
    sha256: registered.sha256,
    localPath: path.join(opts.registryDir, registered.blob),
    newVersion: registered.created,
    features,
    logScale,
    intercept: fit.intercept,
    weights: Array.from(fit.weights),
    train: trainMetrics,
    holdout: holdoutMetrics,
    holdoutPredictions: { userIds: holdout.userIds, labels: holdout.y, probabilities: holdoutProbabilities },
    metrics,
    params,
  };
}

/** Means of the raw columns: the model's impute values (nullPolicy impute). */
function columnMeans(x: Float64Array, width: number): Float64Array {
  const means = new Float64Array(width);
  for (let i = 0; i < x.length; i++) means[i % width] += x[i];
  const n = x.length / width;
  return means.map((s) => s / n);
}

/** Drops undefined numbers (an AUC with one class): the record holds only numbers, as MLflow metrics do. */
function finite(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => Number.isFinite(v)));
}

/** Registers the bytes as a new version unless a version with the same sha256 exists; points champion at it. */
async function registerOnce(registryDir: string, bytes: Uint8Array, metrics: Record<string, number>, params: Record<string, string>) {
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
      return { ...existing, created: false };
    }
    const created = await registerModel(registryDir, file, { name: DEMO_MODEL_NAME, alias: DEMO_MODEL_ALIAS, metrics, params });
    return { ...created, created: true };
  } finally {
    await fs.rm(tmpDir, { recursive: true, force: true });
  }
}
