import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { generateCommand } from '../../cli/generate';
import { modelCommand } from '../../cli/model';
import { trainCommand } from '../../cli/train';
import { openTable } from '../../delta';
import { FEATURE_NAMES, inTrainingSample } from '../../demo';
import { listModels } from '../../registry';
import { tempDir } from '../registry/helpers';

/** Runs a command in-process, capturing what it prints. */
async function capture(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('cli: generate, train, model', () => {
  let dir: string;
  before(async () => (dir = await tempDir('cli')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('generates, trains, registers, lists and moves aliases', async () => {
    const data = ['--data-dir', dir];
    const gen = await capture(() => generateCommand(['--users', '5000', '--seed', '3', '--date', '2026-11-23', ...data]));
    assert.equal(gen.code, 0);
    assert.match(gen.out, new RegExp(`^Silver ${path.join(dir, 'silver', 'user_features')}: 5000 users, snapshot_date=2026-11-23, 1 file\\(s\\), version 1`));
    assert.equal((await openTable(path.join(dir, 'silver', 'user_features'))).numRecords({ snapshot_date: '2026-11-23' }), 5000);

    const train = await capture(() => trainCommand(['--date', '2026-11-23', ...data]));
    assert.equal(train.code, 0);
    assert.match(train.out, /^models:\/purchase_propensity@champion → version 1 \(sha256 [0-9a-f]{64}\)\nsnapshot 2026-11-23, split user_id hash, seed 1, held out 0.2\n/);
    const heldOut = /\n {2}held out +(\d+) +([\d.]+)% +([\d.]+) +([\d.]+)\n {2}training +(\d+) +([\d.]+)% +([\d.]+) +([\d.]+)\n/.exec(train.out);
    assert.ok(heldOut, train.out);
    assert.equal(Number(heldOut[1]) + Number(heldOut[5]), 5000);

    const [{ versions }] = await listModels(path.join(dir, 'models'));
    const blob = path.join(dir, 'models', versions[0].blob);
    // The model takes ten features: register checks that the names given are ten (a run maps them to Silver columns).
    const renamed = FEATURE_NAMES.map((f) => `${f}_v2`);
    const reg = await capture(() => modelCommand(['register', blob, '--name', 'purchase_propensity', '--features', renamed.join(', '), ...data]));
    assert.deepEqual(reg, { code: 0, out: `registered purchase_propensity version 2 (sha256 ${versions[0].sha256})` });
    assert.deepEqual(await capture(() => modelCommand(['alias', 'purchase_propensity', 'champion', '2', ...data])), {
      code: 0,
      out: 'models:/purchase_propensity@champion → version 2',
    });
    const list = await capture(() => modelCommand(['list', '--json', ...data]));
    const models = JSON.parse(list.out);
    assert.deepEqual(models[0].aliases, { champion: '2' });
    assert.deepEqual(models[0].versions.map((v: { features: string[] }) => v.features), [[], renamed]);
    // train stored its numbers with version 1 (as printed, to the digits printed); a hand registration has none.
    const [trained, registered] = models[0].versions as { metrics?: Record<string, number>; params?: Record<string, string> }[];
    assert.deepEqual(Object.keys(trained.metrics!).sort(), [
      'holdout_auc', 'holdout_log_loss', 'holdout_positive_rate', 'holdout_rows', 'train_auc', 'train_log_loss', 'train_positive_rate', 'train_rows',
    ]);
    assert.equal(trained.metrics!.holdout_rows, Number(heldOut[1]));
    assert.equal((trained.metrics!.holdout_positive_rate * 100).toFixed(2), heldOut[2]);
    assert.equal(trained.metrics!.holdout_auc.toFixed(4), heldOut[3]);
    assert.equal(trained.metrics!.holdout_log_loss.toFixed(4), heldOut[4]);
    assert.equal(trained.metrics!.train_auc.toFixed(4), heldOut[7]);
    assert.equal(trained.params!.snapshot_date, '2026-11-23');
    assert.equal(registered.metrics, undefined);
    const text = await capture(() => modelCommand(['list', ...data]));
    assert.ok(text.out.includes(`\n       held out: AUC ${heldOut[3]}, log loss ${heldOut[4]}, ${heldOut[1]} users, ${heldOut[2]}% buyers (snapshot 2026-11-23)\n`), text.out);

    // Training again on the same data gives the same bytes: version 1 again, its metrics as they were.
    const again = await capture(() => trainCommand(['--date', '2026-11-23', ...data]));
    assert.match(again.out, /^models:\/purchase_propensity@champion → version 1 \(same bytes as before: version reused\)/);
    const [relisted] = JSON.parse((await capture(() => modelCommand(['list', '--json', ...data]))).out);
    assert.deepEqual(relisted.versions[0], models[0].versions[0]);
    assert.ok(!train.out.includes('sampled'), train.out);

    // Fewer --max-rows than users: train says it sampled, how many of how many, as the hash picks them.
    let sampled = 0;
    for (let id = 1n; id <= 5000n; id++) if (inTrainingSample(id, 2000, 5000)) sampled++;
    const small = await capture(() => trainCommand(['--date', '2026-11-23', '--max-rows', '2000', ...data]));
    assert.equal(small.code, 0);
    assert.ok(small.out.includes(`\nsampled ${sampled} of 5000 users (--max-rows 2000, by a hash of user_id)\n`), small.out);
  });

  it('prints help, and fails with a message on bad input', async () => {
    const help = await capture(() => modelCommand(['--help']));
    assert.equal(help.code, 0);
    assert.match(help.out, /^Usage: batch-score model register FILE --name NAME/);
    assert.equal((await capture(() => modelCommand(['frobnicate', '--data-dir', dir]))).code, 2);
    await assert.rejects(generateCommand(['--users', 'many']), /--users: "many" is not a whole number > 0/);
    await assert.rejects(trainCommand(['--date', '2026-13-40']), /--date: "2026-13-40" is not a calendar date YYYY-MM-DD/);
    // A date the Silver tables do not have: the code, the table, the date, the dates it has, what to do.
    const silver = path.join(dir, 'silver', 'user_features');
    assert.deepEqual(await capture(() => trainCommand(['--date', '2026-11-30', '--data-dir', dir])), {
      code: 1,
      out:
        `batch-score train: SilverNoData: Silver table ${silver} has no partition snapshot_date=2026-11-30 (its dates: 2026-11-23)\n` +
        '  hint: build the Silver snapshot of that date first (batch-score features --date D from events, or batch-score generate --date D for demo data), or score a date it has',
    });
  });
});
