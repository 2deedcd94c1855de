import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { resolveModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { loadModel } from '../../scoring/session';
import { tempDir, writeLogisticModel } from '../registry/helpers';

const FEATURES = ['sessions_30d', 'cart_adds_30d', 'discount_usage_rate', 'is_subscriber'];
const WEIGHTS = [0.05, 0.4, 1.3, -0.7];
const INTERCEPT = -3.2;
const IMPUTE = [2, 0, 0.25, 0];

function logistic(row: number[]): number {
  let z = INTERCEPT;
  row.forEach((v, j) => (z += WEIGHTS[j] * v));
  return 1 / (1 + Math.exp(-z));
}

/** A batch with every column kind the Delta reader can return: Int32Array, Float64Array, bigint[], boolean[]. */
function batch(n: number) {
  const userIds = new BigInt64Array(n);
  const sessions = new Int32Array(n);
  const carts: (bigint | null)[] = [];
  const discount = new Float64Array(n);
  const subscriber: (boolean | null)[] = [];
  for (let i = 0; i < n; i++) {
    userIds[i] = BigInt(1000 + i);
    sessions[i] = i % 17;
    carts.push(BigInt(i % 5));
    discount[i] = (i % 10) / 10;
    subscriber.push(i % 3 === 0);
  }
  return {
    numRows: n,
    columns: { user_id: userIds, sessions_30d: sessions, cart_adds_30d: carts, discount_usage_rate: discount, is_subscriber: subscriber, ignored: new Array(n).fill('x') },
  };
}

function rowOf(b: ReturnType<typeof batch>, i: number): number[] {
  const c = b.columns;
  return [c.sessions_30d[i], Number(c.cart_adds_30d[i]), c.discount_usage_rate[i], c.is_subscriber[i] ? 1 : 0];
}

describe('scoring: scorer', () => {
  let dir: string;
  let modelFile: string;
  before(async () => {
    dir = await tempDir('scorer');
    modelFile = await writeLogisticModel(path.join(dir, 'lr.onnx'), { features: FEATURES, weights: WEIGHTS, intercept: INTERCEPT, imputeValues: IMPUTE });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('converts numeric and boolean columns in model order and equals the float64 logistic', async () => {
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }), { subBatchRows: 1000 });
    assert.deepEqual(scorer.columns, ['user_id', ...FEATURES]);
    const b = batch(5000);
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    assert.equal(out.skipped, 0);
    assert.equal(out.userIds.length, 5000);
    assert.equal(out.probabilities.length, 5000);
    for (let i = 0; i < 5000; i++) {
      assert.equal(out.userIds[i], BigInt(1000 + i));
      assert.ok(Math.abs(out.probabilities[i] - logistic(rowOf(b, i))) < 1e-12, `row ${i}`);
    }
  });

  it('converts decimal columns (exact strings from the Delta reader)', async () => {
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
    const b = batch(4) as { numRows: number; columns: Record<string, unknown[] | ArrayLike<unknown>> };
    b.columns.discount_usage_rate = ['0.25', '1.00', '0.10', '0.00'];
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    [0.25, 1, 0.1, 0].forEach((d, i) => {
      const row = rowOf(batch(4), i);
      row[2] = d;
      assert.ok(Math.abs(out.probabilities[i] - logistic(row)) < 1e-12, `row ${i}`);
    });
  });

  it('yields to the event loop between sub-batches, so heartbeats flow while a long batch scores', async () => {
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }), { subBatchRows: 10_000 });
    let turns = 0;
    let probing = true;
    const probe = () => {
      turns++;
      if (probing) setImmediate(probe);
    };
    setImmediate(probe);
    const out = await scorer.scoreBatch(batch(200_000), { nullPolicy: 'error' });
    probing = false;
    assert.equal(out.userIds.length, 200_000);
    assert.ok(turns >= 20, `the event loop turned ${turns} times during 20 sub-batches`);
  });

  it('keeps one session per model sha256 in the process', async () => {
    const pinned = await resolveModel(modelFile, { registryDir: dir });
    const a = await loadModel(pinned);
    const b = await loadModel({ ...pinned, uri: 'another-uri' });
    assert.equal(a.session, b.session);
  });

  it('null policy "error" names the feature, the user and the file', async () => {
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }));
    const b = batch(10);
    b.columns.cart_adds_30d[7] = null;
    await assert.rejects(scorer.scoreBatch(b, { nullPolicy: 'error', source: 'silver/part-0.parquet' }), {
      name: 'FeatureNotFinite',
      message:
        'feature cart_adds_30d is null for user_id 1007 in silver/part-0.parquet ' +
        '(null policy "error"; use "impute" or "skip" to score anyway)',
    });
    const c = batch(10);
    c.columns.discount_usage_rate[3] = NaN;
    await assert.rejects(scorer.scoreBatch(c, { nullPolicy: 'error', source: 'f.parquet' }), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.message.startsWith('feature discount_usage_rate is NaN for user_id 1003 in f.parquet'), true, e.message);
      assert.equal(e.retryable, false);
      return true;
    });
  });

  it('null policy "impute" uses the model metadata values; "skip" drops and counts the rows', async () => {
    const scorer = await loadScorer(await resolveModel(modelFile, { registryDir: dir }), { subBatchRows: 4 });
    const b = batch(10);
    b.columns.cart_adds_30d[2] = null;
    b.columns.discount_usage_rate[5] = NaN;
    b.columns.is_subscriber[9] = null;
    const imputed = await scorer.scoreBatch(b, { nullPolicy: 'impute' });
    assert.equal(imputed.skipped, 0);
    for (let i = 0; i < 10; i++) {
      const row = rowOf(b, i);
      if (i === 2) row[1] = IMPUTE[1];
      if (i === 5) row[2] = IMPUTE[2];
      if (i === 9) row[3] = IMPUTE[3];
      assert.ok(Math.abs(imputed.probabilities[i] - logistic(row)) < 1e-12, `row ${i}`);
    }
    const skipped = await scorer.scoreBatch(b, { nullPolicy: 'skip' });
    assert.equal(skipped.skipped, 3);
    assert.deepEqual(Array.from(skipped.userIds), [1000n, 1001n, 1003n, 1004n, 1006n, 1007n, 1008n]);
    assert.deepEqual(
      Array.from(skipped.probabilities),
      [0, 1, 3, 4, 6, 7, 8].map((i) => imputed.probabilities[i]),
    );
    // Dropping rows leaves the batch as it was read, and the reused feature matrix carries nothing over.
    assert.deepEqual(Array.from(b.columns.user_id as ArrayLike<unknown>, (x) => BigInt(x as bigint)), Array.from({ length: 10 }, (_, i) => 1000n + BigInt(i)));
    const again = await scorer.scoreBatch(b, { nullPolicy: 'impute' });
    assert.deepEqual(Array.from(again.probabilities), Array.from(imputed.probabilities));
  });

  it('"impute" without impute values in the model fails before scoring, naming the features', async () => {
    const file = await writeLogisticModel(path.join(dir, 'no-impute.onnx'), { features: FEATURES, weights: WEIGHTS, intercept: INTERCEPT });
    const pinned = await resolveModel(file, { registryDir: dir });
    const scorer = await loadScorer(pinned);
    await assert.rejects(scorer.scoreBatch(batch(3), { nullPolicy: 'impute' }), {
      name: 'FeatureNotFinite',
      message: `null policy "impute" but model no-impute version ${pinned.version} has no impute value for sessions_30d, cart_adds_30d, discount_usage_rate, is_subscriber (metadata impute_values)`,
    });
  });

  it('a missing column names the column and the source', async () => {
    const pinned = await resolveModel(modelFile, { registryDir: dir });
    const scorer = await loadScorer(pinned);
    const b = batch(3) as { numRows: number; columns: Record<string, unknown[] | ArrayLike<unknown>> };
    delete b.columns.discount_usage_rate;
    await assert.rejects(scorer.scoreBatch(b, { nullPolicy: 'error', source: 'part-7.parquet' }), {
      name: 'SilverMissingColumn',
      message: 'column "discount_usage_rate" needed by model lr is missing from part-7.parquet',
    });
  });

  describe('an output that is not a probability fails the batch, naming model, users, an example and the file', () => {
    // The logistic model without its Sigmoid: a linear regression, whose outputs are not probabilities.
    const linear = (file: string, weights: number[], intercept: number, last?: string) =>
      writeLogisticModel(path.join(dir, file), { features: FEATURES, weights, intercept }, (m) => {
        const node = m.graph!.node!.find((n) => n.opType === 'Sigmoid')!;
        if (last) node.opType = last;
        else m.graph!.node = m.graph!.node!.filter((n) => n !== node).map((n) => (n.opType === 'Add' ? { ...n, output: ['probability'] } : n));
      });

    it('outputs above 1 (a regression): all sub-batches are counted, the first one is the example', async () => {
      // 0.1 × sessions_30d (= i % 17): users with i % 17 ≥ 11 score 1.1 … 1.6.
      const pinned = await resolveModel(await linear('regression.onnx', [0.1, 0, 0, 0], 0), { registryDir: dir });
      const scorer = await loadScorer(pinned, { subBatchRows: 1000 });
      const b = batch(5000);
      const expected = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 17 >= 11).length;
      assert.equal(expected, 1764);
      await assert.rejects(scorer.scoreBatch(b, { nullPolicy: 'error', source: 'silver/part-3.parquet' }), (e: Error & { retryable?: boolean }) => {
        assert.equal(e.name, 'ModelOutputNotProbability');
        assert.equal(e.retryable, false);
        assert.equal(
          e.message,
          `model regression version ${pinned.version}: output "probability" is not a probability for 1764 of 5000 users in ` +
            `silver/part-3.parquet (values outside [0, 1] or NaN), e.g. user_id 1011: ${0.1 * 11}`,
        );
        return true;
      });
    });

    it('NaN and values below 0 count too', async () => {
      // sqrt(0.1 × sessions_30d − 0.5): NaN for sessions < 5, above 1 for sessions = 16.
      const pinned = await resolveModel(await linear('sqrt.onnx', [0.1, 0, 0, 0], -0.5, 'Sqrt'), { registryDir: dir });
      const scorer = await loadScorer(pinned);
      await assert.rejects(scorer.scoreBatch(batch(34), { nullPolicy: 'error', source: 'part-0.parquet' }), {
        name: 'ModelOutputNotProbability',
        message: `model sqrt version ${pinned.version}: output "probability" is not a probability for 12 of 34 users in part-0.parquet (values outside [0, 1] or NaN), e.g. user_id 1000: NaN`,
      });
      const negative = await resolveModel(await linear('negative.onnx', [0, 0, 0, -1], 0), { registryDir: dir });
      // −is_subscriber: −1 for every third user (i % 3 = 0), −0 (a probability) for the others.
      await assert.rejects((await loadScorer(negative)).scoreBatch(batch(9), { nullPolicy: 'error' }), {
        name: 'ModelOutputNotProbability',
        message: `model negative version ${negative.version}: output "probability" is not a probability for 3 of 9 users in the batch (values outside [0, 1] or NaN), e.g. user_id 1000: -1`,
      });
    });

    it('0 and 1 themselves are probabilities', async () => {
      // 0.1 × sessions_30d for sessions 0 … 10: exactly 0 and exactly 1 at the ends.
      const pinned = await resolveModel(await linear('edges.onnx', [0.1, 0, 0, 0], 0), { registryDir: dir });
      const b = batch(11);
      const out = await (await loadScorer(pinned)).scoreBatch(b, { nullPolicy: 'error' });
      assert.equal(out.probabilities[0], 0);
      assert.equal(out.probabilities[10], 1);
    });
  });

  it('refuses to load a model whose bytes no longer match the pinned sha256', async () => {
    const file = await writeLogisticModel(path.join(dir, 'moving.onnx'), { features: FEATURES, weights: WEIGHTS, intercept: -9 });
    const pinned = await resolveModel(file, { registryDir: dir });
    await writeLogisticModel(file, { features: FEATURES, weights: WEIGHTS, intercept: 0 });
    await assert.rejects(loadScorer(pinned), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelDigestMismatch');
      assert.match(e.message, new RegExp(`^model moving version ${pinned.version} changed under the run: ${file} has sha256 [0-9a-f]{64}, pinned ${pinned.sha256}`));
      return true;
    });
  });
});
