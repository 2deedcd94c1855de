/**
 * Independent references for pipeline and workflow tests: the logistic function computed in float64 from the ONNX
 * file's own initializers (no onnxruntime), and the top-buyers rule computed by a full sort.
 */
import * as fs from 'node:fs';
import { onnx } from 'onnx-proto';

export interface LogisticWeights {
  features: string[];
  weights: Float64Array;
  intercept: number;
  /** Per feature, 1 when the graph takes log(1 + max(x, 0)) (initializer log_mask, demo/onnx-logistic.ts); absent: raw values. */
  logMask?: Float64Array;
}

function initializer(model: onnx.ModelProto, name: string, optional = false): Float64Array | undefined {
  const t = (model.graph?.initializer ?? []).find((i) => i.name === name);
  if (!t && optional) return undefined;
  if (!t) throw new Error(`model has no initializer ${name}`);
  if (t.rawData && t.rawData.length) return new Float64Array(Uint8Array.from(t.rawData).buffer);
  return Float64Array.from(t.doubleData ?? []);
}

export function readLogistic(file: string): LogisticWeights {
  const model = onnx.ModelProto.decode(fs.readFileSync(file));
  const names = model.metadataProps.find((p) => p.key === 'feature_names');
  if (!names?.value) throw new Error(`${file} has no feature_names metadata`);
  return {
    features: JSON.parse(names.value),
    weights: initializer(model, 'weights')!,
    intercept: initializer(model, 'intercept')![0],
    logMask: initializer(model, 'log_mask', true),
  };
}

export function logistic(w: LogisticWeights, row: Record<string, unknown>): number {
  let z = w.intercept;
  w.features.forEach((f, j) => {
    const x = Number(row[f]);
    z += w.weights[j] * (w.logMask?.[j] ? Math.log(1 + Math.max(x, 0)) : x);
  });
  return 1 / (1 + Math.exp(-z));
}

export interface Scored {
  user_id: number;
  purchase_probability: number;
}

/** The top-buyers rule by brute force: full sort, first floor(fraction × n), then the probability floor and limit. */
export function expectedTopBuyers(rows: Scored[], rule: { fraction: number; minProbability: number; limit?: number }): Scored[] {
  const sorted = [...rows].sort((a, b) => b.purchase_probability - a.purchase_probability || a.user_id - b.user_id);
  return sorted
    .slice(0, Math.floor(rule.fraction * rows.length))
    .filter((r) => r.purchase_probability >= rule.minProbability)
    .slice(0, rule.limit ?? Infinity);
}
