/**
 * A column with one value in every row (Gold's model_name, model_version, run_id, scored_at), passed to the
 * writer as the value and a row count: no per-row array to build, O(1) stats, one dictionary entry in Parquet.
 */
export class ConstantColumn {
  constructor(readonly value: unknown, readonly length: number) {}
}

/** A column as the writer takes it: values row by row, or one value for every row. */
export type WriteColumn = ArrayLike<unknown> | ConstantColumn;

/** The column as values row by row (for the writers that need them). */
export function rowValues(column: WriteColumn): ArrayLike<unknown> {
  return column instanceof ConstantColumn ? new Array(column.length).fill(column.value) : column;
}
