/**
 * Benchmark (a script, not a test): the two Parquet paths of the Delta layer side by side — hyparquet
 * (delta/parquet/row-group-reader.ts, writer.ts) and DuckDB (delta/parquet/duckdb-reader.ts, duckdb-writer.ts) —
 * writing then reading every row group of
 *   gold:   1,000,000 rows of user_id long, purchase_probability double, predicted_buyer boolean, model_name,
 *           model_version, run_id (constant strings), scored_at (a constant timestamp)
 *   silver: 1,000,000 rows of user_id long + 10 double features
 * Each (path, data set) runs in its own child process so peak RSS is its own; values read back are checked.
 *
 *   npm run build && node dist/bench/delta-parquet.js [--rows 1000000] [--repeat 1]
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaTimestamp, StructType } from '../delta';
import { openParquet, readRowGroup, readRowGroupDuckdb, writeParquetFile, writeParquetFileDuckdb } from '../delta';

type PathName = 'hyparquet' | 'duckdb';
type DataSet = 'gold' | 'silver';

const field = (name: string, type: string, nullable = true) => ({ name, type, nullable, metadata: {} });
const GOLD: StructType = {
  type: 'struct',
  fields: [
    field('user_id', 'long', false), field('purchase_probability', 'double'), field('predicted_buyer', 'boolean'), field('model_name', 'string'),
    field('model_version', 'string'), field('run_id', 'string'), field('scored_at', 'timestamp'),
  ],
};
const FEATURES = Array.from({ length: 10 }, (_, i) => `f${i}`);
const SILVER: StructType = { type: 'struct', fields: [field('user_id', 'long', false), ...FEATURES.map((f) => field(f, 'double'))] };

function batch(set: DataSet, n: number): Record<string, ArrayLike<unknown>> {
  const userIds = BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 31n + 1_000_000_000n);
  const rnd = (seed: number) => Float64Array.from({ length: n }, (_, i) => ((Math.sin(i * 12.9898 + seed) * 43758.5453) % 1 + 1) % 1);
  if (set === 'silver') return { user_id: userIds, ...Object.fromEntries(FEATURES.map((f, k) => [f, rnd(k)])) };
  const p = rnd(99);
  return {
    user_id: userIds,
    purchase_probability: p,
    predicted_buyer: Array.from(p, (x) => x >= 0.5),
    model_name: new Array(n).fill('purchase-propensity'),
    model_version: new Array(n).fill('7'),
    run_id: new Array(n).fill('run-2026-11-23-8f3a2c'),
    scored_at: new Array(n).fill(new DeltaTimestamp(1_795_420_800_123_456n)),
  };
}

/** Child: write then read one data set with one path; prints one JSON line. */
async function child(which: PathName, set: DataSet, rows: number, dir: string): Promise<void> {
  const schema = set === 'gold' ? GOLD : SILVER;
  const data = batch(set, rows);
  const file = path.join(dir, `${set}-${which}.parquet`);
  const write = which === 'duckdb' ? writeParquetFileDuckdb : writeParquetFile;
  const read = which === 'duckdb' ? readRowGroupDuckdb : readRowGroup;
  let t = process.hrtime.bigint();
  await write(file, schema, rows, data);
  const writeS = Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const pf = await openParquet(file);
  let checksum = 0;
  let at = 0;
  for (let g = 0; g < pf.rowGroupRows.length; g++) {
    const r = await read(pf, g, schema.fields);
    const col = r[set === 'gold' ? 'purchase_probability' : 'f9'] as ArrayLike<number>;
    for (let i = 0; i < col.length; i++) checksum += col[i];
    if (r.user_id[0] !== (data.user_id as BigInt64Array)[at]) throw new Error(`${which}: row group ${g} starts with the wrong user`);
    at += pf.rowGroupRows[g];
  }
  const readS = Number(process.hrtime.bigint() - t) / 1e9;
  const size = (await fs.stat(file)).size;
  console.log(JSON.stringify({ which, set, writeS, readS, rssMB: process.resourceUsage().maxRSS / 1024, sizeMB: size / 1e6, rowGroups: pf.rowGroupRows.length, checksum }));
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
  const rows = Number(opt('--rows', '1000000'));
  if (args[0] === '--child') return child(args[1] as PathName, args[2] as DataSet, rows, args[3]);
  const repeat = Number(opt('--repeat', '1'));
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'delta-parquet-bench-'));
  try {
    console.log(`${rows.toLocaleString('en-US')} rows, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, Node ${process.version}`);
    console.log('data set | path      | write s | read s | peak RSS MB | file MB | row groups');
    for (const set of ['gold', 'silver'] as DataSet[]) {
      const sums: Record<string, number> = {};
      for (let k = 0; k < repeat; k++) {
        for (const which of ['hyparquet', 'duckdb'] as PathName[]) {
          const r = spawnSync(process.execPath, [__filename, '--child', which, set, dir, '--rows', String(rows)], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`${which} ${set}: ${r.stderr}`);
          const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
          sums[which] = m.checksum;
          console.log(`${set.padEnd(8)} | ${which.padEnd(9)} | ${m.writeS.toFixed(2).padStart(7)} | ${m.readS.toFixed(2).padStart(6)} | ${m.rssMB.toFixed(0).padStart(11)} | ${m.sizeMB.toFixed(1).padStart(7)} | ${m.rowGroups}`);
        }
      }
      if (sums.hyparquet !== sums.duckdb) throw new Error(`${set}: checksums differ (${sums.hyparquet} vs ${sums.duckdb})`);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
