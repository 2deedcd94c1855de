/**
 * What a model file declares about itself, read from the ONNX protobuf without running it: graph inputs and
 * outputs (name, element type, shape, or "not a tensor") and the free-form metadata_props, where
 * `feature_names` (ordered feature list) and `impute_values` live.
 */
import { onnx } from 'onnx-proto';
import { decodeOnnx, ModelFileRef, readModelBytes } from './model-file';

export type ElementType = 'float32' | 'float64' | 'int64' | 'int32' | 'string' | 'bool' | 'other';

export interface OnnxValueInfo {
  name: string;
  /** `null` when the value is not a tensor (e.g. ZipMap's sequence of maps). */
  tensor: { type: ElementType; shape: (number | string)[] } | null;
  /** Human-readable type, for error messages: `tensor(float)[N,2]`, `seq(map(int64,tensor(float)))`. */
  description: string;
}

export interface OnnxModelInfo {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
  /** Operator types used in the graph, e.g. to recognise ZipMap. */
  opTypes: string[];
  /** Files holding initializers stored outside the model file (ONNX external data), relative to it. */
  externalDataFiles: string[];
}

const ELEMENT_TYPES: Record<number, ElementType> = { 1: 'float32', 11: 'float64', 7: 'int64', 6: 'int32', 8: 'string', 9: 'bool' };
const ELEMENT_NAMES: Record<number, string> = { 1: 'float', 11: 'double', 7: 'int64', 6: 'int32', 8: 'string', 9: 'bool' };

/** Reads a model file's declarations; `uri` is the model URI the file was found through, for error messages. */
export async function readOnnxInfo(file: string, uri?: string): Promise<OnnxModelInfo> {
  const ref: ModelFileRef = { uri, file };
  return onnxInfo(decodeOnnx(await readModelBytes(ref), ref));
}

export function onnxInfo(model: onnx.IModelProto): OnnxModelInfo {
  const graph = model.graph ?? {};
  // Inputs that are also initializers are constants, not feeds (older exporters list them as inputs).
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name)).map(valueInfo),
    outputs: (graph.output ?? []).map(valueInfo),
    metadata,
    opTypes: [...new Set((graph.node ?? []).map((n) => n.opType ?? ''))],
    externalDataFiles: [
      ...new Set(
        (graph.initializer ?? [])
          .filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL)
          .map((t) => (t.externalData ?? []).find((e) => e.key === 'location')?.value ?? ''),
      ),
    ],
  };
}

function valueInfo(v: onnx.IValueInfoProto): OnnxValueInfo {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { name, tensor: null, description: describeType(v.type) };
  const elem = Number(tt.elemType ?? 0);
  const shape = (tt.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : '?'));
  return {
    name,
    tensor: { type: ELEMENT_TYPES[elem] ?? 'other', shape },
    description: `${describeType(v.type)}[${shape.join(',')}]`,
  };
}

function describeType(t: onnx.ITypeProto | null | undefined): string {
  if (!t) return 'unknown';
  if (t.tensorType) return `tensor(${ELEMENT_NAMES[Number(t.tensorType.elemType ?? 0)] ?? t.tensorType.elemType})`;
  if (t.sequenceType) return `seq(${describeType(t.sequenceType.elemType)})`;
  if (t.mapType) return `map(${ELEMENT_NAMES[Number(t.mapType.keyType ?? 0)] ?? t.mapType.keyType},${describeType(t.mapType.valueType)})`;
  return 'non-tensor';
}

/** Parses a list stored in metadata: a JSON array, or comma-separated names. */
export function parseNameList(value: string): string[] {
  const s = value.trim();
  if (s.startsWith('[')) {
    const parsed: unknown = JSON.parse(s);
    if (!Array.isArray(parsed)) throw new Error(`not a JSON array: ${value}`);
    return parsed.map((x) => String(x));
  }
  return s.split(',').map((x) => x.trim()).filter((x) => x !== '');
}
