/**
 * Logistic regression fitted by Newton's method (IRLS) with a small L2 penalty, on standardized features; the
 * scaling is then folded into the weights so the model takes the columns as given (train gives counts on the log
 * scale, demo/log-scale.ts):
 *   w_j = beta_j / sd_j,  b = beta_0 - sum_j beta_j * mean_j / sd_j
 */

export interface LogisticModel {
  intercept: number;
  /** One weight per feature, for the columns as given (not standardised). */
  weights: Float64Array;
  /** Means of the columns as given (train gives log-scale columns: its impute values are raw means, demo/train.ts) and the fit's final mean log-loss. */
  means: Float64Array;
  logLoss: number;
  iterations: number;
}

/** `x` is rows × features, row-major; `y` is 0/1 per row. */
export function fitLogistic(x: Float64Array, y: Uint8Array, features: number, l2 = 1e-4): LogisticModel {
  const n = y.length;
  const k = features + 1; // intercept first
  const means = new Float64Array(features);
  const sds = new Float64Array(features);
  for (let i = 0; i < n; i++) for (let j = 0; j < features; j++) means[j] += x[i * features + j];
  for (let j = 0; j < features; j++) means[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < features; j++) {
      const d = x[i * features + j] - means[j];
      sds[j] += d * d;
    }
  }
  for (let j = 0; j < features; j++) sds[j] = Math.sqrt(sds[j] / n) || 1; // a constant column gets weight 0 anyway

  const beta = new Float64Array(k);
  const row = new Float64Array(k);
  let logLoss = Infinity;
  let iterations = 0;
  for (; iterations < 50; iterations++) {
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    logLoss = 0;
    for (let i = 0; i < n; i++) {
      row[0] = 1;
      for (let j = 0; j < features; j++) row[j + 1] = (x[i * features + j] - means[j]) / sds[j];
      let z = 0;
      for (let j = 0; j < k; j++) z += beta[j] * row[j];
      const p = 1 / (1 + Math.exp(-z));
      logLoss -= y[i] ? Math.log(Math.max(p, 1e-300)) : Math.log(Math.max(1 - p, 1e-300));
      const r = p - y[i];
      const w = p * (1 - p);
      for (let a = 0; a < k; a++) {
        grad[a] += r * row[a];
        const wa = w * row[a];
        for (let b = 0; b <= a; b++) hess[a * k + b] += wa * row[b];
      }
    }
    for (let a = 1; a < k; a++) {
      grad[a] += l2 * n * beta[a];
      hess[a * k + a] += l2 * n;
    }
    const step = solveSymmetric(hess, grad, k);
    let maxStep = 0;
    for (let a = 0; a < k; a++) {
      beta[a] -= step[a];
      maxStep = Math.max(maxStep, Math.abs(step[a]));
    }
    if (maxStep < 1e-10) break;
  }

  const weights = new Float64Array(features);
  let intercept = beta[0];
  for (let j = 0; j < features; j++) {
    weights[j] = beta[j + 1] / sds[j];
    intercept -= weights[j] * means[j];
  }
  return { intercept, weights, means, logLoss: logLoss / n, iterations: iterations + 1 };
}

/** Solves H s = g by Cholesky; H is symmetric positive definite, lower triangle filled. */
function solveSymmetric(h: Float64Array, g: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      l[i * k + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / l[j * k + j];
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = g[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * z[m];
    z[i] = s / l[i * k + i];
  }
  const s = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let t = z[i];
    for (let m = i + 1; m < k; m++) t -= l[m * k + i] * s[m];
    s[i] = t / l[i * k + i];
  }
  return s;
}
