/**
 * The ranking order of scored users (higher probability first, ties by the smaller user_id: top-k.ts
 * `ranksBefore`), computed without a comparison sort over all users: a comparator sort of 200,000 positions
 * took ~75 ms, this ~20 ms (docs/decisions/top-buyer-candidates.md, "Speed").
 *
 * A stable LSD radix sort orders the positions by the probability's bits (for doubles ≥ 0 the IEEE bits order
 * like the values; -0 counts as 0), then each run of equal probabilities, rare with a real model, is sorted by
 * user_id. Only those runs compare BigInts.
 */

/** Radix digits are the double's 8 bytes (a pass each); 256 counters stay in the first-level cache. */
const DIGITS = 256;
/** Where the byte of weight `w` (0 = lowest) of a double sits in memory. */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[0] === 0;
const byteAt = (w: number) => (LITTLE_ENDIAN ? w : 7 - w);

/**
 * `positions` (indexes into the columns) in ranking order, best first. Probabilities must be ≥ 0 and not NaN
 * (the scorer refuses other outputs: ModelOutputNotProbability); the caller keeps that.
 */
export function rankOrder(positions: Uint32Array, probabilities: Float64Array, userIds: BigInt64Array): Uint32Array {
  const n = positions.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const p = probabilities[positions[k]];
    if (!(p >= 0)) throw new Error(`rankOrder: probability ${p} at position ${positions[k]} is not ≥ 0`);
    keys[k] = p + 0; // -0 + 0 is +0: equal probabilities must share their bits
  }
  const bytes = new Uint8Array(keys.buffer);
  let from = new Uint32Array(n);
  for (let k = 0; k < n; k++) from[k] = k;
  let to = new Uint32Array(n);
  const starts = new Uint32Array(DIGITS + 1);
  for (let w = 0; w < 8; w++) {
    // Descending: the digit is the byte's complement.
    const at = byteAt(w);
    starts.fill(0);
    for (let k = 0; k < n; k++) starts[DIGITS - bytes[8 * k + at]]++; // counts do not depend on the order
    for (let d = 1; d <= DIGITS; d++) starts[d] += starts[d - 1];
    for (let k = 0; k < n; k++) {
      const key = from[k];
      to[starts[DIGITS - 1 - bytes[8 * key + at]]++] = key;
    }
    [from, to] = [to, from];
  }
  const ranked = new Uint32Array(n);
  for (let k = 0; k < n; k++) ranked[k] = positions[from[k]];
  // Runs of equal probabilities: by user_id.
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && keys[from[end]] === keys[from[start]]) end++;
    if (end - start > 1) ranked.subarray(start, end).sort((a, b) => (userIds[a] < userIds[b] ? -1 : userIds[a] > userIds[b] ? 1 : 0));
    start = end;
  }
  return ranked;
}
