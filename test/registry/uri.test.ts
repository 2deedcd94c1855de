import * as assert from 'node:assert/strict';
import { parseModelUri } from '../../registry';

describe('registry: parseModelUri', () => {
  it('parses the MLflow forms and plain paths', () => {
    assert.deepEqual(parseModelUri('models:/purchase_propensity@champion'), {
      kind: 'alias',
      name: 'purchase_propensity',
      alias: 'champion',
    });
    assert.deepEqual(parseModelUri('models:/purchase_propensity/3'), { kind: 'version', name: 'purchase_propensity', version: '3' });
    assert.deepEqual(parseModelUri('models:/purchase_propensity/007'), { kind: 'version', name: 'purchase_propensity', version: '7' });
    assert.deepEqual(parseModelUri('models:/purchase_propensity/Production'), {
      kind: 'stage',
      name: 'purchase_propensity',
      stage: 'Production',
    });
    assert.deepEqual(parseModelUri('models:/purchase_propensity/latest'), { kind: 'latest', name: 'purchase_propensity' });
    assert.deepEqual(parseModelUri('models:purchase_propensity@champion'), {
      kind: 'alias',
      name: 'purchase_propensity',
      alias: 'champion',
    });
    assert.deepEqual(parseModelUri('/srv/models/lr.onnx'), { kind: 'file', path: '/srv/models/lr.onnx' });
    assert.deepEqual(parseModelUri('models/lr.onnx'), { kind: 'file', path: 'models/lr.onnx' });
    assert.deepEqual(parseModelUri('file:///srv/models/lr.onnx'), { kind: 'file', path: '/srv/models/lr.onnx' });
  });

  it('refuses malformed models:/ URIs, naming the URI', () => {
    for (const bad of ['models:/', 'models:/name', 'models:/a/b/c', 'models:/@champion', 'models:/name@', 'models:/a/b@c']) {
      assert.throws(
        () => parseModelUri(bad),
        (e: Error & { retryable?: boolean }) =>
          e.name === 'ModelNotFound' && e.message.includes(`"${bad}"`) && e.retryable === false,
        bad,
      );
    }
  });
});
