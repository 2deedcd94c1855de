import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { listModels, registerModel, resolveModel, setAlias, sha256File, verifyPinned } from '../../registry';
import { onnx } from 'onnx-proto';
import { tempDir, writeLogisticModel } from './helpers';

describe('registry: local registry', () => {
  let dir: string;
  let registryDir: string;
  let modelA: string;
  let modelB: string;
  const features = ['sessions_30d', 'cart_adds_30d', 'purchases_90d'];

  beforeEach(async () => {
    dir = await tempDir('registry');
    registryDir = path.join(dir, 'models');
    modelA = await writeLogisticModel(path.join(dir, 'a.onnx'), { features, intercept: -1 });
    modelB = await writeLogisticModel(path.join(dir, 'b.onnx'), { features, intercept: -2 });
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('registers immutable versions 1, 2, ... content addressed by sha256', async () => {
    const v1 = await registerModel(registryDir, modelA, { name: 'purchase_propensity', alias: 'champion' });
    const v2 = await registerModel(registryDir, modelB, { name: 'purchase_propensity' });
    const v3 = await registerModel(registryDir, modelA, { name: 'purchase_propensity' });
    assert.deepEqual([v1.version, v2.version, v3.version], ['1', '2', '3']);
    assert.equal(v1.sha256, await sha256File(modelA));
    assert.equal(v2.sha256, await sha256File(modelB));
    assert.equal(v3.sha256, v1.sha256);
    assert.equal(v1.blob, `blobs/sha256/${v1.sha256}.onnx`);
    assert.equal(v3.blob, v1.blob, 'same bytes, same blob');
    const blob = path.join(registryDir, v1.blob);
    assert.equal(await sha256File(blob), v1.sha256);
    assert.equal((await fs.stat(blob)).mode & 0o222, 0, 'blobs are read-only');
    assert.deepEqual((await fs.readdir(path.join(registryDir, 'blobs', 'sha256'))).sort(), [`${v1.sha256}.onnx`, `${v2.sha256}.onnx`].sort());

    // Changing the source file afterwards changes nothing registered.
    await fs.writeFile(modelA, 'not a model');
    const pinned = await resolveModel('models:/purchase_propensity/1', { registryDir });
    assert.equal(pinned.sha256, v1.sha256);
  });

  it('sets aliases, lists models, and resolves alias, version, stage, latest and file URIs', async () => {
    await registerModel(registryDir, modelA, { name: 'purchase_propensity', alias: 'champion' });
    await registerModel(registryDir, modelB, { name: 'purchase_propensity', alias: 'challenger', features: ['x', 'y', 'z'] });
    await registerModel(registryDir, modelB, { name: 'churn' });
    await setAlias(registryDir, 'purchase_propensity', 'Production', '2');

    const models = await listModels(registryDir);
    assert.deepEqual(
      models.map((m) => [m.name, m.versions.map((v) => v.version), m.aliases]),
      [
        ['churn', ['1'], {}],
        ['purchase_propensity', ['1', '2'], { champion: '1', challenger: '2', Production: '2' }],
      ],
    );

    const champion = await resolveModel('models:/purchase_propensity@champion', { registryDir });
    assert.deepEqual(champion, {
      uri: 'models:/purchase_propensity@champion',
      name: 'purchase_propensity',
      version: '1',
      sha256: await sha256File(modelA),
      localPath: path.join(registryDir, 'blobs', 'sha256', `${await sha256File(modelA)}.onnx`),
      features,
    });
    const challenger = await resolveModel('models:/purchase_propensity@challenger', { registryDir });
    assert.equal(challenger.version, '2');
    assert.deepEqual(challenger.features, ['x', 'y', 'z'], 'registered features override the ONNX metadata');
    assert.equal((await resolveModel('models:/purchase_propensity/production', { registryDir })).version, '2');
    assert.equal((await resolveModel('models:/purchase_propensity/latest', { registryDir })).version, '2');
    assert.equal((await resolveModel('models:/purchase_propensity/1', { registryDir })).version, '1');

    const file = await resolveModel(modelB, { registryDir });
    const sha = await sha256File(modelB);
    assert.deepEqual(file, { uri: modelB, name: 'b', version: `sha256:${sha.slice(0, 12)}`, sha256: sha, localPath: modelB, features });

    await setAlias(registryDir, 'purchase_propensity', 'champion', '2');
    assert.equal((await resolveModel('models:/purchase_propensity@champion', { registryDir })).version, '2');
  });

  it('fails clearly on unknown models, versions and aliases', async () => {
    await registerModel(registryDir, modelA, { name: 'purchase_propensity', alias: 'champion' });
    const rejects = (uri: string, message: string) =>
      assert.rejects(resolveModel(uri, { registryDir }), (e: Error & { retryable?: boolean }) => {
        assert.equal(e.name, 'ModelNotFound');
        assert.equal(e.retryable, false);
        assert.equal(e.message, message);
        return true;
      });
    await rejects('models:/nope@champion', `no model named nope in the local registry ${registryDir}`);
    await rejects('models:/purchase_propensity/9', `model purchase_propensity has no version 9 in ${registryDir} (versions: 1)`);
    await rejects(
      'models:/purchase_propensity@gold',
      `model purchase_propensity has no alias "gold" in ${registryDir} (aliases: champion)`,
    );
    await assert.rejects(setAlias(registryDir, 'purchase_propensity', 'champion', '5'), /has no version 5/);
  });

  it('refuses a model whose weights are in ONNX external data files, naming them', async () => {
    const file = await writeLogisticModel(path.join(dir, 'external.onnx'), { features }, (m) => {
      const w = m.graph!.initializer![0];
      w.rawData = new Uint8Array(0);
      w.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      w.externalData = [{ key: 'location', value: 'external.onnx.data' }];
    });
    await assert.rejects(registerModel(registryDir, file, { name: 'ext' }), {
      name: 'ModelNotFound',
      message:
        `model file ${file} keeps weights in external data (external.onnx.data); the local registry stores single files: ` +
        'save it with onnx.save_model(model, path, save_as_external_data=False), or register it in MLflow',
    });
  });

  it('fails a pinned model whose bytes changed under its version', async () => {
    const v1 = await registerModel(registryDir, modelA, { name: 'purchase_propensity', alias: 'champion' });
    const pinned = await resolveModel('models:/purchase_propensity@champion', { registryDir });
    await verifyPinned(pinned, { registryDir });

    const blob = path.join(registryDir, v1.blob);
    await fs.chmod(blob, 0o644);
    await fs.copyFile(modelB, blob); // someone overwrites the stored bytes
    const changed = await sha256File(modelB);
    const expected =
      `model purchase_propensity version 1 changed under the run: ${blob} has sha256 ${changed}, pinned ${v1.sha256}; ` +
      'registered versions are immutable — register a new version instead';
    const mismatch = (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelDigestMismatch');
      assert.equal(e.retryable, false);
      assert.equal(e.message, expected);
      return true;
    };
    await assert.rejects(verifyPinned(pinned, { registryDir }), mismatch);
    await assert.rejects(resolveModel('models:/purchase_propensity@champion', { registryDir }), mismatch);
  });
});
