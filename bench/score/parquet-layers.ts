/**
 * Which Parquet library for the read → score → write loop? Runs the loop (./loop.ts) once per candidate, each in
 * its own process (clean peak RSS), on the same Silver files and the same model, single-threaded.
 *
 *   PARQUET_CANDIDATES=/tmp/pq-candidates node dist/bench/score/parquet-layers.js [--users 1000000] [--model lr|gbm]
 *
 * Candidates: hyparquet, parquet-wasm + apache-arrow, @duckdb/node-api (see ./candidates.ts), and `delta`: the
 * product's own path (delta/readDataFile + pipeline/stagePredictions) for comparison.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { openTable } from '../../delta';
import { loadScorer } from '../../scoring';
import { benchDir, benchModel, BenchModel, benchSilver } from './data';
import { ParquetLayer } from './layer';
import { deltaLayer } from './layers/delta';
import { duckdbLayer } from './layers/duckdb';
import { hyparquetLayer } from './layers/hyparquet';
import { parquetWasmLayer } from './layers/parquet-wasm';
import { LoopResult, scoreSegments } from './loop';

const LAYERS = ['hyparquet', 'parquet-wasm', 'duckdb', 'delta'] as const;

async function layerNamed(name: string, silverTable: string): Promise<ParquetLayer> {
  if (name === 'delta') return deltaLayer(await openTable(silverTable));
  if (name === 'hyparquet') return hyparquetLayer((await openTable(silverTable)).schema);
  if (name === 'parquet-wasm') return parquetWasmLayer();
  if (name === 'duckdb') return duckdbLayer(1);
  throw new Error(`unknown layer ${name} (${LAYERS.join(', ')})`);
}

/** One measurement in this process; prints the result as one JSON line. */
async function child(layerName: string, users: number, model: BenchModel, dir: string): Promise<void> {
  const { table, files } = await benchSilver(dir, users);
  const scorer = await loadScorer(await benchModel(dir, model), { intraOpThreads: 1 });
  const out = path.join(dir, 'out', `${layerName}-${model}-${users}`);
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { recursive: true });
  const layer = await layerNamed(layerName, table);
  const result = await scoreSegments(layer, scorer, files.map((file) => ({ file })), out);
  const bytes = (await Promise.all((await fs.readdir(out)).map((f) => fs.stat(path.join(out, f))))).reduce((a, s) => a + s.size, 0);
  console.log(JSON.stringify({ ...result, outputMb: bytes / 1e6 }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { users: { type: 'string' }, model: { type: 'string' }, dir: { type: 'string' }, layers: { type: 'string' }, child: { type: 'string' } },
  });
  const users = Number(values.users ?? 1_000_000);
  const model = (values.model ?? 'lr') as BenchModel;
  const dir = benchDir(values.dir);
  if (values.child) return child(values.child, users, model, dir);

  await benchSilver(dir, users); // make the inputs once, outside the measured processes
  await benchModel(dir, model);
  const results: (LoopResult & { outputMb: number })[] = [];
  for (const layer of (values.layers ?? LAYERS.join(',')).split(',')) {
    const { stdout } = await promisify(execFile)(process.execPath, [__filename, '--child', layer, '--users', String(users), '--model', model, '--dir', dir], {
      env: process.env,
      maxBuffer: 1 << 26,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!);
    results.push(r);
    console.error(`${layer}: ${r.seconds.total.toFixed(2)} s`);
  }
  console.log(`| library | read | score | write | total | users/s | peak RSS | output | checksum |`);
  console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
  for (const r of results) {
    console.log(
      `| ${r.layer} | ${r.seconds.read.toFixed(2)} s | ${r.seconds.score.toFixed(2)} s | ${r.seconds.write.toFixed(2)} s | ` +
        `${r.seconds.total.toFixed(2)} s | ${Math.round(r.usersPerSecond).toLocaleString('en-US')} | ${Math.round(r.peakRssMb)} MB | ` +
        `${r.outputMb.toFixed(1)} MB | ${r.checksum.toFixed(6)} |`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
