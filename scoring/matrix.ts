/**
 * Silver columns → the model's row-major feature matrix for rows [start, end) of a batch, in model feature
 * order. Any numeric or boolean column converts (bigint → number, decimal string → number, true → 1); null, NaN
 * and ±Infinity (no model output means anything for them) follow the run's null policy: `error` throws naming
 * the feature, value, user and file, `impute` substitutes the model's value, `skip` drops the row (counted).
 */
import { NullFeatureError } from './errors';
import type { FloatType } from './contract';

export type NullPolicy = 'error' | 'impute' | 'skip';

export type Column = ArrayLike<unknown>;

export interface FeatureRows {
  /** rows × features, row-major; only the kept rows. */
  matrix: Float32Array | Float64Array;
  userIds: BigInt64Array;
  rows: number;
  skipped: number;
}

/**
 * A column value as a number; NaN for null/undefined. Strings are decimals (the Delta reader returns
 * decimal(p,s) as exact strings such as '12.30'); other column types are refused before this point.
 */
function toNumber(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'string' && raw.trim() !== '') return Number(raw);
  return NaN;
}

function isIntegerArray(col: Column): col is Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array | Uint32Array {
  return (
    col instanceof Int32Array || col instanceof Int16Array || col instanceof Int8Array ||
    col instanceof Uint8Array || col instanceof Uint16Array || col instanceof Uint32Array
  );
}

export function userIdAt(ids: Column, i: number): bigint {
  const raw = ids[i];
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  throw new NullFeatureError(`user_id is ${String(raw)} at row ${i}; user_id must be a non-null integer`);
}

export function featureRows(
  features: string[],
  columns: Column[],
  ids: Column,
  start: number,
  end: number,
  opts: { type: FloatType; nullPolicy: NullPolicy; imputeValues: Float64Array; source: string; scratch?: Float32Array | Float64Array },
): FeatureRows {
  const n = end - start;
  const width = features.length;
  // Every cell is written below, so a scratch matrix (reused between calls) needs no clearing.
  const scratch = opts.scratch;
  const reuse = scratch !== undefined && scratch.length >= n * width && (scratch instanceof Float64Array) === (opts.type === 'float64');
  const matrix = reuse ? scratch.subarray(0, n * width) : opts.type === 'float64' ? new Float64Array(n * width) : new Float32Array(n * width);
  // A view of the batch's ids; copied below only if rows are dropped.
  let userIds =
    ids instanceof BigInt64Array ? ids.subarray(start, end) : BigInt64Array.from({ length: n }, (_, r) => userIdAt(ids, start + r));
  let bad: Uint8Array | undefined;
  for (let j = 0; j < width; j++) {
    const col = columns[j];
    if (isIntegerArray(col)) {
      // Integer typed arrays hold no nulls or NaN: a plain strided copy.
      for (let r = 0; r < n; r++) matrix[r * width + j] = col[start + r];
      continue;
    }
    for (let r = 0; r < n; r++) {
      const raw = col[start + r];
      let v = typeof raw === 'number' ? raw : toNumber(raw);
      // One comparison catches null (NaN here), NaN and ±Infinity: v - v is 0 for every finite number only.
      if (v - v !== 0) {
        if (opts.nullPolicy === 'error') {
          throw new NullFeatureError(
            `feature ${features[j]} is ${raw === null || raw === undefined ? 'null' : String(v)} for user_id ${userIds[r]} ` +
              `in ${opts.source} (null policy "error"; use "impute" or "skip" to score anyway)`,
          );
        }
        if (opts.nullPolicy === 'impute') v = opts.imputeValues[j];
        else (bad ??= new Uint8Array(n))[r] = 1;
      }
      matrix[r * width + j] = v;
    }
  }
  if (!bad) return { matrix, userIds, rows: n, skipped: 0 };
  // skip: compact the kept rows to the front (of a copy of the ids: the batch stays as it was read).
  if (userIds.buffer === (ids as BigInt64Array).buffer) userIds = userIds.slice();
  let kept = 0;
  for (let r = 0; r < n; r++) {
    if (bad[r]) continue;
    if (kept !== r) {
      matrix.copyWithin(kept * width, r * width, (r + 1) * width);
      userIds[kept] = userIds[r];
    }
    kept++;
  }
  return { matrix: matrix.subarray(0, kept * width), userIds: userIds.subarray(0, kept), rows: kept, skipped: n - kept };
}
