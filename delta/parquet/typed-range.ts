/**
 * Min and max of a typed column (no nulls) in one pass, NaN left out: the bounds of a scoring unit's user ids
 * and probabilities, for add.stats and the Parquet footer. Longs are compared as two 32-bit halves, because
 * reading a BigInt64Array element allocates a BigInt: for a million ids that cost more than the whole write.
 */
import * as os from 'node:os';

export type NumericArray = BigInt64Array | Int32Array | Int16Array | Int8Array | Float32Array | Float64Array;

const LITTLE_ENDIAN = os.endianness() === 'LE';

export function typedRange(values: NumericArray): { min: number | bigint; max: number | bigint } | undefined {
  if (values instanceof BigInt64Array) return longRange(values);
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x < lo) lo = x;
    if (x > hi) hi = x; // NaN fails both comparisons
  }
  return lo <= hi ? { min: lo, max: hi } : undefined;
}

function longRange(values: BigInt64Array): { min: bigint; max: bigint } | undefined {
  if (values.length === 0) return undefined;
  if (!LITTLE_ENDIAN) {
    let lo = values[0];
    let hi = values[0];
    for (const x of values) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return { min: lo, max: hi };
  }
  // Element i is (high: signed halves[2i + 1], low: unsigned halves[2i]).
  const halves = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  let min = 0;
  let max = 0;
  for (let i = 1; i < values.length; i++) {
    const h = halves[2 * i + 1];
    const l = halves[2 * i] >>> 0;
    const minH = halves[2 * min + 1];
    if (h < minH || (h === minH && l < halves[2 * min] >>> 0)) min = i;
    const maxH = halves[2 * max + 1];
    if (h > maxH || (h === maxH && l > halves[2 * max] >>> 0)) max = i;
  }
  return { min: values[min], max: values[max] };
}
