/**
 * The top-buyers rule as the README promises it: the first `fraction` of users by probability, ties by the
 * smaller user_id, at least `minProbability`, at most `limit`. The selection merges the candidates each scoring
 * unit handed on (pipeline/top-candidates.ts) and never reads Gold: checked here, for both deliveries (inline in
 * the results, staged as files), over units built so that ties matter (a few probability levels shared by
 * thousands of users, ids not in unit order, a unit of zero rows, a retried unit whose earlier attempt staged
 * too), against the brute-force reference (full sort of every row). A workflow run:
 * test/workflows/top-buyers.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { candidatePlan, CandidatePlan, INLINE_CANDIDATES_MAX, INLINE_UNIT_CANDIDATES_MAX, runCandidates, RunCandidates, UnitCandidates } from '../../pipeline/candidate-plan';
import { candidateFileName, handOnCandidates, mergeCandidateColumns, unitCandidates } from '../../pipeline/top-candidates';
import { rankedUsers, TopK } from '../../pipeline/top-k';
import { topCount, TopBuyersRule } from '../../pipeline/top-buyers-rule';
import { expectedTopBuyers, Scored } from '../support/reference';

const DAY = '2026-11-23';
const USERS = 8_000;
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

/** Unit sizes (sum USERS): uneven, one unit of zero rows. */
const UNIT_ROWS = [1_500, 0, 2_500, 3_000, 1_000];
/** This unit finished on its second attempt; its first attempt staged candidates too. */
const RETRIED_UNIT = 3;

interface Unit {
  index: number;
  userIds: BigInt64Array;
  probabilities: Float64Array;
}

function unitsOf(users: Scored[]): Unit[] {
  let at = 0;
  return UNIT_ROWS.map((n, index) => {
    const part = users.slice(at, (at += n));
    return {
      index,
      userIds: BigInt64Array.from(part, (u) => BigInt(u.user_id)),
      probabilities: Float64Array.from(part, (u) => u.purchase_probability),
    };
  });
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

  let runs = 0;
  /** Every unit hands on its candidates as `plan` says (the retried unit twice, as attempts 1 and 2); the merged list. */
  async function select(run: string, units: Unit[], rule: TopBuyersRule, plan: CandidatePlan): Promise<{ merged: Scored[]; handed: RunCandidates; perUnit: UnitCandidates[] }> {
    const topBuyersTable = path.join(dir, 'top_buyers');
    const perUnit: UnitCandidates[] = [];
    for (const u of units) {
      const ranked = unitCandidates(u.userIds, u.probabilities, plan);
      const to = { topBuyersTable, scoreDate: DAY, runId: run, unitIndex: u.index, attempt: 1 };
      const first = await handOnCandidates(ranked, plan, to);
      perUnit.push(u.index === RETRIED_UNIT ? await handOnCandidates(ranked, plan, { ...to, attempt: 2 }) : first);
    }
    const handed = runCandidates(perUnit.map((candidates, unitIndex) => ({ unitIndex, candidates })));
    const merged = rankedUsers(await mergeCandidateColumns({ topBuyersTable, scoreDate: DAY, runId: run, rule, scoredUsers: USERS, candidates: handed }));
    return { merged: asScored(merged), handed, perUnit };
  }

  it('the merged candidates of all units give exactly the brute-force list, inline and staged, for every rule', async () => {
    const users = tiedUsers();
    // Units of shuffled users, and units where the best users all sit in the first units (each must hand on its whole bound).
    const bestFirst = [...users].sort((a, b) => b.purchase_probability - a.purchase_probability || a.user_id - b.user_id);
    for (const units of [unitsOf(users), unitsOf(bestFirst)]) await everyRule(users, units);
  });

  async function everyRule(users: Scored[], units: Unit[]): Promise<void> {
    const byLevel = (p: number) => users.filter((u) => u.purchase_probability === p).length;
    assert.ok(byLevel(0.9) > 2000 && byLevel(0.3) > 1000 && byLevel(0.1 + 0.2) > 500, 'large tie groups');
    assert.equal(units[1].userIds.length, 0);

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
      const expected = expectedTopBuyers(users, rule);
      // Silver held more rows than the run scored (the null policy skipped some): the bound is still safe.
      for (const silverRows of [USERS, USERS + 137]) {
        for (const delivery of ['inline', 'staged'] as const) {
          const plan = { ...candidatePlan(rule, silverRows, units.length), delivery };
          const what = `${JSON.stringify(rule)} ${delivery} silverRows=${silverRows}`;
          const { merged, handed, perUnit } = await select(`run-${runs++}`, units, rule, plan);
          assert.deepEqual(merged, expected, what);
          // Under a staged plan, a unit of a few candidates hands them on inline (no file of its own).
          const staged = (c: UnitCandidates) => delivery === 'staged' && c.count > INLINE_UNIT_CANDIDATES_MAX;
          assert.deepEqual(perUnit.map((c) => c.delivery), perUnit.map((c) => (staged(c) ? 'staged' : 'inline')), what);
          assert.equal(handed.delivery, perUnit.some(staged) ? 'staged' : 'inline', what);
          for (const [i, c] of perUnit.entries()) {
            assert.ok(c.count <= plan.perUnit && c.count <= units[i].userIds.length, `${what}: unit ${i} hands on ${c.count}`);
          }
          assert.equal(perUnit[1].count, 0, 'the unit of zero rows hands on nothing');
        }
      }
    }

  }

  it('spelled out for one rule: the limit decides the length, and the cut inside a tie group keeps the smaller ids', async () => {
    // The limit, not the fraction, decides the length, and at the cut inside the 0.9 group every user kept has a
    // smaller id than every 0.9 user left out.
    const users = tiedUsers();
    const units = unitsOf(users);
    const rule = { fraction: 0.25, minProbability: 0.5, limit: 1_500 };
    const kept = (await select('run-spelled-out', units, rule, candidatePlan(rule, USERS, units.length))).merged;
    assert.equal(kept.length, 1_500);
    assert.ok(1_500 < Math.floor(rule.fraction * USERS));
    const keptAt09 = kept.filter((u) => u.purchase_probability === 0.9).map((u) => u.user_id);
    const keptSet = new Set(keptAt09);
    const leftAt09 = users.filter((u) => u.purchase_probability === 0.9 && !keptSet.has(u.user_id)).map((u) => u.user_id);
    assert.ok(keptAt09.length > 0 && leftAt09.length > 0, 'the cut falls inside the tie group');
    assert.ok(Math.max(...keptAt09) < Math.min(...leftAt09));
    assert.deepEqual(keptAt09, [...keptAt09].sort((a, b) => a - b), 'ties listed by user_id');
  });

  it('a staged run reads only the attempt that finished: the retried unit\'s first attempt is on storage and ignored', async () => {
    const units = unitsOf(tiedUsers());
    const rule = { fraction: 1, minProbability: 0 }; // every user is a candidate: a duplicate would show
    const plan = candidatePlan(rule, USERS, units.length);
    assert.equal(plan.delivery, 'staged');
    const { merged, handed } = await select('run-retried', units, rule, plan);
    const folder = path.join(dir, 'top_buyers', `score_date=${DAY}`);
    assert.ok(fs.existsSync(path.join(folder, candidateFileName('run-retried', RETRIED_UNIT, 1))));
    // Unit 1 has no rows: nothing to stage, so no file (attempt 0).
    assert.deepEqual(handed.delivery === 'staged' && handed.attempts, [1, 0, 1, 2, 1]);
    assert.equal(merged.length, USERS);
    assert.equal(new Set(merged.map((u) => u.user_id)).size, USERS);
  });

  it(`under a staged plan a unit of at most ${INLINE_UNIT_CANDIDATES_MAX} candidates hands them on inline, without a file; merged with the staged ones they give the brute-force list`, async () => {
    const users = tiedUsers();
    // Unit 4 (users 7,000..7,999) keeps only its first 12 users.
    const units = unitsOf(users).map((u) => (u.index === 4 ? { ...u, userIds: u.userIds.slice(0, 12), probabilities: u.probabilities.slice(0, 12) } : u));
    const kept = users.slice(0, 7_012);
    const rule = { fraction: 1, minProbability: 0 };
    const plan = candidatePlan(rule, USERS, units.length);
    assert.equal(plan.delivery, 'staged');
    const { merged, handed, perUnit } = await select('run-few', units, rule, plan);
    assert.deepEqual(perUnit.map((c) => [c.delivery, c.count]), [['staged', 1_500], ['inline', 0], ['staged', 2_500], ['staged', 3_000], ['inline', 12]]);
    assert.equal(fs.existsSync(path.join(dir, 'top_buyers', `score_date=${DAY}`, candidateFileName('run-few', 4, 1))), false, 'no file for the inline unit');
    assert.deepEqual(handed.delivery === 'staged' && [handed.attempts, handed.rows, handed.userIds.length], [[1, 0, 1, 2, 0], 7_000, 12]);
    assert.deepEqual(merged, expectedTopBuyers(kept, rule));
  });

  it('a staged candidates file that is missing, or holds other rows than staged, fails the selection naming it', async () => {
    const units = unitsOf(tiedUsers());
    const rule = { fraction: 0.5, minProbability: 0 };
    const plan = candidatePlan(rule, USERS, units.length);
    const { handed } = await select('run-lost', units, rule, plan);
    assert.equal(handed.delivery, 'staged');
    const topBuyersTable = path.join(dir, 'top_buyers');
    const merge = async (candidates: RunCandidates) => rankedUsers(await mergeCandidateColumns({ topBuyersTable, scoreDate: DAY, runId: 'run-lost', rule, scoredUsers: USERS, candidates }));
    if (handed.delivery !== 'staged') return;
    await assert.rejects(merge({ ...handed, rows: handed.rows + 1 }), {
      code: 'StagedFileInvalid',
      message: `the top-buyer candidate files of run run-lost in ${topBuyersTable} hold ${handed.rows} rows, the units staged ${handed.rows + 1}`,
    });
    const lost = `score_date=${DAY}/${candidateFileName('run-lost', 2, 1)}`;
    fs.rmSync(path.join(topBuyersTable, lost));
    await assert.rejects(merge(handed), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'StagedFileInvalid');
      assert.match(err.message, new RegExp(`^top-buyer candidates ${lost.replace(/[.]/g, '\\.')} of unit 2 in ${topBuyersTable}: .*missing`));
      return true;
    });
  });

  it('candidates go inline only while all units together stay small; every payload stays far under 256 KB at 20,000 units', () => {
    const limit25 = { fraction: 1, minProbability: 0.5, limit: 25 };
    assert.equal(candidatePlan(limit25, 1_000_000, INLINE_CANDIDATES_MAX / 25).delivery, 'inline');
    assert.equal(candidatePlan(limit25, 1_000_000, INLINE_CANDIDATES_MAX / 25 + 1).delivery, 'staged');
    assert.deepEqual(candidatePlan({ fraction: 0.1, minProbability: 0.8 }, 1_000_000, 4), { perUnit: 100_000, minProbability: 0.8, delivery: 'staged' });
    assert.equal(candidatePlan({ fraction: 0.1, minProbability: 0.8 }, 2_000, 4).delivery, 'inline'); // 200 per unit

    // The largest inline selection input: INLINE_CANDIDATES_MAX candidates of the longest ids and probabilities.
    const perUnit = 1;
    const inline = Array.from({ length: INLINE_CANDIDATES_MAX }, (_, unitIndex): { unitIndex: number; candidates: UnitCandidates } => ({
      unitIndex, candidates: { delivery: 'inline', count: perUnit, userIds: ['-9223372036854775808'], probabilities: [0.12345678901234568] },
    }));
    const inlineBytes = JSON.stringify(runCandidates(inline)).length;
    assert.ok(inlineBytes < 100_000, `${inlineBytes} bytes`);
    // 20,000 staged units, each on its 10th (last) attempt.
    const staged = Array.from({ length: 20_000 }, (_, unitIndex): { unitIndex: number; candidates: UnitCandidates } => ({
      unitIndex, candidates: { delivery: 'staged', count: 100_000, attempt: 10 },
    }));
    const stagedBytes = JSON.stringify(runCandidates(staged)).length;
    assert.ok(stagedBytes < 64_000, `${stagedBytes} bytes`);
    // The attempts are indexed by position and read back as unit indexes: a gap or a unit twice is refused.
    const [a, b] = staged;
    assert.throws(() => runCandidates([a, { ...b, unitIndex: 2 }]), /must come from units 0\.\.1, each once: found unit 2 at position 1/);
    assert.throws(() => runCandidates([a, a]), /found unit 0 at position 1/);
    // One unit's staged candidates add a few bytes to its result (at most INLINE_CANDIDATES_MAX candidates inline).
    assert.ok(JSON.stringify(staged[0].candidates).length < 60);
    assert.equal(topCount(limit25, 1_000_000), 25);
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
