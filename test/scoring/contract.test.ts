import * as assert from 'node:assert/strict';
import type { OnnxModelInfo, OnnxValueInfo } from '../../registry';
import { modelContract } from '../../scoring';

const t = (name: string, type: 'float32' | 'float64' | 'int64' | 'string', shape: (number | string)[]): OnnxValueInfo => ({
  name,
  tensor: { type, shape },
  description: `tensor(${type})[${shape.join(',')}]`,
});
const info = (inputs: OnnxValueInfo[], outputs: OnnxValueInfo[], metadata: Record<string, string> = {}): OnnxModelInfo => ({
  inputs,
  outputs,
  metadata,
  opTypes: [],
  externalDataFiles: [],
});

describe('scoring: model contract', () => {
  it('takes label + probabilities, [N,1] and [N] outputs, with impute values by name or position', () => {
    const c = modelContract('m', info([t('X', 'float32', ['N', 2])], [t('label', 'int64', ['N']), t('probabilities', 'float32', ['N', 2])], { impute_values: '{"b": 4}' }), ['a', 'b']);
    assert.deepEqual(c.input, { kind: 'matrix', name: 'X', type: 'float32' });
    assert.deepEqual(c.output, { name: 'probabilities', positiveColumn: 1 });
    assert.deepEqual(Array.from(c.imputeValues), [NaN, 4]);
    const d = modelContract('m', info([t('X', 'float64', ['N', 2])], [t('p', 'float64', ['N', 1])], { impute_values: '[1, 2]' }), ['a', 'b']);
    assert.deepEqual(d.output, { name: 'p', positiveColumn: 0 });
    assert.deepEqual(Array.from(d.imputeValues), [1, 2]);
    const e = modelContract('m', info([t('a', 'float32', ['N', 1]), t('b', 'float64', ['N'])], [t('p', 'float32', ['N'])]), ['b', 'a']);
    assert.deepEqual(e.input, {
      kind: 'per-feature',
      inputs: [
        { name: 'b', type: 'float64', shape: 'N' },
        { name: 'a', type: 'float32', shape: 'N,1' },
      ],
    });
  });

  it('refuses what it cannot score, naming the input, output or count', () => {
    const cases: [OnnxModelInfo, string[], string][] = [
      [info([t('X', 'float32', ['N', 3])], [t('p', 'float32', ['N', 2])]), ['a', 'b'], 'model m: input "X" takes 3 features but 2 are mapped (a, b)'],
      [info([t('X', 'string', ['N', 2])], [t('p', 'float32', ['N', 2])]), ['a', 'b'], 'model m: input "X" is tensor(string)[N,2]; inputs must be float or double tensors'],
      [info([t('a', 'float32', ['N', 1]), t('c', 'float32', ['N', 1])], [t('p', 'float32', ['N'])]), ['a', 'b'], 'model m: one input per feature expected; features without an input: [b], inputs without a feature: [c]'],
      [info([t('X', 'float32', ['N', 2])], [t('p', 'float32', ['N', 3])]), ['a', 'b'], 'model m: output "p" has 3 classes; say which column is the positive class'],
      [info([t('X', 'float32', ['N', 2])], [t('x', 'float32', ['N', 2]), t('y', 'float32', ['N', 2])]), ['a', 'b'], 'model m: cannot tell which output holds the probabilities (outputs: x tensor(float32)[N,2], y tensor(float32)[N,2]); name it in the run settings'],
      [info([t('X', 'float32', ['N', 2])], [t('p', 'float32', ['N', 2])], { positive_class_index: '2' }), ['a', 'b'], 'model m: positive column 2 is outside output "p" tensor(float32)[N,2]'],
      [info([t('X', 'float32', ['N', 2])], [t('p', 'float32', ['N', 2])], { impute_values: '[1]' }), ['a', 'b'], 'model m: metadata impute_values has 1 values for 2 features'],
    ];
    for (const [i, features, message] of cases) {
      assert.throws(() => modelContract('m', i, features), (e: Error & { retryable?: boolean }) => {
        assert.equal(e.name, 'ModelContract');
        assert.equal(e.retryable, false);
        assert.equal(e.message, message);
        return true;
      });
    }
  });
});
