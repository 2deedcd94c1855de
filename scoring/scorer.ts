/**
 * The batch scorer: a Silver ColumnBatch → (user_id, probability) for its rows.
 *
 *   columns (model order) → feature rows (≤ 64K at a time) → onnxruntime → positive-class probabilities
 *
 * An output that is not a probability (outside [0, 1], or NaN: a regression model, the wrong output) fails the
 * batch with ModelOutputNotProbability, naming the model, how many users, one of them and the source file.
 *
 * onnxruntime-node's `run` blocks the JavaScript thread, so rows go in short sub-batches with an await between
 * them: heartbeats and cancellation get through while a long unit scores.
 */
import * as ort from 'onnxruntime-node';
import type { ColumnBatch } from '../delta';
import type { PinnedModel } from '../registry/pinned';
import { ContractOptions, ModelContract, modelContract } from './contract';
import { MissingColumnError, ModelContractError, ModelOutputError, NullFeatureError } from './errors';
import { Column, featureRows, FeatureRows, NullPolicy } from './matrix';
import { loadModel, SessionOptions } from './session';


export interface ScoredBatch {
  userIds: BigInt64Array;
  probabilities: Float64Array;
  /** Rows dropped under the `skip` null policy. */
  skipped: number;
}

export interface ScoreOptions {
  nullPolicy: NullPolicy;
  /** Where the batch came from (a data file), for error messages. */
  source?: string;
}

export interface Scorer {
  pinned: PinnedModel;
  contract: ModelContract;
  /** Silver columns the scorer reads: user_id and the features in model order. */
  columns: string[];
  scoreBatch(batch: ColumnBatch, opts: ScoreOptions): Promise<ScoredBatch>;
}

export const MAX_SUB_BATCH_ROWS = 65536;

export interface ScorerOptions extends SessionOptions, ContractOptions {
  /** Rows per onnxruntime call (default and maximum 65,536). */
  subBatchRows?: number;
}

/** Loads (or reuses) the model's session and checks the model contract before any row is scored. */
export async function loadScorer(pinned: PinnedModel, opts: ScorerOptions = {}): Promise<Scorer> {
  const { session, info } = await loadModel(pinned, opts);
  const contract = modelContract(`${pinned.name} version ${pinned.version}`, info, pinned.features, opts);
  const subBatch = Math.min(opts.subBatchRows ?? MAX_SUB_BATCH_ROWS, MAX_SUB_BATCH_ROWS);
  return {
    pinned,
    contract,
    columns: ['user_id', ...pinned.features],
    scoreBatch: (batch, scoreOpts) => scoreBatch(session, pinned, contract, subBatch, batch, scoreOpts),
  };
}

async function scoreBatch(
  session: ort.InferenceSession,
  pinned: PinnedModel,
  contract: ModelContract,
  subBatch: number,
  batch: ColumnBatch,
  opts: ScoreOptions,
): Promise<ScoredBatch> {
  const source = opts.source ?? 'the batch';
  const column = (name: string): Column => {
    const c = batch.columns[name];
    if (!c) throw new MissingColumnError(`column "${name}" needed by model ${pinned.name} is missing from ${source}`);
    return c;
  };
  const ids = column('user_id');
  const columns = pinned.features.map(column);
  if (opts.nullPolicy === 'impute') {
    const lacking = pinned.features.filter((_, j) => Number.isNaN(contract.imputeValues[j]));
    if (lacking.length) {
      throw new NullFeatureError(
        `null policy "impute" but model ${pinned.name} version ${pinned.version} has no impute value for ` +
          `${lacking.join(', ')} (metadata impute_values)`,
      );
    }
  }
  const type = contract.input.kind === 'matrix' ? contract.input.type : 'float64';
  const userIds = new BigInt64Array(batch.numRows);
  const probabilities = new Float64Array(batch.numRows);
  let kept = 0;
  let skipped = 0;
  const notProbability = { count: 0, userId: 0n, value: 0 }; // outputs outside [0, 1] or NaN, and the first one
  const scratch = takeScratch(type, Math.min(subBatch, batch.numRows) * pinned.features.length);
  try {
    for (let start = 0; start < batch.numRows; start += subBatch) {
      const end = Math.min(start + subBatch, batch.numRows);
      const rows = featureRows(pinned.features, columns, ids, start, end, {
        type,
        nullPolicy: opts.nullPolicy,
        imputeValues: contract.imputeValues,
        source,
        scratch,
      });
      skipped += rows.skipped;
      if (rows.rows > 0) {
        const outputs = await session.run(feeds(contract, rows, pinned.features.length), [contract.output.name]);
        const bad = positiveProbabilities(outputs[contract.output.name] as ort.Tensor, contract, probabilities, kept, rows.rows);
        if (bad > 0 && notProbability.count === 0) {
          const r = probabilities.subarray(kept, kept + rows.rows).findIndex((p) => !isProbability(p));
          notProbability.userId = rows.userIds[r];
          notProbability.value = probabilities[kept + r];
        }
        notProbability.count += bad;
        userIds.set(rows.userIds, kept);
        kept += rows.rows;
      }
      await new Promise((resolve) => setImmediate(resolve)); // let heartbeats through
    }
  } finally {
    scratchMatrices.push(scratch);
  }
  if (notProbability.count > 0) {
    // The whole batch is scored first, so the message says how many users, not just that one was wrong.
    const { name, positiveColumn } = contract.output;
    throw new ModelOutputError(
      `model ${pinned.name} version ${pinned.version}: output "${name}"${positiveColumn ? ` column ${positiveColumn}` : ''} ` +
        `is not a probability for ${notProbability.count} of ${kept} users in ${source} (values outside [0, 1] or NaN), ` +
        `e.g. user_id ${notProbability.userId}: ${notProbability.value}`,
    );
  }
  return { userIds: userIds.subarray(0, kept), probabilities: probabilities.subarray(0, kept), skipped };
}

/**
 * Feature matrices given back by finished batches. Allocating one per sub-batch (5 MB for 64K rows of 10 double
 * features) kept the garbage collector busy; a batch takes one of its type and size (concurrent batches each
 * take their own) and gives it back when done.
 */
const scratchMatrices: (Float32Array | Float64Array)[] = [];

function takeScratch(type: string, size: number): Float32Array | Float64Array {
  const i = scratchMatrices.findIndex((m) => (m instanceof Float64Array) === (type === 'float64') && m.length >= size);
  if (i >= 0) return scratchMatrices.splice(i, 1)[0];
  return type === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

function feeds(contract: ModelContract, rows: FeatureRows, width: number): Record<string, ort.Tensor> {
  if (contract.input.kind === 'matrix') {
    return { [contract.input.name]: new ort.Tensor(contract.input.type, rows.matrix, [rows.rows, width]) };
  }
  const out: Record<string, ort.Tensor> = {};
  contract.input.inputs.forEach((input, j) => {
    const col = input.type === 'float64' ? new Float64Array(rows.rows) : new Float32Array(rows.rows);
    for (let r = 0; r < rows.rows; r++) col[r] = rows.matrix[r * width + j];
    out[input.name] = new ort.Tensor(input.type, col, input.shape === 'N' ? [rows.rows] : [rows.rows, 1]);
  });
  return out;
}

const isProbability = (p: number) => p >= 0 && p <= 1; // false for NaN

/**
 * Copies the positive-class column into `into` and returns how many values are not probabilities. This is the
 * hot path: one pass, one comparison per row, nothing allocated.
 */
function positiveProbabilities(t: ort.Tensor, contract: ModelContract, into: Float64Array, at: number, rows: number): number {
  const data = t.data as Float32Array | Float64Array;
  const width = t.dims.length === 2 ? t.dims[1] : 1;
  const col = width === 1 ? 0 : contract.output.positiveColumn;
  if (t.dims[0] !== rows || col >= width) {
    throw new ModelContractError(
      `model output "${contract.output.name}" has shape [${t.dims.join(',')}] for ${rows} rows; expected [${rows}, ${col + 1}+] or [${rows}]`,
    );
  }
  let notProbabilities = 0;
  for (let r = 0; r < rows; r++) {
    const p = data[r * width + col];
    into[at + r] = p;
    if (!isProbability(p)) notProbabilities++;
  }
  return notProbabilities;
}
