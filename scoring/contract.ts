/**
 * The model contract: how a feature matrix goes in and a positive-class probability comes out.
 *
 *   inputs   one [N, F] float/double tensor (column j = features[j]), or one [N, 1] / [N] input per feature,
 *            named after the feature
 *   outputs  probabilities [N, 2] (positive column configurable, default 1), [N, 1] or [N]; with a label +
 *            probabilities pair (scikit-learn, XGBoost, LightGBM exports) the probabilities are taken
 *   refused  ZipMap outputs (sequence of maps): onnxruntime's JavaScript API cannot read them
 *
 * Checked from the ONNX file's declarations when the model is loaded, before any row is scored.
 */
import type { OnnxModelInfo, OnnxValueInfo } from '../registry/onnx-file';
import { parseNameList } from '../registry/onnx-file';
import { ModelContractError } from './errors';

export type FloatType = 'float32' | 'float64';

export type ContractInput =
  | { kind: 'matrix'; name: string; type: FloatType }
  | { kind: 'per-feature'; inputs: { name: string; type: FloatType; shape: 'N' | 'N,1' }[] };

export interface ModelContract {
  input: ContractInput;
  /** Output holding the probabilities, and its column for [N, K] outputs (K > 1). */
  output: { name: string; positiveColumn: number };
  /** Impute value per feature (model order) from metadata `impute_values`; NaN where none is given. */
  imputeValues: Float64Array;
}

export interface ContractOptions {
  /** Name of the probability output, when the model has several candidates. */
  outputName?: string;
  /** Column of the positive class in a [N, K] probability output (default: metadata positive_class_index, or 1). */
  positiveColumn?: number;
}

export function modelContract(
  model: string,
  info: OnnxModelInfo,
  features: string[],
  opts: ContractOptions = {},
): ModelContract {
  const fail = (why: string) => new ModelContractError(`model ${model}: ${why}`);
  return {
    input: contractInput(info.inputs, features, fail),
    output: contractOutput(info, opts, fail),
    imputeValues: imputeValues(info.metadata['impute_values'], features, fail),
  };
}

function floatType(v: OnnxValueInfo, fail: (why: string) => Error): FloatType {
  const t = v.tensor?.type;
  if (t === 'float32' || t === 'float64') return t;
  throw fail(`input "${v.name}" is ${v.description}; inputs must be float or double tensors`);
}

function contractInput(inputs: OnnxValueInfo[], features: string[], fail: (why: string) => Error): ContractInput {
  if (inputs.length === 0) throw fail('the graph has no inputs');
  const names = new Set(inputs.map((i) => i.name));
  const perFeature = inputs.length > 1 || (features.length === 1 && names.has(features[0]));
  if (!perFeature) {
    const input = inputs[0];
    const type = floatType(input, fail);
    const shape = input.tensor!.shape;
    if (shape.length !== 2) throw fail(`input "${input.name}" is ${input.description}; expected [N, ${features.length}]`);
    if (typeof shape[1] === 'number' && shape[1] !== features.length) {
      throw fail(`input "${input.name}" takes ${shape[1]} features but ${features.length} are mapped (${features.join(', ')})`);
    }
    return { kind: 'matrix', name: input.name, type };
  }
  const missing = features.filter((f) => !names.has(f));
  const extra = inputs.filter((i) => !features.includes(i.name)).map((i) => i.name);
  if (missing.length || extra.length) {
    throw fail(
      `one input per feature expected; features without an input: [${missing.join(', ')}], ` +
        `inputs without a feature: [${extra.join(', ')}]`,
    );
  }
  return {
    kind: 'per-feature',
    inputs: features.map((f) => {
      const v = inputs.find((i) => i.name === f)!;
      const type = floatType(v, fail);
      const shape = v.tensor!.shape;
      if (shape.length === 1) return { name: f, type, shape: 'N' as const };
      if (shape.length === 2 && (shape[1] === 1 || typeof shape[1] === 'string')) return { name: f, type, shape: 'N,1' as const };
      throw fail(`input "${f}" is ${v.description}; a per-feature input must be [N] or [N, 1]`);
    }),
  };
}

/**
 * What `model register` checks before accepting a file: everything a run's settings cannot change (the inputs
 * and, when the feature names are known, their count; no ZipMap; a float output). Which output and column hold
 * the probability may still be chosen per run (outputName, positiveColumn), so that choice is left to the run.
 * `features` is undefined when the names will only come with the run (--features at run time).
 */
export function checkRegistrableContract(model: string, info: OnnxModelInfo, features: string[] | undefined): void {
  const fail = (why: string) => new ModelContractError(`model ${model}: ${why}`);
  contractInput(info.inputs, features ?? declaredFeatures(info), fail);
  if (!floatOutputs(info, fail).length) throw fail(`no float output to read probabilities from (outputs: ${describe(info.outputs)})`);
}

/** Placeholder names for the features a single [N, F] input declares, when the names are not known yet. */
function declaredFeatures(info: OnnxModelInfo): string[] {
  if (info.inputs.length !== 1) return info.inputs.map((i) => i.name);
  const width = info.inputs[0].tensor?.shape[1];
  return Array.from({ length: typeof width === 'number' ? width : 1 }, (_, j) => `feature ${j}`);
}

/** The float tensor outputs; ZipMap outputs are refused here, with the advice to re-export without them. */
function floatOutputs(info: OnnxModelInfo, fail: (why: string) => Error): OnnxValueInfo[] {
  const zipmap = info.outputs.find((o) => o.tensor === null);
  if (zipmap || info.opTypes.includes('ZipMap')) {
    const which = zipmap ? `output "${zipmap.name}" is ${zipmap.description}` : 'the graph uses ZipMap';
    throw fail(
      `${which} (ZipMap); onnxruntime's JavaScript API cannot read sequence-of-map outputs. ` +
        "Re-export with zipmap=False (skl2onnx: to_onnx(model, X, options={'zipmap': False}))",
    );
  }
  return info.outputs.filter((o) => o.tensor && (o.tensor.type === 'float32' || o.tensor.type === 'float64'));
}

function contractOutput(info: OnnxModelInfo, opts: ContractOptions, fail: (why: string) => Error): ModelContract['output'] {
  const floats = floatOutputs(info, fail);
  let out: OnnxValueInfo | undefined;
  if (opts.outputName !== undefined) {
    out = floats.find((o) => o.name === opts.outputName);
    if (!out) throw fail(`no float output named "${opts.outputName}" (outputs: ${describe(info.outputs)})`);
  } else if (floats.length === 1) {
    out = floats[0];
  } else {
    const named = floats.filter((o) => /prob/i.test(o.name));
    if (named.length === 1) out = named[0];
    else throw fail(`cannot tell which output holds the probabilities (outputs: ${describe(info.outputs)}); name it in the run settings`);
  }
  const shape = out.tensor!.shape;
  if (shape.length < 1 || shape.length > 2) throw fail(`output "${out.name}" is ${out.description}; expected [N, 2], [N, 1] or [N]`);
  const width = shape.length === 2 ? shape[1] : 1;
  let positiveColumn = opts.positiveColumn ?? metaInt(info.metadata['positive_class_index'], fail);
  if (positiveColumn === undefined) {
    if (typeof width === 'number' && width > 2) {
      throw fail(`output "${out.name}" has ${width} classes; say which column is the positive class`);
    }
    positiveColumn = width === 1 ? 0 : 1;
  }
  if (typeof width === 'number' && positiveColumn >= width) {
    throw fail(`positive column ${positiveColumn} is outside output "${out.name}" ${out.description}`);
  }
  return { name: out.name, positiveColumn };
}

function metaInt(value: string | undefined, fail: (why: string) => Error): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw fail(`metadata positive_class_index "${value}" is not a column index`);
  return n;
}

function imputeValues(value: string | undefined, features: string[], fail: (why: string) => Error): Float64Array {
  const out = new Float64Array(features.length).fill(NaN);
  if (value === undefined) return out;
  let parsed: unknown;
  try {
    parsed = value.trim().startsWith('{') ? JSON.parse(value) : parseNameList(value).map(Number);
  } catch {
    throw fail(`metadata impute_values is neither a JSON object nor a list: ${value}`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length !== features.length) {
      throw fail(`metadata impute_values has ${parsed.length} values for ${features.length} features`);
    }
    parsed.forEach((v, j) => (out[j] = Number(v)));
  } else {
    const byName = parsed as Record<string, unknown>;
    features.forEach((f, j) => {
      if (byName[f] !== undefined && byName[f] !== null) out[j] = Number(byName[f]);
    });
  }
  return out;
}

function describe(values: OnnxValueInfo[]): string {
  return values.map((v) => `${v.name} ${v.description}`).join(', ');
}
