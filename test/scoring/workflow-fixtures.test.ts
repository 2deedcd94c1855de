/**
 * Every fixture model (scikit-learn, XGBoost, LightGBM exports) scored through the whole scoreUsers workflow on a
 * real Temporal server, from the local registry: Gold equals the source library's predict_proba within 1e-5.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { openTable, scanTable } from '../../delta';
import { FEATURE_NAMES } from '../../demo';
import { registerModel } from '../../registry';
import { dataLayout } from '../../cli/data-dir';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../workflows/task-queues';
import { tempDir } from '../registry/helpers';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';
import { FIXTURE_DATE, Fixtures, modelFixtures } from './fixtures';

const MODELS = ['sklearn_lr', 'sklearn_lr_double', 'sklearn_lr_per_feature', 'sklearn_lr_vector', 'sklearn_rf', 'sklearn_hgb', 'sklearn_gb', 'sklearn_mlp', 'xgboost', 'lightgbm'];

describe('scoring: fixture models through the scoreUsers workflow (real Temporal server)', function () {
  this.timeout(600_000);
  let f: Fixtures;
  let dir: string;
  let env: TestWorkflowEnvironment;
  let workers: RunningWorkers;

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
  const score = (model: string, features?: string[], positiveColumn?: number) =>
    env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE,
      workflowId: (lastWorkflowId = `score-users-${model}-${Math.random().toString(36).slice(2, 8)}`),
      args: [{
        scoreDate: FIXTURE_DATE,
        modelUri: `models:/${model}@champion`,
        features,
        positiveColumn,
        silverTable: f.silver,
        goldTable: path.join(dir, 'gold', model, 'purchase_predictions'),
        topBuyersTable: path.join(dir, 'gold', model, 'top_buyers'),
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
