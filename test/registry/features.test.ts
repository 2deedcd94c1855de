import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { onnx } from 'onnx-proto';
import { readOnnxInfo, registerModel, resolveFeatures, resolveModel, sha256File } from '../../registry';
import { tempDir, writeLogisticModel } from './helpers';

describe('registry: feature mapping precedence', () => {
  let dir: string;
  before(async () => (dir = await tempDir('features')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('run setting > registry signature > ONNX metadata', async () => {
    const file = await writeLogisticModel(path.join(dir, 'm.onnx'), { features: ['a', 'b'] });
    const registryDir = path.join(dir, 'models');
    await registerModel(registryDir, file, { name: 'm', features: ['c', 'd'] });
    await registerModel(registryDir, file, { name: 'm' });
    assert.deepEqual((await resolveModel('models:/m/1', { registryDir, features: ['e', 'f'] })).features, ['e', 'f']);
    assert.deepEqual((await resolveModel('models:/m/1', { registryDir })).features, ['c', 'd']);
    assert.deepEqual((await resolveModel('models:/m/2', { registryDir })).features, ['a', 'b']);
  });

  it('falls back to per-feature input names, else fails naming the inputs', async () => {
    const noNames = (m: onnx.ModelProto) => (m.metadataProps = []);
    const matrix = await writeLogisticModel(path.join(dir, 'no-names.onnx'), { features: ['a', 'b'] }, noNames);
    const version = `sha256:${(await sha256File(matrix)).slice(0, 12)}`;
    await assert.rejects(resolveModel(matrix, { registryDir: dir }), {
      name: 'ModelFeatureMapping',
      message:
        `model no-names version ${version}: no feature names (input features tensor(double)[N,2]); ` +
        'give them with --features at registration, in the run settings, or in the ONNX metadata "feature_names"',
    });
    const info = await readOnnxInfo(matrix);
    const perFeature = {
      ...info,
      inputs: [
        { name: 'sessions_30d', tensor: { type: 'float32' as const, shape: ['N', 1] }, description: 'tensor(float)[N,1]' },
        { name: 'cart_adds_30d', tensor: { type: 'float32' as const, shape: ['N', 1] }, description: 'tensor(float)[N,1]' },
      ],
    };
    assert.deepEqual(resolveFeatures('m', perFeature, {}), { features: ['sessions_30d', 'cart_adds_30d'], source: 'input-names' });
    assert.throws(() => resolveFeatures('m', info, { run: ['a', 'a'] }), /model m: feature "a" listed twice \(run\)/);
  });
});
