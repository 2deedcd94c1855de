/**
 * Parquet layer: parquet-wasm (arrow-rs, delta-rs's own Parquet code, in WebAssembly) + apache-arrow JS.
 * Row groups are read from a Blob (fs.openAsBlob: only the needed byte ranges) and cross into JS as Arrow IPC.
 */
import * as fs from 'node:fs';
import { candidate } from '../candidates';
import { ParquetLayer, predictedBuyers, Predictions } from '../layer';

export function parquetWasmLayer(): ParquetLayer {
  const pw = candidate('parquet-wasm');
  const arrow = candidate('apache-arrow');
  const files = new Map<string, Promise<any>>();
  const open = (file: string) => {
    let f = files.get(file);
    if (!f) files.set(file, (f = fs.openAsBlob(file).then((blob) => pw.ParquetFile.fromFile(blob))));
    return f;
  };
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
  return {
    name: 'parquet-wasm 0.8.0 + apache-arrow 21.2.0',
    async rowGroups(file) {
      const pf = await open(file);
      return pf.metadata().rowGroups().map((g: any) => Number(g.numRows()));
    },
    async readRowGroup(file, rowGroup, columns) {
      const table = arrow.tableFromIPC((await (await open(file)).read({ rowGroups: [rowGroup], columns })).intoIPCStream());
      const out: Record<string, ArrayLike<unknown>> = {};
      for (const c of columns) out[c] = table.getChild(c).toArray();
      return { numRows: table.numRows, columns: out };
    },
    async writePredictions(file, p: Predictions) {
      const n = p.userIds.length;
      const dict = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
      const table = new arrow.Table({
        user_id: arrow.makeVector(p.userIds),
        purchase_probability: arrow.makeVector(p.probabilities),
        predicted_buyer: arrow.vectorFromArray(predictedBuyers(p), new arrow.Bool()),
        model_name: arrow.vectorFromArray(new Array(n).fill(p.modelName), dict()),
        model_version: arrow.vectorFromArray(new Array(n).fill(p.modelVersion), dict()),
        run_id: arrow.vectorFromArray(new Array(n).fill(p.runId), dict()),
        scored_at: arrow.makeVector({
          type: new arrow.TimestampMicrosecond('UTC'),
          data: new BigInt64Array(n).fill(BigInt(p.scoredAt.getTime()) * 1000n),
        }),
      });
      const bytes: Uint8Array = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props);
      await fs.promises.writeFile(file, bytes);
    },
  };
}
