/**
 * The held-out split of training: a user is held out when a hash of (user_id, seed) falls in the first
 * `fraction` of the hash range. It depends only on the user and the seed, not on row order, file layout or
 * table size, so the same user is on the same side in every retraining with that seed, and another tool can
 * recompute it (docs/decisions/training-metrics.md gives the formula).
 */

export const HOLDOUT_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 1;

const MASK = (1n << 64n) - 1n;

/** SplitMix64's finaliser: a bijection on 64-bit integers that spreads consecutive ids uniformly. */
function mix64(x: bigint): bigint {
  x = (x + 0x9e3779b97f4a7c15n) & MASK;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return x ^ (x >> 31n);
}

/** True when the user is in the held-out part: mix64(user_id XOR mix64(seed)) / 2^64 < fraction. */
export function isHeldOut(userId: bigint, seed: number, fraction = HOLDOUT_FRACTION): boolean {
  const h = mix64((BigInt.asUintN(64, userId) ^ mix64(BigInt(seed))) & MASK);
  return Number(h >> 11n) / 2 ** 53 < fraction;
}
