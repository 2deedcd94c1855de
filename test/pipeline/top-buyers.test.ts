/**
 * The top-buyers rule as the README promises it: the first `fraction` of users by probability, ties by the
 * smaller user_id, at least `minProbability`, at most `limit`. Checked on a real Gold table built so that ties
 * matter (a few probability levels shared by thousands of users, spread over several files and row groups, ids
 * not in file order) against the brute-force reference (full sort). A workflow run with topBuyers.limit:
 * test/workflows/top-buyers.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AddFile, ConstantColumn, dataFileRowGroups, openTable, replacePartition, writeDataFile } from '../../delta';
import { selectTopBuyers } from '../../pipeline/gold-top-buyers';
import { PREDICTIONS_TABLE } from '../../pipeline/gold-schemas';
import { TopK } from '../../pipeline/top-k';
import type { TopBuyersRule } from '../../pipeline/top-buyers-rule';
import { expectedTopBuyers, Scored } from '../support/reference';
import { partitionRows } from '../support/tables';

const DAY = '2026-11-23';
const USERS = 8_000;
const FILES = 4;
const ROW_GROUP_ROWS = 500;
// Few levels, so most users share their probability with hundreds of others; 0.1 + 0.2 and 0.3 differ in the
// last bit only and must not be merged.
const LEVELS = [0.97, 0.9, 0.9, 0.9, 0.85, 0.6, 0.1 + 0.2, 0.3, 0.3, 0.05];

/** A deterministic shuffle (LCG), so ids land in files and row groups out of order. */
function shuffled(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let x = seed;
  for (let i = n - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Users with ids above 2^31, each with a probability from LEVELS. */
function tiedUsers(): Scored[] {
  const order = shuffled(USERS, 42);
  return order.map((k, i) => ({ user_id: 3_000_000_000 + k * 7, purchase_probability: LEVELS[(i * 7 + (k % 3)) % LEVELS.length] }));
}

/** Gold partition DAY holding `users`, in FILES committed files of several row groups each. */
async function goldTable(dir: string, users: Scored[]): Promise<{ table: string; version: number }> {
  const table = path.join(dir, 'gold');
  const { schema, partitionColumns } = PREDICTIONS_TABLE;
  const per = users.length / FILES;
  const adds: AddFile[] = [];
  for (let f = 0; f < FILES; f++) {
    const part = users.slice(f * per, (f + 1) * per);
    adds.push(await writeDataFile(table, {
      schema, partitionColumns, partitionValues: { score_date: DAY }, rowGroupRows: ROW_GROUP_ROWS,
      batch: {
        numRows: part.length,
        columns: {
          user_id: BigInt64Array.from(part, (u) => BigInt(u.user_id)),
          purchase_probability: Float64Array.from(part, (u) => u.purchase_probability),
          predicted_buyer: Uint8Array.from(part, (u) => (u.purchase_probability >= 0.5 ? 1 : 0)),
          model_name: new ConstantColumn('m', part.length),
          model_version: new ConstantColumn('1', part.length),
          run_id: new ConstantColumn('run-ties', part.length),
          scored_at: new ConstantColumn(new Date('2026-11-23T06:00:00Z'), part.length),
        },
      },
    }));
  }
  const { version } = await replacePartition(table, { score_date: DAY }, adds, { createWith: PREDICTIONS_TABLE });
  return { table, version };
}

const asScored = (buyers: { userId: bigint; probability: number }[]): Scored[] =>
  buyers.map((b) => ({ user_id: Number(b.userId), purchase_probability: b.probability }));

describe('top buyers: ties and limit', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-top-buyers-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the reference implements the README rule: ties by the smaller user_id, then the floor, then the limit', () => {
    const rows: Scored[] = [
      { user_id: 5, purchase_probability: 0.9 }, { user_id: 2, purchase_probability: 0.9 }, { user_id: 9, purchase_probability: 0.95 },
      { user_id: 1, purchase_probability: 0.5 }, { user_id: 3, purchase_probability: 0.9 }, { user_id: 4, purchase_probability: 0.2 },
    ];
    const ids = (rule: TopBuyersRule) => expectedTopBuyers(rows, rule).map((r) => r.user_id);
    assert.deepEqual(ids({ fraction: 0.5, minProbability: 0 }), [9, 2, 3]);
    assert.deepEqual(ids({ fraction: 1, minProbability: 0.8 }), [9, 2, 3, 5]);
    assert.deepEqual(ids({ fraction: 1, minProbability: 0, limit: 2 }), [9, 2]);
    assert.deepEqual(ids({ fraction: 1, minProbability: 0, limit: 0 }), []);
  });

  it('selectTopBuyers on a Gold table of tied probabilities over files and row groups gives exactly the reference list', async () => {
    const users = tiedUsers();
    const { table, version } = await goldTable(dir, users);
    const snapshot = await openTable(table);
    assert.equal(snapshot.files({ score_date: DAY }).length, FILES);
    for (const f of snapshot.files()) assert.equal((await dataFileRowGroups(table, f)).length, USERS / FILES / ROW_GROUP_ROWS);
    const byLevel = (p: number) => users.filter((u) => u.purchase_probability === p).length;
    assert.ok(byLevel(0.9) > 2000 && byLevel(0.3) > 1000 && byLevel(0.1 + 0.2) > 500, 'large tie groups');

    // About 800 users per LEVELS entry: 0.97 (800), 0.9 (2,400), 0.85, 0.6, 0.1 + 0.2 (800 each), 0.3 (1,600), 0.05.
    const rules: TopBuyersRule[] = [
      { fraction: 0.1, minProbability: 0.5, limit: 150 }, // limit < fraction × users; the cut inside the 0.97 group
      { fraction: 0.25, minProbability: 0.5, limit: 1_500 }, // the limit cuts inside the 0.9 group
      { fraction: 0.2, minProbability: 0.5 }, // the fraction cuts inside the 0.9 group
      { fraction: 0.9, minProbability: 0.1 + 0.2 }, // the floor keeps 0.1 + 0.2, drops 0.3 (smaller by one bit)
      { fraction: 0.75, minProbability: 0, limit: 5_900 }, // the cut inside the 0.3 group, after all of 0.1 + 0.2
      { fraction: 0.5, minProbability: 0.99 }, // nobody
      { fraction: 1, minProbability: 0, limit: 0 },
      { fraction: 1, minProbability: 0 }, // everybody, in order
    ];
    for (const rule of rules) {
      const { scoredUsers, buyers } = await selectTopBuyers(table, version, DAY, rule);
      assert.equal(scoredUsers, USERS);
      const expected = expectedTopBuyers(users, rule);
      assert.deepEqual(asScored(buyers), expected, JSON.stringify(rule));
    }

    // Spelled out for one rule: the limit, not the fraction, decides the length, and at the cut inside the 0.9
    // group every user kept has a smaller id than every 0.9 user left out.
    const rule = { fraction: 0.25, minProbability: 0.5, limit: 1_500 };
    const kept = asScored((await selectTopBuyers(table, version, DAY, rule)).buyers);
    assert.equal(kept.length, 1_500);
    assert.ok(1_500 < Math.floor(rule.fraction * USERS));
    const keptAt09 = kept.filter((u) => u.purchase_probability === 0.9).map((u) => u.user_id);
    const keptSet = new Set(keptAt09);
    const leftAt09 = users.filter((u) => u.purchase_probability === 0.9 && !keptSet.has(u.user_id)).map((u) => u.user_id);
    assert.ok(keptAt09.length > 0 && leftAt09.length > 0, 'the cut falls inside the tie group');
    assert.ok(Math.max(...keptAt09) < Math.min(...leftAt09));
    assert.deepEqual(keptAt09, [...keptAt09].sort((a, b) => a - b), 'ties listed by user_id');
  });

  it('TopK keeps the k best of a stream with ties, for k from 0 to all', () => {
    const users = tiedUsers().slice(0, 1_000);
    for (const k of [0, 1, 7, 333, 999, 1_000, 1_500]) {
      const top = new TopK(Math.min(k, users.length));
      for (const u of users) top.offer(BigInt(u.user_id), u.purchase_probability);
      assert.deepEqual(asScored(top.ranked()), expectedTopBuyers(users, { fraction: 1, minProbability: 0, limit: k }), `k=${k}`);
    }
  });
});
