/**
 * The top-k selection (pipeline/top-k.ts, pipeline/rank-order.ts) against a brute-force ranking, on random
 * streams with many ties: user ids over the whole int64 range (beyond 2^53, negative: a number would round
 * them), probabilities from a few levels plus 0 and -0 (equal: ordered by user_id), streams many times longer
 * than k so the buffer is pruned again and again. Exact: the same user ids in the same order.
 */
import * as assert from 'node:assert/strict';
import { candidatePlan } from '../../pipeline/candidate-plan';
import { rankOrder } from '../../pipeline/rank-order';
import { unitCandidates } from '../../pipeline/top-candidates';
import { RankedColumns, TopK } from '../../pipeline/top-k';
import { seededRandom } from '../support/seeded-random';

interface User { id: bigint; p: number }

const LEVELS = [0, -0, 0.5, 0.8, 0.8, 0.8, 0.1 + 0.2, 0.3, 0.9999999999999999, 1];

/** n users, distinct ids over the int64 range; most probabilities from LEVELS, some continuous. */
function users(n: number, seed: number): User[] {
  const next = seededRandom(seed);
  const ids = new Set<bigint>();
  while (ids.size < n) ids.add(BigInt.asIntN(64, (BigInt(Math.floor(next() * 2 ** 32)) << 32n) | BigInt(Math.floor(next() * 2 ** 32))));
  return [...ids].map((id) => ({ id, p: next() < 0.8 ? LEVELS[Math.floor(next() * LEVELS.length)] : next() }));
}

/** The reference: a full sort of every user, written apart from the code under test. */
function bruteForce(all: User[], k: number, minProbability = 0): User[] {
  return all
    .filter((u) => u.p >= minProbability)
    .sort((a, b) => (a.p === b.p ? (a.id < b.id ? -1 : 1) : b.p - a.p))
    .slice(0, k);
}

const asUsers = (c: RankedColumns): User[] => Array.from(c.userIds, (id, i) => ({ id, p: c.probabilities[i] }));

describe('top-k selection against a brute-force ranking (random, many ties)', () => {
  it('TopK.offer keeps exactly the k best, best first, for k from 0 to more than the stream', () => {
    for (const seed of [1, 2, 3]) {
      const stream = users(5_000, seed);
      for (const k of [0, 1, 2, 3, 17, 100, 999, 2_500, 4_999, 5_000, 6_000]) {
        const top = new TopK(k);
        for (const u of stream) top.offer(u.id, u.p);
        const expected = bruteForce(stream, k);
        const got = asUsers(top.columns());
        assert.equal(got.length, expected.length, `seed ${seed} k=${k}`);
        // deepEqual tells -0 from 0: the kept user keeps its own value.
        assert.deepEqual(got, expected, `seed ${seed} k=${k}`);
        assert.deepEqual(top.ranked().map((u) => ({ id: u.userId, p: u.probability })), expected, `seed ${seed} k=${k}: ranked()`);
      }
    }
  });

  it('offerColumns in batches with a floor, and unitCandidates, give the brute-force list', () => {
    const stream = users(20_000, 7);
    const userIds = BigInt64Array.from(stream, (u) => u.id);
    const probabilities = Float64Array.from(stream, (u) => u.p);
    for (const [k, minProbability] of [[50, 0.5], [3_000, 0.3], [100_000, 0.8], [7, 1], [10, 1.5]] as const) {
      const top = new TopK(k);
      for (let at = 0; at < stream.length; at += 1_234) {
        top.offerColumns(userIds.subarray(at, at + 1_234), probabilities.subarray(at, at + 1_234), minProbability);
      }
      const expected = bruteForce(stream, k, minProbability);
      assert.deepEqual(asUsers(top.columns()), expected, `k=${k} min=${minProbability}`);
      const plan = { ...candidatePlan({ fraction: 1, minProbability, limit: k }, stream.length, 1), delivery: 'staged' as const };
      assert.deepEqual(asUsers(unitCandidates(userIds, probabilities, plan)), expected, `unitCandidates k=${k} min=${minProbability}`);
    }
  });

  it('rankOrder ranks given positions only, and refuses a probability that is NaN or below 0', () => {
    const stream = users(3_000, 11);
    const userIds = BigInt64Array.from(stream, (u) => u.id);
    const probabilities = Float64Array.from(stream, (u) => u.p);
    const positions = Uint32Array.from({ length: 1_000 }, (_, i) => 3 * i);
    const ranked = Array.from(rankOrder(positions, probabilities, userIds), (i) => stream[i]);
    assert.deepEqual(ranked, bruteForce(stream.filter((_, i) => i % 3 === 0), 1_000));
    for (const bad of [NaN, -0.5]) {
      assert.throws(() => rankOrder(Uint32Array.of(0, 1), Float64Array.of(0.5, bad), BigInt64Array.of(1n, 2n)), new RegExp(`probability ${bad} at position 1 is not ≥ 0`));
    }
  });
});
