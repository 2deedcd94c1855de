import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openTable, scanTable } from '../../delta';
import { FEATURE_NAMES } from '../../demo';
import { resolveModel, verifyPinned, PinnedModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { FIXTURE_DATE, Fixtures, modelFixtures } from '../../devkit';
import { python } from '../support/processes';
import { tempDir } from './helpers';
import { MlflowServer, startMlflowServer } from './mlflow-server';

describe('registry: MLflow Model Registry over REST (real mlflow server)', function () {
  this.timeout(300_000);
  let dir: string;
  let server: MlflowServer;
  let f: Fixtures;
  let registryDir: string;
  const resolve = (uri: string) => resolveModel(uri, { registryDir, mlflowTrackingUri: server.uri });

  before(async () => {
    f = await modelFixtures();
    dir = await tempDir('mlflow');
    registryDir = path.join(dir, 'models');
    server = await startMlflowServer(dir);
    const stdout = await python('fixtures/mlflow_register.py', ['--tracking-uri', server.uri, '--models', f.models]);
    const registered = JSON.parse(stdout.trim().split('\n').pop()!); // MLflow prints run links before our JSON line
    assert.deepEqual(registered, {
      purchase_propensity: { '1': 'sklearn_lr', '2': 'lightgbm' },
      propensity_mlp: { '1': 'sklearn_mlp' },
      propensity_xgb: { '1': 'xgboost' },
    });
  });
  after(async () => {
    await server?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Our scores of the fixture's first 10,000 users against the source library's predict_proba. */
  async function assertScoresMatch(pinned: PinnedModel, fixture: string) {
    const scorer = await loadScorer(pinned);
    const expected = f.expected.probabilities[fixture];
    let i = 0;
    let worst = 0;
    for await (const b of scanTable(await openTable(f.silver), { columns: scorer.columns, partition: { snapshot_date: FIXTURE_DATE } })) {
      const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
      for (let r = 0; r < out.probabilities.length && i < expected.length; r++, i++) {
        worst = Math.max(worst, Math.abs(out.probabilities[r] - expected[i]));
      }
      if (i >= expected.length) break;
    }
    assert.equal(i, 10_000);
    assert.ok(worst < 1e-5, `${fixture} via MLflow: max |ours - predict_proba| = ${worst}`);
  }

  it('resolves alias, version, stage and latest; pins the downloaded folder by sha256', async () => {
    const champion = await resolve('models:/purchase_propensity@champion');
    assert.equal(champion.name, 'purchase_propensity');
    assert.equal(champion.version, '1');
    assert.deepEqual(champion.features, FEATURE_NAMES);
    assert.equal(champion.digestPath, path.join(registryDir, '.mlflow-cache', 'purchase_propensity', '1', champion.sha256));
    assert.equal(champion.localPath, path.join(champion.digestPath!, 'model.onnx'));
    assert.deepEqual((await fs.readdir(champion.digestPath!)).sort(), ['MLmodel', 'conda.yaml', 'model.onnx', 'python_env.yaml', 'requirements.txt']);
    await assertScoresMatch(champion, 'sklearn_lr');

    assert.equal((await resolve('models:/purchase_propensity/1')).sha256, champion.sha256);
    // Two workers resolving the same version at once share one cached folder.
    await fs.rm(champion.digestPath!, { recursive: true });
    const twice = await Promise.all([resolve('models:/purchase_propensity/1'), resolve('models:/purchase_propensity@champion')]);
    assert.deepEqual(twice.map((p) => p.sha256), [champion.sha256, champion.sha256]);
    assert.deepEqual(await fs.readdir(path.dirname(champion.digestPath!)), [champion.sha256]);
    const production = await resolve('models:/purchase_propensity/Production');
    assert.equal(production.version, '2');
    assert.equal((await resolve('models:/purchase_propensity@challenger')).sha256, production.sha256);
    assert.equal((await resolve('models:/purchase_propensity/latest')).version, '2');
    await assertScoresMatch(production, 'lightgbm');
  });

  it('takes feature names from the MLmodel signature when the ONNX file has none', async () => {
    const xgb = await resolve('models:/propensity_xgb/1');
    assert.deepEqual(xgb.features, FEATURE_NAMES);
    await assertScoresMatch(xgb, 'xgboost');
  });

  it('downloads the whole model folder, ONNX external data included', async () => {
    const mlp = await resolve('models:/propensity_mlp/1');
    const files = await fs.readdir(mlp.digestPath!);
    const external = files.filter((n) => n.endsWith('.data'));
    assert.equal(external.length, 1, `external data file among ${files.join(', ')}`);
    assert.ok((await fs.stat(path.join(mlp.digestPath!, external[0]))).size > 2500);
    await assertScoresMatch(mlp, 'sklearn_mlp');
  });

  it('a worker that lacks the pinned folder downloads it again; changed bytes fail the run', async () => {
    const pinned = await resolve('models:/purchase_propensity@champion');
    await fs.rm(pinned.digestPath!, { recursive: true });
    await verifyPinned(pinned, { registryDir, mlflowTrackingUri: server.uri });
    await fs.access(path.join(pinned.digestPath!, 'model.onnx'));

    // Someone changes the bytes of version 1 in the server's artifact store.
    const { artifact_uri } = (await (await fetch(`${server.uri}/api/2.0/mlflow/model-versions/get-download-uri?name=purchase_propensity&version=1`)).json()) as { artifact_uri: string };
    const stored = path.join(dir, 'artifacts', artifact_uri.replace(/^mlflow-artifacts:\/+/, ''), 'requirements.txt');
    await fs.appendFile(stored, 'tampered==1.0\n');
    await assert.rejects(resolve('models:/purchase_propensity@champion'), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelDigestMismatch');
      assert.equal(e.retryable, false);
      assert.match(e.message, new RegExp(`^MLflow model purchase_propensity version 1 at ${server.uri} changed: its files now have sha256 [0-9a-f]{64}, first downloaded with sha256 ${pinned.sha256}`));
      return true;
    });
    await fs.rm(pinned.digestPath!, { recursive: true });
    await assert.rejects(verifyPinned(pinned, { registryDir, mlflowTrackingUri: server.uri }), {
      name: 'ModelDigestMismatch',
      message: new RegExp(`^MLflow model purchase_propensity version 1 changed under the run: it now has sha256 [0-9a-f]{64}, pinned ${pinned.sha256}$`) 
    });
  });

  it('unknown models, versions and aliases name the server and the model', async () => {
    await assert.rejects(resolve('models:/nope@champion'), { name: 'ModelNotFound', message: `MLflow registry at ${server.uri} has no model nope with alias "champion"` });
    await assert.rejects(resolve('models:/purchase_propensity/9'), { name: 'ModelNotFound', message: `MLflow registry at ${server.uri} has no model purchase_propensity with version 9` });
    await assert.rejects(resolve('models:/purchase_propensity/Staging'), { name: 'ModelNotFound', message: `MLflow registry at ${server.uri} has no model purchase_propensity with stage "Staging"` });
  });
});

describe('registry: MLflow with a local artifact root (--no-serve-artifacts)', function () {
  this.timeout(300_000);
  let dir: string;
  let server: MlflowServer;
  let f: Fixtures;

  before(async () => {
    f = await modelFixtures();
    dir = await tempDir('mlflow-local');
    server = await startMlflowServer(dir, { artifacts: 'local' });
    await python('fixtures/mlflow_register.py', ['--tracking-uri', server.uri, '--models', f.models]);
  });
  after(async () => {
    await server?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('copies the model folder from the file artifact root the server names', async () => {
    const { artifact_uri } = (await (await fetch(`${server.uri}/api/2.0/mlflow/model-versions/get-download-uri?name=propensity_mlp&version=1`)).json()) as { artifact_uri: string };
    assert.ok(artifact_uri.startsWith(path.join(dir, 'artifacts')) || artifact_uri.startsWith(`file://${path.join(dir, 'artifacts')}`), artifact_uri);
    const pinned = await resolveModel('models:/propensity_mlp/1', { registryDir: path.join(dir, 'models'), mlflowTrackingUri: server.uri });
    assert.deepEqual(pinned.features, FEATURE_NAMES);
    assert.equal((await fs.readdir(pinned.digestPath!)).filter((n) => n.endsWith('.data')).length, 1);
    const scorer = await loadScorer(pinned);
    const b = (await scanTable(await openTable(f.silver), { columns: scorer.columns, partition: { snapshot_date: FIXTURE_DATE } }).next()).value!;
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    const expected = f.expected.probabilities['sklearn_mlp'];
    for (let i = 0; i < 10_000; i++) assert.ok(Math.abs(out.probabilities[i] - expected[i]) < 1e-5, `row ${i}`);
  });
});
