/**
 * Secrets stay secret: a real `batch-score worker` process whose MLflow tracking URI carries credentials
 * (http://user:token@host, as MLflow's own client accepts) and whose environment holds a tracking token scores
 * from a real MLflow server. Neither secret may appear in an error, the worker's log, the workflow histories, the
 * Gold tables' Delta log (commitInfo) or the report.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { dataLayout, DataLayout } from '../../config';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { MlflowServer, startMlflowServer } from '../registry/mlflow-server';
import { FIXTURE_DATE, modelFixtures } from '../../devkit';
import { batchScore, python, REPO_ROOT, tempDir } from '../support/processes';
import { startLocalServer } from '../support/temporal';

const PASSWORD = 'pw-9f8e7d6c5b4a';
const TOKEN = 'tok-0a1b2c3d4e5f6a7b';

describe('secrets never reach errors, logs, history, Delta commits or reports', function () {
  let env: TestWorkflowEnvironment;
  let mlflow: MlflowServer;
  let dir: string;
  let data: DataLayout;
  let worker: ChildProcess;
  let log = '';
  let trackingUri: string;

  before(async function () {
    const f = await modelFixtures();
    dir = await tempDir('secrets');
    data = dataLayout(dir);
    fs.cpSync(f.silver, data.silverFeatures, { recursive: true });
    mlflow = await startMlflowServer(dir);
    await python('fixtures/mlflow_register.py', ['--tracking-uri', mlflow.uri, '--models', f.models]);
    trackingUri = mlflow.uri.replace('http://', `http://scorer:${PASSWORD}@`);
    env = await startLocalServer();
    worker = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--concurrency', '1', '--threads', '1'], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir, MLFLOW_TRACKING_URI: trackingUri, MLFLOW_TRACKING_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('batch-score worker')) resolve();
      };
      worker.stdout!.on('data', onData);
      worker.stderr!.on('data', onData);
      worker.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${log}`)));
    });
  });

  after(async function () {
    worker?.kill('SIGTERM');
    await env?.teardown();
    await mlflow?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function assertNoSecret(where: string, text: string) {
    assert.ok(!text.includes(PASSWORD), `the password appears in ${where}`);
    assert.ok(!text.includes(TOKEN), `the token appears in ${where}`);
  }

  it('a registry error names the server without its credentials', async function () {
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: 'secrets-missing-model', args: [{ scoreDate: FIXTURE_DATE, modelUri: 'models:/nope@champion' }],
    });
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    let cause: unknown = err;
    while ((cause as { cause?: unknown }).cause) cause = (cause as { cause?: unknown }).cause;
    const message = (cause as Error).message;
    assert.match(message, /MLflow registry at http:\/\/\*\*\*@127\.0\.0\.1:\d+ has no model nope/);
    assertNoSecret('the failure', message);
    assertNoSecret('the history', JSON.stringify(await handle.fetchHistory()));
  });

  it('a run through the credentialed registry publishes, and no secret is in history, Delta log, report or log', async function () {
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: 'secrets-run', args: [{ scoreDate: FIXTURE_DATE, modelUri: 'models:/purchase_propensity@champion' }],
    });
    const result = (await handle.result()) as ScoreUsersResult;
    assert.equal(result.rowsScored, 50_000);
    assertNoSecret('the result', JSON.stringify(result));
    assertNoSecret('the history', JSON.stringify(await handle.fetchHistory()));
    for (const table of [data.goldPredictions, data.goldTopBuyers]) {
      const logDir = path.join(table, '_delta_log');
      for (const f of fs.readdirSync(logDir)) assertNoSecret(`${table} ${f}`, fs.readFileSync(path.join(logDir, f), 'latin1'));
    }
    const report = await batchScore(['report', '--date', FIXTURE_DATE, '--json'], { BATCH_SCORE_DATA: dir });
    assert.match(report, /purchase_propensity/);
    assertNoSecret('the report', report);
    assertNoSecret('the worker log', log);
  });
});
