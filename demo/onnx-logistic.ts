/**
 * A logistic regression as an ONNX model, built with onnx-proto:
 *
 *   features [N, F] double ─ MatMul(weights [F, 1]) ─ Add(intercept [1]) ─ Sigmoid ─▶ probability [N, 1]
 *
 * With `logScale` (demo/log-scale.ts), flagged columns go in as log(1 + max(x, 0)) and the others as they are:
 *
 *   model_input = Log(Max(features, 0) + 1) * log_mask + features * (1 - log_mask)      (log_mask [F] of 0/1)
 *
 * Double precision end to end, so scores equal a float64 reference to ~1e-15. The ordered feature names and the
 * impute values (training means) are stored in metadata_props (`feature_names`, `impute_values`, JSON).
 */
import { onnx } from 'onnx-proto';

export interface LogisticOnnx {
  features: string[];
  weights: ArrayLike<number>;
  intercept: number;
  imputeValues?: ArrayLike<number>;
  /** One flag per feature: model that column as log(1 + max(x, 0)). */
  logScale?: boolean[];
  /** Extra metadata_props (e.g. the training metrics), JSON-encoded. */
  metadata?: Record<string, unknown>;
  docString?: string;
}

const DOUBLE = onnx.TensorProto.DataType.DOUBLE;

function doubles(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float64Array.from(values).buffer); // raw_data is little-endian, as are all Node platforms
}

function tensorType(dims: (number | string)[]): onnx.ITypeProto {
  return {
    tensorType: {
      elemType: DOUBLE,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  };
}

export function logisticOnnx(model: LogisticOnnx): Uint8Array {
  const f = model.features.length;
  if (model.weights.length !== f) throw new Error(`${model.weights.length} weights for ${f} features`);
  const metadataProps = [{ key: 'feature_names', value: JSON.stringify(model.features) }];
  if (model.imputeValues) {
    const impute = Object.fromEntries(model.features.map((name, j) => [name, model.imputeValues![j]]));
    metadataProps.push({ key: 'impute_values', value: JSON.stringify(impute) });
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) metadataProps.push({ key, value: JSON.stringify(value) });
  const logScale = model.logScale?.some((l) => l) ? model.logScale : undefined;
  if (logScale && logScale.length !== f) throw new Error(`${logScale.length} log-scale flags for ${f} features`);
  const proto: onnx.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'batch-score',
    producerVersion: '0.1.0',
    docString: model.docString ?? 'logistic regression: sigmoid(features @ weights + intercept)',
    metadataProps,
    graph: {
      name: 'logistic_regression',
      input: [{ name: 'features', type: tensorType(['N', f]) }],
      output: [{ name: 'probability', type: tensorType(['N', 1]) }],
      initializer: [
        { name: 'weights', dataType: DOUBLE, dims: [f, 1], rawData: doubles(model.weights) },
        { name: 'intercept', dataType: DOUBLE, dims: [1], rawData: doubles([model.intercept]) },
        ...(logScale ? logScaleInitializers(logScale) : []),
      ],
      node: [
        ...(logScale ? LOG_SCALE_NODES : []),
        { opType: 'MatMul', input: [logScale ? 'model_input' : 'features', 'weights'], output: ['logit_raw'], name: 'matmul' },
        { opType: 'Add', input: ['logit_raw', 'intercept'], output: ['logit'], name: 'add' },
        { opType: 'Sigmoid', input: ['logit'], output: ['probability'], name: 'sigmoid' },
      ],
    },
  };
  return onnx.ModelProto.encode(proto).finish();
}

function logScaleInitializers(logScale: boolean[]): onnx.ITensorProto[] {
  const f = logScale.length;
  return [
    { name: 'zero', dataType: DOUBLE, dims: [1], rawData: doubles([0]) },
    { name: 'one', dataType: DOUBLE, dims: [1], rawData: doubles([1]) },
    { name: 'log_mask', dataType: DOUBLE, dims: [f], rawData: doubles(logScale.map((l) => (l ? 1 : 0))) },
    { name: 'raw_mask', dataType: DOUBLE, dims: [f], rawData: doubles(logScale.map((l) => (l ? 0 : 1))) },
  ];
}

const LOG_SCALE_NODES: onnx.INodeProto[] = [
  { opType: 'Max', input: ['features', 'zero'], output: ['non_negative'], name: 'clamp' },
  { opType: 'Add', input: ['non_negative', 'one'], output: ['shifted'], name: 'shift' },
  { opType: 'Log', input: ['shifted'], output: ['logged'], name: 'log' },
  { opType: 'Mul', input: ['logged', 'log_mask'], output: ['log_part'], name: 'log_part' },
  { opType: 'Mul', input: ['features', 'raw_mask'], output: ['raw_part'], name: 'raw_part' },
  { opType: 'Add', input: ['log_part', 'raw_part'], output: ['model_input'], name: 'model_input' },
];
