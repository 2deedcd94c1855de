/**
 * Every fixture model (scikit-learn, XGBoost, LightGBM exports) scored through the whole scoreUsers workflow on a
 * real Temporal server, from the local registry: Gold equals the source library's predict_proba within 1e-5; a
 * regression model and a vanished model file fail the run at once, leaving Gold as it was.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable, scanTable } from '../../delta';
import { FEATURE_NAMES } from '../../demo';
import { registerModel } from '../../registry';
import { dataLayout } from '../../config';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { tempDir, writeLogisticModel } from '../registry/helpers';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';
import { FIXTURE_DATE, Fixtures, modelFixtures } from '../../devkit';

const MODELS = ['sklearn_lr', 'sklearn_lr_double', 'sklearn_lr_per_feature', 'sklearn_lr_vector', 'sklearn_rf', 'sklearn_hgb', 'sklearn_gb', 'sklearn_mlp', 'xgboost', 'lightgbm'];

describe('scoring: fixture models through the scoreUsers workflow (real Temporal server)', function () {
  this.timeout(600_000);
  let f: Fixtures;
  let dir: string;
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;
  let vanishingBlob: string;

  before(async () => {
    f = await modelFixtures();
    dir = await tempDir('workflow-fixtures');
    const registryDir = dataLayout(dir).models;
    for (const m of [...MODELS, 'sklearn_lr_zipmap']) {
      // XGBoost carries no feature names: they are given at registration, as `batch-score model register --features`.
      await registerModel(registryDir, path.join(f.models, `${m}.onnx`), { name: m, alias: 'champion', features: m === 'xgboost' ? FEATURE_NAMES : undefined });
    }
    // The same XGBoost model registered without names: only the run's own feature list can map it.
    await registerModel(registryDir, path.join(f.models, 'xgboost.onnx'), { name: 'xgboost_unnamed', alias: 'champion' });
    // A regressor, and a model whose stored file will vanish (bytes of its own, so no other model shares the blob).
    await registerModel(registryDir, path.join(f.models, 'sklearn_linreg.onnx'), { name: 'sklearn_linreg', alias: 'champion' });
    const vanishing = await writeLogisticModel(path.join(dir, 'vanishing.onnx'), { features: FEATURE_NAMES, intercept: -1.25 });
    vanishingBlob = path.join(registryDir, (await registerModel(registryDir, vanishing, { name: 'vanishing', alias: 'champion' })).blob);
    env = await startLocalServer();
    // The fixtures' Silver table is shared between suites, outside this data root: allowed as an extra root.
    workers = await startWorkers(env, { dataDir: dir, allowedRoots: [f.dir], concurrency: 2 });
  });
  after(async () => {
    await workers?.stop();
    await env?.teardown();
    await fs.rm(dir, { recursive: true, force: true });
  });

  let lastWorkflowId = '';
  const score = (model: string, features?: string[], positiveColumn?: number, target = model) =>
    env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE,
      workflowId: (lastWorkflowId = `score-users-${model}-${Math.random().toString(36).slice(2, 8)}`),
      args: [{
        scoreDate: FIXTURE_DATE,
        modelUri: `models:/${model}@champion`,
        features,
        positiveColumn,
        silverTable: f.silver,
        goldTable: path.join(dir, 'gold', target, 'purchase_predictions'),
        topBuyersTable: path.join(dir, 'gold', target, 'top_buyers'),
        unitRows: 20_000,
      }],
    }) as Promise<ScoreUsersResult>;

  for (const model of MODELS) {
    it(`${model}: Gold equals predict_proba within 1e-5`, async () => {
      const result = await score(model);
      assert.equal(result.rowsScored, 50_000);
      const expected = new Map(f.expected.user_ids.map((id, i) => [id, f.expected.probabilities[model][i]]));
      let seen = 0;
      let worst = 0;
      const gold = await openTable(path.join(dir, 'gold', model, 'purchase_predictions'), { version: result.goldVersion });
      for await (const b of scanTable(gold, { columns: ['user_id', 'purchase_probability', 'model_name'], partition: { score_date: FIXTURE_DATE } })) {
        for (let i = 0; i < b.numRows; i++) {
          assert.equal(b.columns['model_name'][i], model);
          const e = expected.get(Number(b.columns['user_id'][i]));
          if (e === undefined) continue;
          seen++;
          worst = Math.max(worst, Math.abs(Number(b.columns['purchase_probability'][i]) - e));
        }
      }
      assert.equal(seen, 10_000);
      assert.ok(worst < 1e-5, `${model}: max |Gold - predict_proba| = ${worst}`);
    });
  }

  it('a ZipMap model fails the run, non-retryable, with the zipmap=False advice', async () => {
    await assert.rejects(score('sklearn_lr_zipmap'), (e: Error) => {
      assert.ok(e instanceof WorkflowFailedError);
      let cause: (Error & { type?: string; nonRetryable?: boolean }) | undefined = e.cause as Error;
      while (cause && cause.type !== 'ModelContract') cause = cause.cause as typeof cause;
      assert.ok(cause, `no ModelContractError in the failure chain of ${e.message}`);
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, /ZipMap.*zipmap=False/);
      return true;
    });
    // Refused when the model was resolved: no unit was ever scheduled.
    const events = (await env.client.workflow.getHandle(lastWorkflowId).fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit').length, 0);
  });

  /** The failure of type `code` in a failed run's cause chain. */
  const failureOf = (e: unknown, code: string) => {
    assert.ok(e instanceof WorkflowFailedError, String(e));
    let cause: (Error & { type?: string; nonRetryable?: boolean; details?: unknown[] }) | undefined = e.cause as Error;
    while (cause && cause.type !== code) cause = cause.cause as typeof cause;
    assert.ok(cause, `no ${code} in the failure chain of ${e.message}`);
    return cause;
  };
  /** The attempts of each activity the last run started. */
  const attempts = async () =>
    ((await env.client.workflow.getHandle(lastWorkflowId).fetchHistory()).events ?? []).flatMap((e) => {
      const started = e.activityTaskStartedEventAttributes;
      return started ? [started.attempt] : [];
    });

  it('a regression model fails the run, non-retryable, naming the model and how many users; Gold is unchanged', async () => {
    await score('sklearn_lr', undefined, undefined, 'regressed');
    const gold = path.join(dir, 'gold', 'regressed', 'purchase_predictions');
    const before = await openTable(gold);
    const beforeFiles = before.files().map((a) => a.path).sort();

    let failure: Awaited<ReturnType<typeof failureOf>> | undefined;
    await assert.rejects(score('sklearn_linreg', undefined, undefined, 'regressed'), (e: Error) => {
      failure = failureOf(e, 'ModelOutputNotProbability');
      return true;
    });
    assert.equal(failure!.nonRetryable, true);
    assert.match(
      failure!.message,
      new RegExp(`^model sklearn_linreg version 1: output "variable" is not a probability for \\d+ of \\d+ users in ${f.silver}/\\S+\\.parquet \\(values outside \\[0, 1\\] or NaN\\), e\\.g\\. user_id \\d+: -?[\\d.e+-]+$`),
    );
    assert.deepEqual(await attempts().then((a) => a.filter((n) => n !== 1)), [], 'no activity was retried');
    const after = await openTable(gold);
    assert.equal(after.version, before.version);
    assert.equal(after.numRecords({ score_date: FIXTURE_DATE }), 50_000);
    assert.deepEqual(after.files().map((a) => a.path).sort(), beforeFiles);
  });

  it('a model file that vanished from the registry fails the run in seconds, at attempt 1, naming the URI and the file', async () => {
    await fs.rm(vanishingBlob);
    const started = Date.now();
    let failure: Awaited<ReturnType<typeof failureOf>> | undefined;
    await assert.rejects(score('vanishing'), (e: Error) => {
      failure = failureOf(e, 'ModelFileMissing');
      return true;
    });
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < 20, `failed after ${seconds} s`);
    assert.equal(failure!.nonRetryable, true);
    assert.equal(failure!.message, `model models:/vanishing@champion (file ${vanishingBlob}) does not exist`);
    assert.deepEqual(await attempts(), [1], 'resolveModel ran once, and nothing after it');
    await assert.rejects(fs.access(path.join(dir, 'gold', 'vanishing')), { code: 'ENOENT' });
  });

  it('the run chooses the positive class column: column 0 scores 1 - predict_proba', async () => {
    const result = await score('sklearn_lr', undefined, 0);
    const expected = new Map(f.expected.user_ids.map((id, i) => [id, 1 - f.expected.probabilities.sklearn_lr[i]]));
    let worst = 0;
    const gold = await openTable(path.join(dir, 'gold', 'sklearn_lr', 'purchase_predictions'), { version: result.goldVersion });
    for await (const b of scanTable(gold, { columns: ['user_id', 'purchase_probability'], partition: { score_date: FIXTURE_DATE } })) {
      for (let i = 0; i < b.numRows; i++) {
        const e = expected.get(Number(b.columns['user_id'][i]));
        if (e !== undefined) worst = Math.max(worst, Math.abs(Number(b.columns['purchase_probability'][i]) - e));
      }
    }
    assert.ok(worst < 1e-5, `max |Gold - (1 - predict_proba)| = ${worst}`);
  });

  it("a model without feature names scores with the run's own feature list, and fails without it", async () => {
    await assert.rejects(score('xgboost_unnamed'), (e: Error) => e instanceof WorkflowFailedError);
    const result = await score('xgboost_unnamed', FEATURE_NAMES);
    assert.equal(result.rowsScored, 50_000);
    assert.equal(result.model.name, 'xgboost_unnamed');
  });
});
