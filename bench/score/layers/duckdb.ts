/**
 * Parquet layer: DuckDB (@duckdb/node-api, native). A row group is selected by file_row_number (DuckDB prunes
 * row groups on it); result chunks' typed vectors are copied into column arrays; output: user_id and the
 * probability go in as data chunks, and COPY (SELECT … constants …) TO (FORMAT parquet, COMPRESSION snappy)
 * adds the other Gold columns while writing.
 */
import { candidate } from '../candidates';
import { ParquetLayer, Predictions } from '../layer';

export function duckdbLayer(threads = 1): ParquetLayer {
  const duck = candidate('@duckdb/node-api');
  let connection: Promise<any> | undefined;
  const con = () => (connection ??= duck.DuckDBInstance.create(':memory:', { threads: String(threads) }).then((db: any) => db.connect()));
  const groups = new Map<string, number[]>();
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  return {
    name: `@duckdb/node-api 1.5.6 (${threads} thread${threads > 1 ? 's' : ''})`,
    async rowGroups(file) {
      if (!groups.has(file)) {
        const r = await (await con()).runAndReadAll(
          `SELECT row_group_id, max(row_group_num_rows)::BIGINT FROM parquet_metadata(${quote(file)}) GROUP BY 1 ORDER BY 1`,
        );
        groups.set(file, r.getRows().map((row: unknown[]) => Number(row[1])));
      }
      return groups.get(file)!;
    },
    async readRowGroup(file, rowGroup, columns) {
      const sizes = await this.rowGroups(file);
      const start = sizes.slice(0, rowGroup).reduce((a, b) => a + b, 0);
      const n = sizes[rowGroup];
      const result = await (await con()).stream(
        `SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM read_parquet(${quote(file)}, file_row_number = true) ` +
          `WHERE file_row_number >= ${start} AND file_row_number < ${start + n} ORDER BY file_row_number`,
      );
      const out: (BigInt64Array | Float64Array | Int32Array)[] = [];
      let at = 0;
      for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
        for (let j = 0; j < columns.length; j++) {
          const items = (chunk.getColumnVector(j) as any).items as BigInt64Array | Float64Array | Int32Array; // typed view of the vector
          if (!out[j]) out[j] = new (items.constructor as any)(n);
          (out[j] as any).set(items.subarray(0, chunk.rowCount), at);
        }
        at += chunk.rowCount;
      }
      return { numRows: at, columns: Object.fromEntries(columns.map((c, j) => [c, out[j]])) };
    },
    async writePredictions(file, p: Predictions) {
      const c = await con();
      await c.run('CREATE OR REPLACE TABLE predictions (user_id BIGINT, purchase_probability DOUBLE)');
      const appender = await c.createAppender('predictions');
      // Typed arrays go into data chunks of 2048 rows (DuckDB's vector size) without per-value calls.
      for (let start = 0; start < p.userIds.length; start += 2048) {
        const n = Math.min(2048, p.userIds.length - start);
        const chunk = duck.DuckDBDataChunk.create([duck.BIGINT, duck.DOUBLE], n);
        const ids = chunk.getColumnVector(0);
        const probs = chunk.getColumnVector(1);
        (ids as any).items.set(p.userIds.subarray(start, start + n));
        (probs as any).items.set(p.probabilities.subarray(start, start + n));
        ids.flush();
        probs.flush();
        appender.appendDataChunk(chunk);
      }
      appender.closeSync();
      // The constant columns and predicted_buyer are computed by DuckDB while it writes.
      const at = p.scoredAt.toISOString();
      await c.run(
        `COPY (SELECT user_id, purchase_probability, purchase_probability >= ${p.threshold} AS predicted_buyer, ` +
          `${quote(p.modelName)} AS model_name, ${quote(p.modelVersion)} AS model_version, ${quote(p.runId)} AS run_id, ` +
          `TIMESTAMPTZ ${quote(at)} AS scored_at FROM predictions) TO ${quote(file)} (FORMAT parquet, COMPRESSION snappy)`,
      );
    },
  };
}
