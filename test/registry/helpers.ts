/** Test helpers: temp folders and small real ONNX models. */
import * as fs from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { logisticOnnx } from '../../demo/onnx-logistic';

export { tempDir } from '../support/processes';

/** Writes a logistic-regression ONNX model; `edit` may change the decoded proto before it is written. */
export async function writeLogisticModel(
  file: string,
  opts: { features: string[]; weights?: number[]; intercept?: number; imputeValues?: number[] },
  edit?: (m: onnx.ModelProto) => void,
): Promise<string> {
  const bytes = logisticOnnx({
    features: opts.features,
    weights: opts.weights ?? opts.features.map((_, j) => 0.1 * (j + 1)),
    intercept: opts.intercept ?? -1,
    imputeValues: opts.imputeValues,
  });
  let out: Uint8Array = bytes;
  if (edit) {
    const m = onnx.ModelProto.decode(bytes);
    edit(m);
    out = onnx.ModelProto.encode(m).finish();
  }
  await fs.writeFile(file, out);
  return file;
}
