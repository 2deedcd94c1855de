/**
 * `bench/score`: scoring throughput of batch-score against a lean Python peer, on the same files and cores.
 *
 *   for users in {1M, 10M} × model in {logistic regression, 100-tree GBM}:
 *     batch-score   P worker processes (default 2 = the cores), each scoring a contiguous share of the row
 *                   groups like a scoring activity: read (delta/readDataFile) → score (onnxruntime-node,
 *                   1 thread) → one Gold output file per share of a data file (pipeline/stagePredictions);
 *                   --layer hyparquet|duckdb|parquet-wasm swaps in one library for both ends instead
 *     Python peer   bench/score/peer.py: pyarrow + onnxruntime, library default threads, one process
 *
 *   node dist/bench/score/run.js [--users 1000000,10000000] [--models lr,gbm] [--processes 2] [--layer delta]
 *                                [--dir DIR] [--json FILE]
 * Prints users/s (wall clock, process start included), seconds per stage, peak RSS per process.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { openTable } from '../../delta';
import { openParquet } from '../../delta/parquet';
import type { PinnedModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { PYTHON, REPO_ROOT } from '../../test/support/processes';
import { benchDir, benchModel, BenchModel, benchSilver } from './data';
import { ParquetLayer } from './layer';
import { deltaLayer } from './layers/delta';
import { duckdbLayer } from './layers/duckdb';
import { hyparquetLayer } from './layers/hyparquet';
import { parquetWasmLayer } from './layers/parquet-wasm';
import { LoopResult, scoreSegments, Segment } from './loop';

const run = promisify(execFile);

interface Row {
  runner: string;
  users: number;
  model: BenchModel;
  wallSeconds: number;
  usersPerSecond: number;
  stages: { read: number; score: number; write: number };
  peakRssMb: number;
  checksum: number;
}

async function layerNamed(name: string, silverTable: string): Promise<ParquetLayer> {
  if (name === 'delta') return deltaLayer(await openTable(silverTable));
  if (name === 'hyparquet') return hyparquetLayer((await openTable(silverTable)).schema);
  if (name === 'parquet-wasm') return parquetWasmLayer();
  if (name === 'duckdb') return duckdbLayer(1);
  throw new Error(`unknown layer ${name}`);
}

/** A worker process: scores its segments, prints its LoopResult as one JSON line. */
async function child(args: { table: string; pinned: PinnedModel; layer: string; segments: Segment[]; out: string }) {
  const scorer = await loadScorer(args.pinned, { intraOpThreads: 1 });
  console.log(JSON.stringify(await scoreSegments(await layerNamed(args.layer, args.table), scorer, args.segments, args.out)));
}

/** Splits all (file, row group) pairs into `parts` contiguous shares, as segments. */
async function shares(files: string[], parts: number): Promise<Segment[][]> {
  const all: { file: string; g: number }[] = [];
  for (const file of files) (await openParquet(file)).rowGroupRows.forEach((_, g) => all.push({ file, g }));
  const out: Segment[][] = [];
  for (let p = 0; p < parts; p++) {
    const mine = all.slice(Math.floor((p * all.length) / parts), Math.floor(((p + 1) * all.length) / parts));
    const segments: Segment[] = [];
    for (const { file, g } of mine) {
      const last = segments[segments.length - 1];
      if (last?.file === file) last.rowGroups!.push(g);
      else segments.push({ file, rowGroups: [g] });
    }
    out.push(segments);
  }
  return out;
}

async function benchNode(dir: string, users: number, model: BenchModel, processes: number, layer: string): Promise<Row> {
  const { table, files } = await benchSilver(dir, users);
  const pinned = await benchModel(dir, model);
  const out = path.join(dir, 'out', `node-${layer}-${model}-${users}`);
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { recursive: true });
  const started = performance.now();
  const results: LoopResult[] = await Promise.all(
    (await shares(files, processes)).map(async (segments) => {
      const spec = JSON.stringify({ table, pinned, layer, segments, out });
      const { stdout } = await run(process.execPath, [__filename, '--child', spec], { env: process.env, maxBuffer: 1 << 26 });
      return JSON.parse(stdout.trim().split('\n').pop()!) as LoopResult;
    }),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const sum = (k: 'read' | 'score' | 'write') => results.reduce((a, r) => a + r.seconds[k], 0);
  return {
    runner: `batch-score, ${processes} process${processes > 1 ? 'es' : ''} (${results[0].layer})`,
    users,
    model,
    wallSeconds,
    usersPerSecond: users / wallSeconds,
    stages: { read: sum('read'), score: sum('score'), write: sum('write') },
    peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
    checksum: results.reduce((a, r) => a + r.checksum, 0),
  };
}

async function benchPython(dir: string, users: number, model: BenchModel): Promise<Row> {
  const { files } = await benchSilver(dir, users);
  const pinned = await benchModel(dir, model);
  const out = path.join(dir, 'out', `python-${model}-${users}`);
  await fs.rm(out, { recursive: true, force: true });
  const started = performance.now();
  const { stdout } = await run(
    PYTHON,
    [path.join(REPO_ROOT, 'bench', 'score', 'peer.py'), '--model', pinned.localPath, '--features', pinned.features.join(','),
      '--model-name', pinned.name, '--model-version', pinned.version, '--out', out, ...files],
    { maxBuffer: 1 << 26 },
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  return {
    runner: r.layer,
    users,
    model,
    wallSeconds,
    usersPerSecond: users / wallSeconds,
    stages: { read: r.seconds.read, score: r.seconds.score, write: r.seconds.write },
    peakRssMb: r.peakRssMb,
    checksum: r.checksum,
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| users | model | runner | users/s | wall | read | score | write | peak RSS / process | checksum |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.users.toLocaleString('en-US')} | ${r.model} | ${r.runner} | ${Math.round(r.usersPerSecond).toLocaleString('en-US')} | ` +
        `${r.wallSeconds.toFixed(2)} s | ${r.stages.read.toFixed(2)} s | ${r.stages.score.toFixed(2)} s | ${r.stages.write.toFixed(2)} s | ` +
        `${Math.round(r.peakRssMb)} MB | ${r.checksum.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' }, models: { type: 'string' }, processes: { type: 'string' }, layer: { type: 'string' },
      dir: { type: 'string' }, json: { type: 'string' }, child: { type: 'string' },
    },
  });
  if (values.child) return child(JSON.parse(values.child));
  const dir = benchDir(values.dir);
  const processes = Number(values.processes ?? os.availableParallelism());
  const layer = values.layer ?? 'delta';
  const rows: Row[] = [];
  for (const users of (values.users ?? '1000000,10000000').split(',').map(Number)) {
    await benchSilver(dir, users); // inputs are made once, outside the measurements
    for (const model of (values.models ?? 'lr,gbm').split(',') as BenchModel[]) {
      await benchModel(dir, model);
      rows.push(await benchNode(dir, users, model, processes, layer));
      console.error(table(rows.slice(-1)).split('\n').pop());
      rows.push(await benchPython(dir, users, model));
      console.error(table(rows.slice(-1)).split('\n').pop());
    }
  }
  console.log(table(rows));
  if (values.json) await fs.writeFile(values.json, JSON.stringify(rows, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
