/** Parquet layer: hyparquet + hyparquet-writer, through the project's Delta library (delta/parquet/). */
import * as path from 'node:path';
import type { ColumnBatch, StructType } from '../../../delta';
import { openParquet, readRowGroup, writeParquetFile } from '../../../delta';
import { PREDICTIONS_SCHEMA } from '../../../pipeline/gold-schemas';
import { ParquetLayer, predictedBuyers, Predictions } from '../layer';

export function hyparquetLayer(silverSchema: StructType): ParquetLayer {
  const outSchema: StructType = { type: 'struct', fields: PREDICTIONS_SCHEMA.fields.filter((f) => f.name !== 'score_date') };
  return {
    name: 'hyparquet 1.31 + hyparquet-writer 0.17',
    async rowGroups(file) {
      return (await openParquet(file)).rowGroupRows;
    },
    async readRowGroup(file, rowGroup, columns) {
      const pf = await openParquet(file);
      const fields = columns.map((c) => silverSchema.fields.find((f) => f.name === c)!);
      const data = await readRowGroup(pf, rowGroup, fields);
      return { numRows: pf.rowGroupRows[rowGroup], columns: data } as ColumnBatch;
    },
    async writePredictions(file, p: Predictions) {
      const n = p.userIds.length;
      await writeParquetFile(path.resolve(file), outSchema, n, {
        user_id: p.userIds,
        purchase_probability: p.probabilities,
        predicted_buyer: predictedBuyers(p),
        model_name: new Array(n).fill(p.modelName),
        model_version: new Array(n).fill(p.modelVersion),
        run_id: new Array(n).fill(p.runId),
        scored_at: new Array(n).fill(p.scoredAt),
      });
    },
  };
}
