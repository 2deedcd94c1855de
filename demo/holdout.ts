/**
 * The held-out split of training: a user is held out when a hash of (user_id, seed) falls in the first
 * `fraction` of the hash range. It depends only on the user and the seed, not on row order, file layout or
 * table size, so the same user is on the same side in every retraining with that seed, and another tool can
 * recompute it (docs/decisions/training-metrics.md gives the formula).
 */
import { userHash } from './user-hash';

export const HOLDOUT_FRACTION = 0.2;
export const DEFAULT_SPLIT_SEED = 1;

/** True when the user is in the held-out part: mix64(user_id XOR mix64(seed)) / 2^64 < fraction. */
export function isHeldOut(userId: bigint, seed: number, fraction = HOLDOUT_FRACTION): boolean {
  return userHash(userId, seed) < fraction;
}
