import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { openTable, scanTable } from '../../delta';
import { FEATURE_NAMES } from '../../demo';
import { resolveModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { FIXTURE_DATE, Fixtures, modelFixtures } from '../../devkit';

/** Scores the fixture's first 10,000 users with our scorer, in user_id order. */
async function ourScores(f: Fixtures, model: string, features?: string[]) {
  const pinned = await resolveModel(path.join(f.models, `${model}.onnx`), { registryDir: f.dir, features });
  const scorer = await loadScorer(pinned);
  const ids: bigint[] = [];
  const probabilities: number[] = [];
  for await (const b of scanTable(await openTable(f.silver), { columns: scorer.columns, partition: { snapshot_date: FIXTURE_DATE } })) {
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    ids.push(...out.userIds);
    probabilities.push(...out.probabilities);
    if (ids.length >= f.expected.user_ids.length) break;
  }
  return { pinned, scorer, ids: ids.slice(0, 10_000), probabilities: probabilities.slice(0, 10_000) };
}

describe('scoring: real model fixtures (skl2onnx, onnxmltools) equal their library within 1e-5', function () {
  let f: Fixtures;
  before(async function () {
    this.timeout(300_000);
    f = await modelFixtures();
  });

  const cases: [string, string, string | undefined][] = [
    // model, expected contract summary, features given by the run (else from the model)
    ['sklearn_lr', 'matrix X float32 → probabilities[:,1]', undefined],
    ['sklearn_lr_double', 'matrix X float64 → probabilities[:,1]', undefined],
    ['sklearn_lr_per_feature', 'per-feature float32 × 10 → probabilities[:,1]', undefined],
    ['sklearn_lr_vector', 'matrix X float32 → positive_probability[:,0]', undefined],
    ['sklearn_rf', 'matrix X float32 → probabilities[:,1]', undefined],
    ['sklearn_hgb', 'matrix X float32 → probabilities[:,1]', undefined],
    ['sklearn_gb', 'matrix X float32 → probabilities[:,1]', undefined],
    ['xgboost', 'matrix input float32 → probabilities[:,1]', 'run'],
    ['lightgbm', 'matrix input float32 → probabilities[:,1]', undefined],
    ['sklearn_mlp', 'matrix X float32 → probabilities[:,1]', undefined],
  ];
  for (const [model, summary, runFeatures] of cases) {
    it(`${model}: ${summary}`, async () => {
      const ours = await ourScores(f, model, runFeatures ? FEATURE_NAMES : undefined);
      assert.deepEqual(ours.pinned.features, FEATURE_NAMES);
      const c = ours.scorer.contract;
      const input = c.input.kind === 'matrix' ? `matrix ${c.input.name} ${c.input.type}` : `per-feature ${c.input.inputs[0].type} × ${c.input.inputs.length}`;
      assert.equal(`${input} → ${c.output.name}[:,${c.output.positiveColumn}]`, summary);
      assert.deepEqual(ours.ids, f.expected.user_ids.map(BigInt));
      const expected = f.expected.probabilities[model];
      let worst = 0;
      for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(ours.probabilities[i] - expected[i]));
      assert.ok(worst < 1e-5, `${model}: max |ours - predict_proba| = ${worst}`);
    });
  }

  it('the positive column of a [N, 2] output is configurable', async () => {
    const pinned = await resolveModel(path.join(f.models, 'lightgbm.onnx'), { registryDir: f.dir });
    const scorer = await loadScorer(pinned, { positiveColumn: 0 });
    assert.deepEqual(scorer.contract.output, { name: 'probabilities', positiveColumn: 0 });
    const b = (await scanTable(await openTable(f.silver), { columns: scorer.columns }).next()).value!;
    const out = await scorer.scoreBatch(b, { nullPolicy: 'error' });
    const expected = f.expected.probabilities['lightgbm'];
    for (let i = 0; i < 1000; i++) assert.ok(Math.abs(out.probabilities[i] - (1 - expected[i])) < 1e-5);
  });

  it('xgboost without feature names in the model and none given fails at resolve, naming the fix', async () => {
    const file = path.join(f.models, 'xgboost.onnx');
    await assert.rejects(resolveModel(file, { registryDir: f.dir }), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelFeatureMapping');
      assert.equal(e.retryable, false);
      assert.match(e.message, /^model xgboost version sha256:[0-9a-f]{12}: no feature names \(input input tensor\(float\)\[\?,10\]\); give them with --features/);
      return true;
    });
  });

  it('a regression model (sklearn LinearRegression) is refused while scoring: its outputs are not probabilities', async () => {
    const pinned = await resolveModel(path.join(f.models, 'sklearn_linreg.onnx'), { registryDir: f.dir });
    const scorer = await loadScorer(pinned); // a single float [N, 1] output fits the contract's shapes
    const first = (await scanTable(await openTable(f.silver), { columns: scorer.columns, partition: { snapshot_date: FIXTURE_DATE } }).next()).value!;
    const rows = 1000;
    const b = { numRows: rows, columns: Object.fromEntries(Object.entries(first.columns).map(([k, c]) => [k, (c as unknown[]).slice(0, rows)])) };
    // What LinearRegression.predict gave for these users: how many are outside [0, 1], and the first of them.
    const predicted = new Map(f.expected.user_ids.map((id, i) => [id, f.expected.probabilities.sklearn_linreg[i]]));
    const ids = Array.from(b.columns.user_id as ArrayLike<bigint>, Number);
    assert.ok(ids.every((id) => predicted.has(id)), 'the first rows are among the users with predictions');
    const outside = ids.filter((id) => !(predicted.get(id)! >= 0 && predicted.get(id)! <= 1));
    assert.ok(outside.length > 100, `only ${outside.length} users outside [0, 1]`);
    await assert.rejects(scorer.scoreBatch(b, { nullPolicy: 'error', source: 'silver/part-0.parquet' }), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelOutputNotProbability');
      assert.equal(e.retryable, false);
      const m = e.message.match(
        new RegExp(`^model sklearn_linreg version ${pinned.version}: output "variable" is not a probability for (\\d+) of 1000 users in silver/part-0.parquet \\(values outside \\[0, 1\\] or NaN\\), e\\.g\\. user_id (\\d+): (\\S+)$`),
      );
      assert.ok(m, e.message);
      assert.equal(Number(m[1]), outside.length);
      assert.equal(Number(m[2]), outside[0]);
      assert.ok(Math.abs(Number(m[3]) - predicted.get(outside[0])!) < 1e-3, `${m[3]} vs predict ${predicted.get(outside[0])}`);
      return true;
    });
  });

  it('ZipMap is refused when the model is loaded, with the zipmap=False advice', async () => {
    const pinned = await resolveModel(path.join(f.models, 'sklearn_lr_zipmap.onnx'), { registryDir: f.dir });
    await assert.rejects(loadScorer(pinned), (e: Error & { retryable?: boolean }) => {
      assert.equal(e.name, 'ModelContract');
      assert.equal(e.retryable, false);
      assert.equal(
        e.message,
        `model sklearn_lr_zipmap version ${pinned.version}: output "output_probability" is seq(map(int64,tensor(float))) (ZipMap); ` +
          "onnxruntime's JavaScript API cannot read sequence-of-map outputs. " +
          "Re-export with zipmap=False (skl2onnx: to_onnx(model, X, options={'zipmap': False}))",
      );
      return true;
    });
  });
});
