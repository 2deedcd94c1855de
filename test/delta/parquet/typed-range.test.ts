/** typedRange (delta/typed-range.ts): min and max of typed columns against a plain reference. */
import * as assert from 'node:assert/strict';
import { typedRange } from '../../../delta/parquet';

function reference(values: ArrayLike<number | bigint>): { min: number | bigint; max: number | bigint } | undefined {
  const ordered = Array.from(values).filter((x) => x === x);
  if (ordered.length === 0) return undefined;
  return ordered.reduce((r, x) => ({ min: x < r.min ? x : r.min, max: x > r.max ? x : r.max }), { min: ordered[0], max: ordered[0] });
}

describe('typedRange: bounds of typed columns', () => {
  it('longs across the whole range, including values that differ only in the low 32 bits with its top bit set', () => {
    const cases: bigint[][] = [
      [0n, -1n, 1n],
      [0x7fffffff_ffffffffn, -0x8000000000000000n, 0n],
      [0x1_8000_0000n, 0x1_7fff_ffffn, 0x1_0000_0000n], // same high half: unsigned compare of the low halves
      [-0x1_8000_0000n, -0x1_7fff_ffffn, -0x0_ffff_ffffn],
      [42n],
    ];
    let seed = 7n;
    const random: bigint[] = [];
    for (let i = 0; i < 10_000; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
      random.push(BigInt.asIntN(64, seed));
    }
    for (const c of [...cases, random]) assert.deepEqual(typedRange(BigInt64Array.from(c)), reference(c), `longs ${c.slice(0, 3)}`);
    assert.deepEqual(typedRange(BigInt64Array.from(random).subarray(3, 900)), reference(random.slice(3, 900)), 'a subarray view');
    assert.equal(typedRange(new BigInt64Array(0)), undefined);
  });

  it('numbers leave NaN out; all NaN or empty has no range', () => {
    assert.deepEqual(typedRange(Float64Array.from([NaN, 2, -Infinity, 0.5, NaN])), { min: -Infinity, max: 2 });
    assert.deepEqual(typedRange(Float32Array.from([Math.fround(0.1)])), { min: Math.fround(0.1), max: Math.fround(0.1) });
    assert.deepEqual(typedRange(Int32Array.from([5, -2147483648, 2147483647])), { min: -2147483648, max: 2147483647 });
    assert.equal(typedRange(Float64Array.from([NaN, NaN])), undefined);
    assert.equal(typedRange(new Float64Array(0)), undefined);
  });
});
