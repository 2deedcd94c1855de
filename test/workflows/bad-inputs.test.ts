/**
 * Bad input and faults, table-driven, on a real Temporal server: every case is a run a user could start (from the
 * CLI, the Web UI, a schedule or a backfill) with something wrong in the workflow input, the Silver data, the
 * model, the Gold targets or the environment. Each must fail with its code from the error vocabulary
 * (errors/codes.ts) and a message naming what to fix, on its first attempt (nothing retried for minutes), and
 * change nothing: the Gold folders are byte-for-byte as before (versions, files, no staged file left behind).
 * The cases after them succeed because an explicit policy says so, with exact counts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure, WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { onnx } from 'onnx-proto';
import { createTable, openTable, replacePartition, StructType, writeDataFile } from '../../delta';
import { FEATURES, generateSilver, SILVER_FEATURES_SCHEMA, trainDemoModel } from '../../demo';
import { dataLayout, DataLayout } from '../../config';
import { resolveModel } from '../../registry';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const DAY = '2026-11-23';
const USERS = 3_000;
const SNAP = 'snapshot_date';

/** Silver partitions with one kind of bad data each, in the same table as the good date. */
const BAD_DAYS = {
  empty: '2026-10-05',
  duplicates: '2026-10-12',
  nullFeature: '2026-10-19',
  posInf: '2026-10-26',
  negInf: '2026-11-02',
  missingFile: '2026-11-09',
};

interface Case {
  name: string;
  input: ScoreUsersInput | (() => ScoreUsersInput);
  code: string;
  message: RegExp;
  /** The workflow to start (default scoreUsers). */
  workflow?: 'scoreUsers' | 'backfillScores';
}

/** Every file under a folder with its size and modification time: "changed nothing" means this is equal. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = fs.statSync(p);
        out[path.relative(root, p)] = `${s.size}@${s.mtimeMs}`;
      }
    }
  };
  if (fs.existsSync(root) && fs.statSync(root).isFile()) return { '.': String(fs.statSync(root).size) };
  walk(root);
  return out;
}

/** The innermost failure of a workflow failure: the one raised where the problem was found. */
function rootCause(err: unknown): ApplicationFailure {
  let e: unknown = err;
  while (e instanceof WorkflowFailedError || e instanceof ActivityFailure || e instanceof ChildWorkflowFailure) e = e.cause;
  assert.ok(e instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(e)}`);
  return e;
}

/** The demo logistic model with its Sigmoid removed: a regression whose outputs are raw logits (up to ~thousands). */
function regressionOnnx(logistic: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(logistic);
  const graph = model.graph!;
  const nodes = (graph.node ?? []).filter((n) => n.opType !== 'Sigmoid');
  nodes[nodes.length - 1].output = ['probability'];
  graph.node = nodes;
  return onnx.ModelProto.encode(model).finish();
}

describe('bad input and faults: fail with a named reason, change nothing', function () {
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let dir: string;
  let data: DataLayout;
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-outside-'));
  const paths: Record<string, string> = {};

  before(async function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-bad-'));
    data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 5, snapshotDate: DAY, fileRows: 1_000 });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
    await writeBadSilver();
    await writeBadModels();
    await writeBadTargets();
    env = await startLocalServer();
    workers = await startWorkers(env, { dataDir: dir, concurrency: 2 });
    // A published date, so that "unchanged" means something.
    await run({ scoreDate: DAY, unitRows: 1_000 });
  });

  after(async function () {
    await workers?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  let n = 0;
  function start(input: unknown, workflow: 'scoreUsers' | 'backfillScores' = 'scoreUsers') {
    return env.client.workflow.start(workflow, { taskQueue: TASK_QUEUE, workflowId: `bad-inputs-${++n}`, args: [input] });
  }
  async function run(input: unknown): Promise<ScoreUsersResult> {
    return (await start(input)).result() as Promise<ScoreUsersResult>;
  }

  /** A Silver partition of the demo schema from explicit columns (nulls allowed). */
  async function silverPartition(date: string, files: Record<string, ArrayLike<unknown>>[]) {
    const adds = [];
    for (const columns of files) {
      const numRows = (columns.user_id as ArrayLike<unknown>).length;
      adds.push(await writeDataFile(data.silverFeatures, {
        schema: SILVER_FEATURES_SCHEMA, partitionColumns: [SNAP], partitionValues: { [SNAP]: date }, batch: { numRows, columns },
      }));
    }
    await replacePartition(data.silverFeatures, { [SNAP]: date }, adds);
    return adds;
  }

  function featureColumns(ids: number[], override: Record<string, unknown[]> = {}): Record<string, ArrayLike<unknown>> {
    const cols: Record<string, ArrayLike<unknown>> = { user_id: BigInt64Array.from(ids, BigInt) };
    for (const f of FEATURES) cols[f.name] = override[f.name] ?? ids.map((id) => (f.type === 'double' ? (id % 7) / 3 : id % 5));
    return cols;
  }

  async function writeBadSilver() {
    const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
    await silverPartition(BAD_DAYS.empty, [featureColumns([])]);
    await silverPartition(BAD_DAYS.duplicates, [featureColumns(ids(1, 500)), featureColumns(ids(401, 500))]);
    const withValue = (v: unknown, every: number) => ids(1, 300).map((id) => (id % every === 0 ? v : 1.5));
    await silverPartition(BAD_DAYS.nullFeature, [featureColumns(ids(1, 300), { avg_session_minutes: withValue(null, 100) })]);
    await silverPartition(BAD_DAYS.posInf, [featureColumns(ids(1, 300), { avg_session_minutes: withValue(Infinity, 50) })]);
    await silverPartition(BAD_DAYS.negInf, [featureColumns(ids(1, 300), { discount_usage_rate: withValue(-Infinity, 30) })]);
    const [gone] = await silverPartition(BAD_DAYS.missingFile, [featureColumns(ids(1, 300))]);
    fs.rmSync(path.join(data.silverFeatures, decodeURIComponent(gone.path)));

    // A Silver table whose feature columns are strings.
    const stringSchema: StructType = {
      type: 'struct',
      fields: SILVER_FEATURES_SCHEMA.fields.map((f) => (f.name === 'sessions_30d' ? { ...f, type: 'string' } : f)),
    };
    paths.stringSilver = path.join(data.root, 'silver', 'string_features');
    await createTable(paths.stringSilver, { schema: stringSchema, partitionColumns: [SNAP] });
    const cols = featureColumns(ids(1, 10));
    cols.sessions_30d = Array.from({ length: 10 }, () => 'three');
    const add = await writeDataFile(paths.stringSilver, {
      schema: stringSchema, partitionColumns: [SNAP], partitionValues: { [SNAP]: DAY }, batch: { numRows: 10, columns: cols },
    });
    await replacePartition(paths.stringSilver, { [SNAP]: DAY }, [add]);
    paths.notDelta = path.join(data.root, 'silver', 'csv_export');
    fs.mkdirSync(paths.notDelta, { recursive: true });
    fs.writeFileSync(path.join(paths.notDelta, 'users.csv'), 'user_id\n1\n');
  }

  async function writeBadModels() {
    const champion = await resolveModel('models:/purchase_propensity@champion', { registryDir: data.models });
    const modelDir = path.join(data.root, 'model_files');
    fs.mkdirSync(modelDir, { recursive: true });
    paths.garbageModel = path.join(modelDir, 'garbage.onnx');
    fs.writeFileSync(paths.garbageModel, 'this is not an ONNX model');
    paths.truncatedModel = path.join(modelDir, 'truncated.onnx');
    const bytes = fs.readFileSync(champion.localPath);
    fs.writeFileSync(paths.truncatedModel, bytes.subarray(0, Math.floor(bytes.length / 2)));
    paths.missingModel = path.join(modelDir, 'missing.onnx');
    paths.regressionModel = path.join(modelDir, 'regression.onnx');
    fs.writeFileSync(paths.regressionModel, regressionOnnx(bytes));
  }

  async function writeBadTargets() {
    paths.otherColumns = path.join(data.root, 'gold', 'other_columns');
    await createTable(paths.otherColumns, {
      schema: { type: 'struct', fields: [{ name: 'customer', type: 'string', nullable: true, metadata: {} }, { name: 'score_date', type: 'date', nullable: true, metadata: {} }] },
      partitionColumns: ['score_date'],
    });
    paths.unpartitioned = path.join(data.root, 'gold', 'unpartitioned');
    await createTable(paths.unpartitioned, {
      schema: { type: 'struct', fields: [{ name: 'user_id', type: 'long', nullable: false, metadata: {} }, { name: 'score_date', type: 'date', nullable: true, metadata: {} }] },
      partitionColumns: [],
    });
    paths.fileTarget = path.join(data.root, 'gold', 'top_buyers.parquet');
    fs.writeFileSync(paths.fileTarget, 'PAR1');
    paths.folderTarget = path.join(data.root, 'gold', 'exports');
    fs.mkdirSync(paths.folderTarget, { recursive: true });
    fs.writeFileSync(path.join(paths.folderTarget, 'campaign.csv'), 'user_id\n1\n');
  }

  const CASES: Case[] = [
    // The workflow input: refused before any activity runs.
    { name: 'an unknown field, with the closest known one', input: { score_date: DAY } as ScoreUsersInput, code: 'InvalidInput', message: /score_date.*scoreDate/ },
    { name: 'a date that is not in the calendar', input: { scoreDate: '2026-02-30' }, code: 'InvalidInput', message: /2026-02-30/ },
    { name: 'a month 13', input: { scoreDate: '2026-13-01' }, code: 'InvalidInput', message: /2026-13-01/ },
    { name: 'a threshold that is not a number', input: { scoreDate: DAY, predictionThreshold: 'abc' as unknown as number }, code: 'InvalidInput', message: /predictionThreshold/ },
    { name: 'a number given as a string', input: { scoreDate: DAY, unitRows: '1000' as unknown as number }, code: 'InvalidInput', message: /unitRows/ },
    { name: 'a fraction above 1', input: { scoreDate: DAY, topBuyers: { fraction: 1.5 } }, code: 'InvalidInput', message: /fraction.*1\.5/ },
    { name: 'an unknown field inside topBuyers', input: { scoreDate: DAY, topBuyers: { fractoin: 0.2 } as never }, code: 'InvalidInput', message: /fractoin.*fraction/ },
    { name: 'an unknown null policy', input: { scoreDate: DAY, nullPolicy: 'ignore' as never }, code: 'InvalidInput', message: /nullPolicy.*ignore/ },
    { name: 'features that are not column names', input: { scoreDate: DAY, features: [1, 2] as never }, code: 'InvalidInput', message: /features/ },
    { name: 'zero units at once', input: { scoreDate: DAY, maxParallel: 0 }, code: 'InvalidInput', message: /maxParallel/ },
    { name: 'a negative Silver version', input: { scoreDate: DAY, silverVersion: -1 }, code: 'InvalidInput', message: /silverVersion/ },
    { name: 'a backfill with an unknown field', workflow: 'backfillScores', input: { from: DAY, to: DAY, every: 7 } as never, code: 'InvalidInput', message: /every.*everyDays/ },

    // Silver.
    { name: 'a date Silver does not have', input: { scoreDate: '2026-01-05' }, code: 'SilverNoData', message: /snapshot_date=2026-01-05/ },
    { name: 'a snapshot with zero rows', input: { scoreDate: BAD_DAYS.empty }, code: 'SilverEmptySnapshot', message: new RegExp(BAD_DAYS.empty) },
    { name: 'a user twice in the snapshot', input: { scoreDate: BAD_DAYS.duplicates }, code: 'SilverDuplicateUser', message: /100\b.*user/ },
    { name: 'a null feature (policy error)', input: { scoreDate: BAD_DAYS.nullFeature }, code: 'FeatureNotFinite', message: /avg_session_minutes.*null.*user_id 100\b/ },
    { name: 'an infinite feature (policy error)', input: { scoreDate: BAD_DAYS.posInf }, code: 'FeatureNotFinite', message: /avg_session_minutes.*Infinity.*user_id 50\b/ },
    { name: 'a column the model needs is missing', input: { scoreDate: DAY, features: FEATURES.map((f) => (f.name === 'sessions_30d' ? 'no_such_column' : f.name)) }, code: 'SilverMissingColumn', message: /no_such_column/ },
    { name: 'fewer features than the model takes', input: { scoreDate: DAY, features: ['sessions_30d', 'page_views_30d'] }, code: 'ModelContract', message: /takes 10 features but 2/ },
    { name: 'a feature column of strings', input: () => ({ scoreDate: DAY, silverTable: paths.stringSilver }), code: 'SilverColumnType', message: /sessions_30d.*string/ },
    { name: 'a Silver version that does not exist', input: { scoreDate: DAY, silverVersion: 999 }, code: 'VersionNotFound', message: /999/ },
    { name: 'a Silver path that is not a Delta table', input: () => ({ scoreDate: DAY, silverTable: paths.notDelta }), code: 'TableNotFound', message: /csv_export/ },
    { name: 'a Silver data file missing from storage', input: { scoreDate: BAD_DAYS.missingFile }, code: 'CorruptDataFile', message: /\.parquet/ },

    // The model.
    { name: 'an empty model URI', input: { scoreDate: DAY, modelUri: '' }, code: 'InvalidInput', message: /modelUri/ },
    { name: 'a model name the registry does not have', input: { scoreDate: DAY, modelUri: 'models:/nope@champion' }, code: 'ModelNotFound', message: /nope/ },
    { name: 'an alias the model does not have', input: { scoreDate: DAY, modelUri: 'models:/purchase_propensity@challenger' }, code: 'ModelNotFound', message: /challenger/ },
    { name: 'a model file that does not exist', input: () => ({ scoreDate: DAY, modelUri: paths.missingModel }), code: 'ModelFileMissing', message: /missing\.onnx/ },
    { name: 'a model file that is not ONNX', input: () => ({ scoreDate: DAY, modelUri: paths.garbageModel, features: FEATURES.map((f) => f.name) }), code: 'ModelFileCorrupt', message: /garbage\.onnx/ },
    { name: 'a truncated model file', input: () => ({ scoreDate: DAY, modelUri: paths.truncatedModel, features: FEATURES.map((f) => f.name) }), code: 'ModelFileCorrupt', message: /truncated\.onnx/ },
    { name: 'a regression model (outputs are not probabilities)', input: () => ({ scoreDate: DAY, modelUri: paths.regressionModel }), code: 'ModelOutputNotProbability', message: /regression|users/ },
    { name: 'an output name the model does not have', input: { scoreDate: DAY, outputName: 'no_such_output' }, code: 'ModelContract', message: /no_such_output/ },
    { name: 'more features than the model takes', input: { scoreDate: DAY, features: [...FEATURES.map((f) => f.name), 'sessions_30d'] }, code: 'ModelFeatureMapping', message: /sessions_30d|features/ },

    // Gold targets: refused before any scoring.
    { name: 'a Gold table with other columns', input: () => ({ scoreDate: DAY, goldTable: paths.otherColumns }), code: 'GoldSchemaMismatch', message: /other_columns/ },
    { name: 'a Gold table not partitioned by score_date', input: () => ({ scoreDate: DAY, goldTable: paths.unpartitioned }), code: 'GoldSchemaMismatch', message: /unpartitioned/ },
    { name: 'a top_buyers path that is a file', input: () => ({ scoreDate: DAY, topBuyersTable: paths.fileTarget }), code: 'TargetNotDelta', message: /top_buyers\.parquet/ },
    { name: 'a Gold path that is a folder of other files', input: () => ({ scoreDate: DAY, goldTable: paths.folderTarget }), code: 'TargetNotDelta', message: /exports/ },
    { name: 'a Gold path outside the data root', input: () => ({ scoreDate: DAY, goldTable: path.join(outside, 'gold') }), code: 'TableOutsideDataRoot', message: new RegExp(path.basename(outside)) },
    { name: 'a top_buyers path escaping the data root with ..', input: { scoreDate: DAY, topBuyersTable: '../../etc/top_buyers' }, code: 'TableOutsideDataRoot', message: /top_buyers/ },
  ];

  for (const c of CASES) {
    it(`${c.name}: ${c.code}`, async function () {
      const watched = [path.join(data.root, 'gold'), outside];
      const before = watched.map(tree);
      const input = typeof c.input === 'function' ? c.input() : c.input;
      const handle = await start(input, c.workflow);
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError, `the run must fail, got ${String(err)}`);
      const cause = rootCause(err);
      assert.equal(cause.type, c.code, cause.message);
      assert.match(cause.message, c.message);
      // Input is refused by the workflow itself; everything else by an activity, which says where and when.
      const details = cause.details?.[0] as { activity?: string; attempt?: number } | undefined;
      if (c.code !== 'InvalidInput') {
        assert.ok(details?.activity, `the failure names its activity: ${JSON.stringify(details)}`);
        assert.equal(details?.attempt, 1, 'failed on its first attempt, not after retries');
      }
      const history = (await handle.fetchHistory()).events ?? [];
      const scheduled = history.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
      assert.ok(!scheduled.includes('commitGold'), 'nothing reached the Gold commit');
      if (c.code === 'InvalidInput') assert.deepEqual(scheduled, [], 'input is refused before any activity');
      assert.deepEqual(watched.map(tree), before, 'the Gold folders are exactly as they were');
    });
  }

  describe('explicit policies publish what they say', function () {
    it('allowEmptySnapshot publishes an empty partition', async function () {
      const r = await run({ scoreDate: BAD_DAYS.empty, allowEmptySnapshot: true });
      assert.equal(r.rowsScored, 0);
      assert.equal(r.topBuyers.count, 0);
      assert.equal((await openTable(data.goldPredictions, { version: r.goldVersion })).files({ score_date: BAD_DAYS.empty }).length, 0);
    });

    it('nullPolicy skip drops the users with a -Infinity feature and counts them', async function () {
      const r = await run({ scoreDate: BAD_DAYS.negInf, nullPolicy: 'skip' });
      assert.equal(r.rowsSkipped, 10); // user ids 30, 60, ..., 300
      assert.equal(r.rowsScored, 290);
    });

    it('nullPolicy impute scores the users with an infinite feature', async function () {
      const r = await run({ scoreDate: BAD_DAYS.posInf, nullPolicy: 'impute' });
      assert.equal(r.rowsScored, 300);
      assert.equal(r.rowsSkipped, 0);
    });
  });
});
