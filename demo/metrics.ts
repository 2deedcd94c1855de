/**
 * The numbers `train` reports for a model on labelled rows: ROC AUC (exact, ties by average rank, as
 * scikit-learn's roc_auc_score), mean log loss (as scikit-learn's log_loss), positive rate and row count.
 * Computed here so that training needs no Python; test/demo/metrics.test.ts checks them against scikit-learn.
 */

export interface ClassifierMetrics {
  rows: number;
  positives: number;
  positiveRate: number;
  /** NaN when the rows hold only one class (AUC is undefined then). */
  auc: number;
  logLoss: number;
}

/** Probabilities are clipped to [eps, 1 - eps] in the log loss, eps = float64 machine epsilon (scikit-learn's rule). */
const EPS = 2.220446049250313e-16;

export function classifierMetrics(labels: ArrayLike<number>, probabilities: ArrayLike<number>): ClassifierMetrics {
  const n = labels.length;
  if (probabilities.length !== n) throw new Error(`${probabilities.length} probabilities for ${n} labels`);
  let positives = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const p = Math.min(Math.max(probabilities[i], EPS), 1 - EPS);
    if (labels[i]) {
      positives++;
      loss -= Math.log(p);
    } else {
      loss -= Math.log(1 - p);
    }
  }
  return { rows: n, positives, positiveRate: n ? positives / n : NaN, auc: rocAuc(labels, probabilities, positives), logLoss: n ? loss / n : NaN };
}

/**
 * Mann–Whitney form: AUC = (sum of the positives' ranks − P(P+1)/2) / (P·N), ranks ascending by probability,
 * tied probabilities sharing the average of their ranks (a tie between a positive and a negative counts one half).
 */
function rocAuc(labels: ArrayLike<number>, probabilities: ArrayLike<number>, positives: number): number {
  const n = labels.length;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => probabilities[a] - probabilities[b]);
  let rankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && probabilities[order[end]] === probabilities[order[start]]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start+1 .. end
    for (let k = start; k < end; k++) if (labels[order[k]]) rankSum += averageRank;
    start = end;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
