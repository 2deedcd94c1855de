/**
 * `batch-score generate --events`: the same seed gives the same bytes (plain and gzip), the events look like the
 * public dataset (shares of views, carts and purchases; events a user; sessions; missing brands and categories),
 * and a user's past activity predicts a purchase in the next seven days without deciding it.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { EVENT_HEADER } from '../../events';
import { batchScore, REPO_ROOT, tempDir } from '../support/processes';

const run = promisify(execFile);

/** Area under the ROC curve of `score` for the positives in `label` (ties count half). */
function auc(score: number[], label: boolean[]): number {
  const pos = score.filter((_, i) => label[i]);
  const neg = score.filter((_, i) => !label[i]);
  let sum = 0;
  for (const p of pos) for (const n of neg) sum += p > n ? 1 : p === n ? 0.5 : 0;
  return sum / (pos.length * neg.length);
}

describe('demo: generate --events', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => (dir = await tempDir('gen-events')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  const generate = (out: string, seed: number, ...more: string[]) =>
    batchScore(['generate', '--events', '--users', '2000', '--seed', String(seed), '--out', path.join(dir, out), ...more]);

  it('is deterministic by seed: same seed, same bytes (plain and gzip); another seed, other events', async () => {
    await generate('a.csv', 7);
    await generate('b.csv', 7);
    const c8 = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'generate', '--events', '--users', '20000', '--seed', '8', '--out', path.join(dir, 'c.csv')]);
    assert.match(c8.stderr, /^progress generate events: writing, 10,000\/20,000 users$/m, 'progress in users');
    await generate('a.csv.gz', 7);
    await generate('b.csv.gz', 7);
    const [a, b, c] = await Promise.all(['a.csv', 'b.csv', 'c.csv'].map((f) => fs.readFile(path.join(dir, f))));
    assert.ok(a.equals(b));
    assert.ok(!a.equals(c));
    const [az, bz] = await Promise.all(['a.csv.gz', 'b.csv.gz'].map((f) => fs.readFile(path.join(dir, f))));
    assert.ok(az.equals(bz));
    assert.ok(gunzipSync(az).equals(a), 'the .gz file holds the same CSV');
  });

  it('looks like the public dataset, and past activity predicts the next week\'s purchases (2,000 users)', async () => {
    const out = await generate('p.csv', 11);
    const text = await fs.readFile(path.join(dir, 'p.csv'), 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], EVENT_HEADER);
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.match(out, new RegExp(`: ${rows.length} events of 2000 users, 2026-10-01 \\.\\. 2026-11-29 \\(views `));
    const share = (type: string) => rows.filter((r) => r[1] === type).length / rows.length;
    assert.ok(share('view') > 0.95 && share('view') < 0.97, `views ${share('view')}`);
    assert.ok(share('cart') > 0.015 && share('cart') < 0.025, `carts ${share('cart')}`);
    assert.ok(share('purchase') >= 0.013 && share('purchase') <= 0.02, `purchases ${share('purchase')}`);
    const users = new Set(rows.map((r) => r[7]));
    assert.equal(users.size, 2000);
    assert.ok(rows.length / 2000 > 12 && rows.length / 2000 < 16, `events a user ${rows.length / 2000}`);
    assert.ok(rows.every((r) => r.length === 9 && /^2026-(10|11)-\d\d \d\d:\d\d:\d\d UTC$/.test(r[0])));
    assert.ok(rows.every((r) => r[0] >= '2026-10-01' && r[0] < '2026-11-30'));
    const missing = (col: number) => rows.filter((r) => r[col] === '').length / rows.length;
    assert.ok(missing(4) > 0.1 && missing(4) < 0.5, `category_code missing ${missing(4)}`);
    assert.ok(missing(5) > 0.05 && missing(5) < 0.3, `brand missing ${missing(5)}`);
    const sessions = rows.map((r) => r[8]).filter((s) => s !== '');
    assert.ok(sessions.every((s) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(s)));
    assert.ok(new Set(sessions).size > 2000, 'several sessions a user');
    assert.ok(rows.every((r) => Number(r[6]) > 0));

    // Events before D against a purchase in [D, D+7): predictive, not decisive.
    const D = '2026-11-09';
    const end = '2026-11-16';
    const past = new Map<string, number>();
    const bought = new Set<string>();
    for (const r of rows) {
      if (r[0] < D && r[0] >= '2026-10-10') past.set(r[7], (past.get(r[7]) ?? 0) + 1);
      else if (r[0] >= D && r[0] < end && r[1] === 'purchase') bought.add(r[7]);
    }
    const seen = [...past.keys()];
    const labels = seen.map((u) => bought.has(u));
    const rate = labels.filter(Boolean).length / seen.length;
    assert.ok(rate > 0.01 && rate < 0.06, `buyers in the week ${rate}`);
    const a = auc(seen.map((u) => past.get(u)!), labels);
    assert.ok(a > 0.65 && a < 0.9, `AUC of past events count ${a}`);
  });

  it('refuses options that do not go together, naming them', async () => {
    await assert.rejects(batchScore(['generate', '--events', '--users', '10']), /--events needs --out FILE/);
    await assert.rejects(batchScore(['generate', '--events', '--out', path.join(dir, 'x.json')]), /--out: ".*x\.json" must end in \.csv or \.csv\.gz/);
    await assert.rejects(batchScore(['generate', '--events', '--out', path.join(dir, 'x.csv'), '--date', '2026-11-09']), /--date does not apply to --events/);
    await assert.rejects(batchScore(['generate', '--out', path.join(dir, 'x.csv')]), /--out needs --events/);
    await assert.rejects(batchScore(['generate', '--events', '--out', path.join(dir, 'x.csv'), '--from', '2026-11-09', '--to', '2026-11-01']), /--to 2026-11-01 is before --from 2026-11-09/);
  });
});
