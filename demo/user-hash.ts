/**
 * A uniform, seeded hash of user_id onto [0, 1): the held-out split (demo/holdout.ts) and the row sample of large
 * Silver tables (demo/training-set.ts) both pick users by it, each with its own seed, so the choice depends only on
 * the user, never on row order, file layout or table size, and another tool can recompute it.
 */

const MASK = (1n << 64n) - 1n;

/** SplitMix64's finaliser: a bijection on 64-bit integers that spreads consecutive ids uniformly. */
function mix64(x: bigint): bigint {
  x = (x + 0x9e3779b97f4a7c15n) & MASK;
  x = ((x ^ (x >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  x = ((x ^ (x >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return x ^ (x >> 31n);
}

// mix64(seed) per seed: callers hash every row of a snapshot with one or two seeds.
const seedMixes = new Map<string, bigint>();

/** mix64(user_id XOR mix64(seed)) / 2^64, on 53 bits. */
export function userHash(userId: bigint, seed: number | bigint): number {
  let mixed = seedMixes.get(String(seed));
  if (mixed === undefined) {
    mixed = mix64(BigInt.asUintN(64, BigInt(seed)));
    seedMixes.set(String(seed), mixed);
  }
  const h = mix64((BigInt.asUintN(64, userId) ^ mixed) & MASK);
  return Number(h >> 11n) / 2 ** 53;
}
