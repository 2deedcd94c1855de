/**
 * Where a workflow test's tables and model live, so one test runs unchanged on both: a local data root (the
 * default tables and the local registry, as users start), or a MinIO bucket holding Silver, Gold, top_buyers and
 * the ONNX model, read and written by workers that share no disk (each gets its own data folder; only the AWS_*
 * variables and BATCH_SCORE_ALLOWED_ROOTS point them at the bucket).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_MODEL_URI, dataLayout } from '../../config';
import { storeFor } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { MinioServer, startMinio, uploadFolder } from '../../devkit';
import { resolveModel } from '../../registry';
import type { ScoreUsersInput } from '../../workflows/score-users';

export type LakeKind = 'local' | 's3';
export const LAKE_KINDS: LakeKind[] = ['local', 's3'];

export interface SilverDate {
  users: number;
  seed: number;
  snapshotDate: string;
  fileRows?: number;
}

export interface Lake {
  kind: LakeKind;
  /** The data root of the test's in-process workers. */
  dir: string;
  silver: string;
  gold: string;
  topBuyers: string;
  modelUri: string;
  /** A local copy of the model's ONNX file (the scores' reference reads its weights). */
  referenceModel: string;
  /** Run input naming the tables and model (none for local: the defaults). */
  input: Partial<ScoreUsersInput>;
  /** The same as `batch-score run` options. */
  cliOptions: string[];
  /** For worker and CLI processes: S3 credentials and endpoint (AWS_*) and the allowed S3 root. */
  env: Record<string, string>;
  /** Allowed roots for in-process workers. */
  allowedRoots: string[];
  /** The S3 server, for an S3 lake. */
  minio?: MinioServer;
  /** A data folder for one more worker process: its own on S3 (no shared disk), the lake's own locally. */
  workerDataDir(): string;
  stop(): Promise<void>;
}

/** Demo Silver dates and a trained model, locally or uploaded into a fresh MinIO bucket. */
export async function makeLake(kind: LakeKind, prefix: string, silver: SilverDate[]): Promise<Lake> {
  const temp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `batch-score-${prefix}-${name}-`));
  const made = [temp('data')];
  const data = dataLayout(made[0]);
  for (const s of silver) await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, ...s });
  await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: silver[0].snapshotDate, registryDir: data.models });
  const referenceModel = (await resolveModel(DEFAULT_MODEL_URI, { registryDir: data.models })).localPath;
  const removeTemps = () => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  if (kind === 'local') {
    return {
      kind, dir: made[0], silver: data.silverFeatures, gold: data.goldPredictions, topBuyers: data.goldTopBuyers, modelUri: DEFAULT_MODEL_URI,
      referenceModel, input: {}, cliOptions: [], env: {}, allowedRoots: [], workerDataDir: () => made[0],
      stop: async () => removeTemps(),
    };
  }

  const minio = await startMinio();
  const restoreEnv = setEnv(minio.env);
  const root = `s3://${minio.bucket}/${prefix}`;
  const lake = {
    silver: `${root}/silver/user_features`, gold: `${root}/gold/purchase_predictions`, topBuyers: `${root}/gold/top_buyers`,
    modelUri: `${root}/models/purchase_propensity.onnx`,
  };
  await uploadFolder(data.silverFeatures, lake.silver);
  await storeFor(`${root}/models`).putFile('purchase_propensity.onnx', referenceModel);
  const dir = temp('worker');
  made.push(dir);
  return {
    kind, dir, ...lake, referenceModel, minio,
    input: { silverTable: lake.silver, goldTable: lake.gold, topBuyersTable: lake.topBuyers, modelUri: lake.modelUri },
    cliOptions: ['--silver', lake.silver, '--gold', lake.gold, '--top-buyers', lake.topBuyers, '--model', lake.modelUri],
    env: { ...minio.env, BATCH_SCORE_ALLOWED_ROOTS: root },
    allowedRoots: [root],
    workerDataDir: () => {
      const own = temp('worker');
      made.push(own);
      return own;
    },
    async stop() {
      restoreEnv();
      await minio.stop();
      removeTemps();
    },
  };
}

/** Sets environment variables of this process (in-process workers and the test's own reads use them); returns the undo. */
function setEnv(env: Record<string, string>): () => void {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  return () => {
    for (const [k, v] of Object.entries(old)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
