/**
 * The demo model's feature scale: a column whose training values are all ≥ 0 (counts, days, spend, ratios) is
 * modelled as log1p(max(x, 0)), any other column as is. Counts are heavy-tailed: on the raw scale one weight per
 * extra view makes the logit of a user with 2,000 views huge and the probability 1.000000; on the log scale each
 * doubling of activity adds the same amount, which is how propensity behaves (docs/decisions/training-metrics.md).
 * The same transform is in the ONNX graph (demo/onnx-logistic.ts), so the model takes raw Silver values.
 */

/** One flag per feature: true when every value of column j in `x` (rows × width, row-major) is ≥ 0. */
export function nonNegativeColumns(x: Float64Array, width: number): boolean[] {
  const flags = new Array<boolean>(width).fill(true);
  for (let i = 0; i < x.length; i++) if (x[i] < 0) flags[i % width] = false;
  return flags;
}

/** The value the model sees for raw value `v` of a column with flag `log`: log(1 + max(v, 0)), as the graph computes it. */
export function modelScale(v: number, log: boolean): number {
  return log ? Math.log(1 + Math.max(v, 0)) : v;
}

/** `x` transformed column by column (a new array). */
export function toModelScale(x: Float64Array, log: boolean[]): Float64Array {
  const width = log.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = modelScale(x[i], log[i % width]);
  return out;
}
