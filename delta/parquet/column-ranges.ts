/**
 * The [min, max] a Parquet footer states for a signed integer column, row group by row group: what planning
 * needs to prove that row groups hold disjoint user_id ranges without reading a value
 * (docs/decisions/duplicate-users.md). Footer statistics only, never the data pages.
 *
 * A row group gets no range (undefined) whenever its statistics could mislead: the column is absent or nested,
 * not INT32/INT64, annotated as anything but a signed integer (unsigned, decimal, date, timestamp: another order
 * or another meaning), or the chunk states no min or max (written without statistics, or every value null).
 * `min_value`/`max_value` are read first; the deprecated `min`/`max` only in their absence: for signed INT32 and
 * INT64 both are in signed order (the deprecated fields are wrong only for unsigned and byte-array columns).
 * A bound that is not exact (`is_min_value_exact` false) is still a bound, so still sound for disjointness.
 */
import type { SchemaElement, Statistics } from './hyparquet-adapter';
import type { ParquetFile } from './file';

export interface IntegerRange {
  min: bigint;
  max: bigint;
}

/** Per row group of `pf`, the range its footer states for top-level column `column` (a physical name). */
export function integerColumnRanges(pf: ParquetFile, column: string): (IntegerRange | undefined)[] {
  const leaf = pf.topLeaves.get(column);
  const none = () => pf.rowGroupRows.map(() => undefined);
  if (!leaf || !isSignedInteger(leaf)) return none();
  return pf.meta.row_groups.map((group) => {
    const chunk = group.columns.find((c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === column);
    return rangeOf(chunk?.meta_data?.statistics);
  });
}

function isSignedInteger(e: SchemaElement): boolean {
  if (e.type !== 'INT32' && e.type !== 'INT64') return false;
  const logical = e.logical_type;
  if (logical && !(logical.type === 'INTEGER' && logical.isSigned)) return false;
  return e.converted_type === undefined || /^INT_(8|16|32|64)$/.test(e.converted_type);
}

function rangeOf(stats: Statistics | undefined): IntegerRange | undefined {
  if (!stats) return undefined;
  const min = integer(stats.min_value !== undefined ? stats.min_value : stats.min);
  const max = integer(stats.max_value !== undefined ? stats.max_value : stats.max);
  return min !== undefined && max !== undefined && min <= max ? { min, max } : undefined;
}

function integer(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  return undefined;
}
