/**
 * Parquet layer: the product's own path. Silver row groups through the Delta library (delta/readDataFile, which
 * routes flat primitive schemas to DuckDB and the rest to hyparquet) and Gold files through the pipeline's
 * stagePredictions (delta/writeDataFile): exactly what a scoring activity runs.
 */
import * as path from 'node:path';
import { AddFile, dataFilePath, dataFileRowGroups, readDataFile, Snapshot } from '../../../delta';
import { stagePredictions } from '../../../pipeline/gold-predictions';
import { ParquetLayer, Predictions } from '../layer';

export function deltaLayer(silver: Snapshot): ParquetLayer {
  const byPath = new Map<string, AddFile>(silver.files().map((f) => [dataFilePath(silver.tablePath, f.path), f]));
  const add = (file: string) => {
    const f = byPath.get(file);
    if (!f) throw new Error(`${file} is not a data file of ${silver.tablePath}`);
    return f;
  };
  let unit = 0;
  return {
    name: 'batch-score Delta library (delta/readDataFile, pipeline/stagePredictions)',
    rowGroups: (file) => dataFileRowGroups(silver.tablePath, add(file)),
    async readRowGroup(file, rowGroup, columns) {
      const batches = readDataFile(silver.tablePath, add(file), { schema: silver.schema, columns, rowGroups: [rowGroup] });
      const { value } = await batches.next();
      await batches.return(undefined);
      return value!;
    },
    readRowGroups: (file, rowGroups, columns) => readDataFile(silver.tablePath, add(file), { schema: silver.schema, columns, rowGroups }),
    async writePredictions(file, p: Predictions) {
      // The output folder is the Gold table; the file lands in its score_date partition, named by run and unit.
      await stagePredictions({
        goldTable: path.dirname(file),
        scoreDate: '2026-11-23',
        runId: `bench-${process.pid}`,
        unitIndex: unit++,
        attempt: 1,
        model: { uri: p.modelName, name: p.modelName, version: p.modelVersion, sha256: '' },
        scoredAt: p.scoredAt,
        threshold: p.threshold,
        scored: { userIds: p.userIds, probabilities: p.probabilities },
      });
    },
  };
}
