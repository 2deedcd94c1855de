/**
 * The whole pipeline with its tables and model in an S3 bucket (MinIO), on a real Temporal dev server, scored by
 * two real `batch-score worker` processes with different working directories and data folders: nothing on a
 * shared disk. Gold must hold exactly one row per Silver user with the reference scores, be readable by delta-rs
 * straight from the bucket, stay exactly as it was after a failed run, and record the model's digest so a re-run
 * after the object changed pins the new bytes. The S3 secret key appears nowhere in history or Delta logs.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { onnx } from 'onnx-proto';
import { objectAt, openTable, storeFor } from '../../delta';
import { FEATURE_NAMES } from '../../demo';
import type { ScoreUsersInput, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { ERROR_CODES } from '../../errors';
import { cli } from '../cli/cli-world';
import { jsonLines, python } from '../support/processes';
import { expectedTopBuyers, logistic, readLogistic } from '../support/reference';
import { Lake, makeLake } from '../support/lake';
import { partitionRows } from '../support/tables';
import { startLocalServer } from '../support/temporal';
import { startWorkerProcess, WorkerProcess } from '../support/worker-process';

const USERS = 6_000;
const UNIT_ROWS = 1_000;
const DAY = '2026-11-23';
const RULE = { fraction: 0.05, minProbability: 0.2 };

describe('scoreUsers with Silver, Gold, top_buyers and the model on S3, workers sharing no disk', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes)
  let env: TestWorkflowEnvironment;
  let lake: Lake;
  const workers: WorkerProcess[] = [];
  let first: ScoreUsersResult;
  let gold: Record<string, unknown>[];

  const score = (input: Partial<ScoreUsersInput>, id: string) =>
    env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `s3-${id}`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, maxParallel: 4, topBuyers: RULE, ...lake.input, ...input }],
    }) as Promise<ScoreUsersResult>;

  before(async function () {
    lake = await makeLake('s3', 's3-run', [{ users: USERS, seed: 7, snapshotDate: DAY, fileRows: UNIT_ROWS }]);
    env = await startLocalServer();
    for (let i = 0; i < 2; i++) {
      const dataDir = lake.workerDataDir();
      workers.push(await startWorkerProcess({ address: env.address, dataDir, cwd: lake.workerDataDir(), env: lake.env }));
    }
  });

  after(async function () {
    for (const w of workers) w.kill();
    await env?.teardown();
    await lake?.stop();
  });

  it('scores every Silver user into Gold on S3 exactly once, with the reference scores and top buyers', async function () {
    first = await score({}, 'first');
    assert.equal(first.rowsScored, USERS);
    assert.equal(first.units, USERS / UNIT_ROWS);
    gold = await partitionRows(lake.gold, { score_date: DAY }, { version: first.goldVersion });
    assert.equal(gold.length, USERS);
    const silver = new Map((await partitionRows(lake.silver, { snapshot_date: DAY })).map((r) => [Number(r.user_id), r]));
    assert.deepEqual(gold.map((r) => Number(r.user_id)).sort((a, b) => a - b), [...silver.keys()].sort((a, b) => a - b));
    const w = readLogistic(lake.referenceModel);
    let worst = 0;
    for (const row of gold) worst = Math.max(worst, Math.abs(Number(row.purchase_probability) - logistic(w, silver.get(Number(row.user_id))!)));
    assert.ok(worst < 1e-6, `largest difference ${worst}`);
    const expected = expectedTopBuyers(gold.map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) })), RULE);
    const top = (await partitionRows(lake.topBuyers, { score_date: DAY })).sort((a, b) => Number(a.rank) - Number(b.rank));
    assert.deepEqual(top.map((r) => Number(r.user_id)), expected.map((r) => r.user_id));

    // The model was pinned by the digest of the object's bytes, and both worker processes scored units.
    const sha256 = createHash('sha256').update(fs.readFileSync(lake.referenceModel)).digest('hex');
    assert.deepEqual(first.model, { uri: lake.modelUri, name: 'purchase_propensity', version: `sha256:${sha256.slice(0, 12)}`, sha256 });
    const events = (await env.client.workflow.getHandle(`s3-first`).fetchHistory()).events ?? [];
    const scorers = new Set(events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.identity));
    for (const w of workers) assert.ok(scorers.has(w.identity), `worker ${w.identity} ran no activity (${[...scorers].join(', ')})`);
  });

  it('status prints the run summary with each fact once: the S3 model by its digest, not the digest twice', async function () {
    const shown = await cli(['status', 's3-first'], { TEMPORAL_ADDRESS: env.address, ...lake.env });
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('scored '));
    assert.deepEqual(lines.slice(at, at + 5), [
      `scored 6,000 users for ${DAY} in 6 unit(s)`,
      `model     purchase_propensity sha256 ${first.model.sha256.slice(0, 12)}… from ${lake.modelUri}`,
      `silver    ${lake.silver} @ version ${first.silverVersion}`,
      `gold      ${lake.gold} @ version ${first.goldVersion}`,
      `top       ${lake.topBuyers} @ version ${first.topBuyersVersion}: ${first.topBuyers.count} top buyers of 6000`,
    ]);
  });

  it('a model URI with no object fails ModelFileMissing with the S3 hint (bucket, key, AWS variables), not `model register`', async function () {
    const modelUri = `s3://${lake.minio!.bucket}/s3-run/models/not-uploaded.onnx`;
    await assert.rejects(score({ modelUri }, 'no-model'), WorkflowFailedError);
    const shown = await cli(['status', 's3-no-model'], { TEMPORAL_ADDRESS: env.address });
    const printed = shown.stdout + shown.stderr;
    assert.ok(printed.includes(`\n  code    ModelFileMissing\n  message model ${modelUri} does not exist`), printed);
    assert.ok(printed.includes(`\n  next    ${ERROR_CODES.ModelFileMissing.hints.s3}\n`), printed);
    assert.doesNotMatch(printed, /model register/);
  });

  it('`delta show s3://...` as a process: no NodeVersionSupportWarning; without a region it names AWS_REGION', async function () {
    const SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
    assert.equal(process.env[SWITCH], undefined, 'the test needs the SDK warning on (the switch unset)');
    const shown = await cli(['delta', 'show', lake.gold], lake.env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`version\\s+${first.goldVersion}`));
    assert.equal(shown.stderr, '');
    const noRegion = await cli(['delta', 'show', lake.gold], {
      ...lake.env, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined, AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: '/nonexistent/aws-config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
    assert.notEqual(noRegion.code, 0);
    assert.doesNotMatch(noRegion.stderr, /NodeVersionSupportWarning/);
    assert.equal(noRegion.stderr, `batch-score delta show: list ${lake.gold}/_delta_log/: no AWS region is set: set AWS_REGION (or AWS_PROFILE naming a profile with a region) [StorageRegionMissing]\n`);
  });

  it('delta-rs reads both Gold tables from the bucket with the same rows', async function () {
    const restore = { AWS_ALLOW_HTTP: process.env.AWS_ALLOW_HTTP };
    process.env.AWS_ALLOW_HTTP = 'true';
    try {
      const theirs = jsonLines(await python('delta/read_table.py', [lake.gold]));
      assert.equal(theirs.length, USERS);
      const ours = new Map(gold.map((r) => [Number(r.user_id), Number(r.purchase_probability)]));
      for (const r of theirs) assert.equal(Number(r.purchase_probability), ours.get(Number(r.user_id)));
      const top = jsonLines(await python('delta/read_table.py', [lake.topBuyers]));
      assert.equal(top.length, first.topBuyers.count);
    } finally {
      if (restore.AWS_ALLOW_HTTP === undefined) delete process.env.AWS_ALLOW_HTTP;
      else process.env.AWS_ALLOW_HTTP = restore.AWS_ALLOW_HTTP;
    }
  });

  it('a failed run (a feature Silver lacks) leaves both S3 Gold tables exactly as they were', async function () {
    const [goldBefore, topBefore] = [await openTable(lake.gold), await openTable(lake.topBuyers)];
    const features = FEATURE_NAMES.map((f, i) => (i === 0 ? 'no_such_column' : f));
    await assert.rejects(score({ features }, 'failed'), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      let cause = err.cause as (Error & { type?: string }) | undefined;
      while (cause && cause.type !== 'SilverMissingColumn') cause = cause.cause as typeof cause;
      assert.ok(cause, `no SilverMissingColumn in the failure chain of ${err.message}`);
      assert.match(cause.message, /no_such_column/);
      assert.match(cause.message, new RegExp(lake.silver));
      return true;
    });
    for (const [table, before] of [[lake.gold, goldBefore], [lake.topBuyers, topBefore]] as const) {
      const after = await openTable(table);
      assert.equal(after.version, before.version, table);
      assert.deepEqual(after.files().map((f) => f.path).sort(), before.files().map((f) => f.path).sort(), table);
    }
    // Nothing the failed run staged is left in the bucket either.
    const keys = await storeFor(lake.gold).listKeys(`score_date=${DAY}/`);
    assert.deepEqual(keys.sort(), goldBefore.files({ score_date: DAY }).map((f) => f.path).sort());
  });

  it('an s3:// table outside the allowed root is refused at planning (TableOutsideDataRoot, naming it); nothing is written there', async function () {
    const outside = `s3://${lake.minio!.bucket}/elsewhere/gold`;
    await assert.rejects(score({ goldTable: outside }, 'outside'), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      let cause = err.cause as (Error & { type?: string }) | undefined;
      while (cause && cause.type !== 'TableOutsideDataRoot') cause = cause.cause as typeof cause;
      assert.ok(cause, `no TableOutsideDataRoot in the failure chain of ${err.message}`);
      assert.match(cause.message, new RegExp(`^table location ${outside} is outside the data root .* or the allowed roots s3://${lake.minio!.bucket}/s3-run`));
      return true;
    });
    assert.deepEqual(await storeFor(`s3://${lake.minio!.bucket}/elsewhere`).listKeys(''), []);
  });

  it('a re-run after the model object changed pins the new bytes (digest in the result and the Gold commit)', async function () {
    const model = onnx.ModelProto.decode(fs.readFileSync(lake.referenceModel));
    model.docString = 'retrained: same weights, new bytes';
    const changed = onnx.ModelProto.encode(model).finish();
    const { store, key } = objectAt(lake.modelUri);
    await store.put(key, changed);
    const again = await score({}, 'changed-model');
    const sha256 = createHash('sha256').update(changed).digest('hex');
    assert.notEqual(sha256, first.model.sha256);
    assert.equal(again.model.sha256, sha256);
    const log = await storeFor(lake.gold).get(`_delta_log/${String(again.goldVersion).padStart(20, '0')}.json`);
    const commitInfo = new TextDecoder().decode(log).split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((a) => a.commitInfo).commitInfo;
    assert.equal(commitInfo.batchScore.model.sha256, sha256);
    assert.equal(commitInfo.batchScore.model.uri, lake.modelUri);
  });

  it('the S3 secret key is in no workflow history, failure, worker log or Delta log', async function () {
    const secret = lake.minio!.secretAccessKey;
    for (const id of ['s3-first', 's3-failed', 's3-outside', 's3-changed-model', 's3-no-model']) {
      const history = JSON.stringify(await env.client.workflow.getHandle(id).fetchHistory());
      assert.ok(history.length > 1000);
      assert.ok(!history.includes(secret), `the secret key is in the history of ${id}`);
    }
    for (const w of workers) assert.ok(!w.output().includes(secret), 'the secret key is in a worker log');
    for (const table of [lake.gold, lake.topBuyers]) {
      const store = storeFor(table);
      for (const key of await store.listKeys('_delta_log/')) {
        assert.ok(!new TextDecoder().decode(await store.get(key)).includes(secret), `the secret key is in ${table}/${key}`);
      }
    }
  });
});
