/**
 * `bench/score`: scoring throughput of batch-score against a lean Python peer, on the same files and cores.
 *
 *   for users in {1M, 10M} × model in {logistic regression, 100-tree GBM}:
 *     batch-score   P worker processes (default 2 = the cores) taking scoring units (whole row groups,
 *                   ~250K rows, as planUnits cuts them) from one queue, as workers take scoreUnit tasks:
 *                   read (delta/readDataFile) → score (onnxruntime-node, 1 thread) → one Gold file per unit
 *                   (pipeline/stagePredictions); --layer hyparquet|duckdb|parquet-wasm swaps in one library
 *                   for both ends instead
 *     Python peers  bench/score/peer.py: pyarrow + onnxruntime; the lean one in one process with library default
 *                   threads, and the per-core one laid out as batch-score runs (P processes, units of 2 row
 *                   groups, 1 onnxruntime thread each)
 *
 *   node dist/bench/score/run.js [--users 1000000,10000000] [--models lr,gbm] [--processes 2] [--layer delta]
 *                                [--concurrency 1] [--threads 1]   (units at a time per process, onnxruntime threads)
 *                                [--repeat N]   (N alternating rounds; prints every run and the medians)
 *                                [--unit-rows N]   (rows per scoring unit, whole row groups; default 262,144)
 *                                [--dir DIR] [--json FILE]
 * Prints users/s (wall clock, process start included), seconds per stage, peak RSS summed over all processes of
 * a runner. The runners' checksums (sum of probabilities) must agree, or the bench exits 1.
 */
import { execFile, fork } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { NODE_FLAGS } from '../../cli/launch';
import { openTable } from '../../delta';
import { openParquet } from '../../delta';
import type { PinnedModel } from '../../registry';
import { loadScorer } from '../../scoring';
import { PYTHON, REPO_ROOT } from '../../devkit';
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

/**
 * A worker process: like a scoring worker polling its task queue with `concurrency` activity slots, it asks
 * for a unit per free slot and scores it; when no unit is left for any slot it prints its totals (a
 * LoopResult) as one JSON line. onnxruntime runs with `threads` intra-op threads.
 */
async function child(args: { table: string; pinned: PinnedModel; layer: string; out: string; concurrency: number; threads: number }) {
  const scorer = await loadScorer(args.pinned, { intraOpThreads: args.threads });
  const layer = await layerNamed(args.layer, args.table);
  const done: LoopResult[] = [];
  let idleSlots = 0;
  process.on('message', (msg: { unit?: Segment[] }) => {
    if (!msg.unit) {
      if (++idleSlots < args.concurrency) return;
      console.log(JSON.stringify(sumResults(done)));
      process.disconnect();
      return;
    }
    scoreSegments(layer, scorer, msg.unit, args.out).then((r) => {
      done.push(r);
      process.send!('next');
    }, (err) => {
      console.error(err);
      process.exit(1);
    });
  });
  for (let slot = 0; slot < args.concurrency; slot++) process.send!('next');
}

function sumResults(results: LoopResult[]): LoopResult {
  const sum = (k: 'read' | 'score' | 'write' | 'total') => results.reduce((a, r) => a + r.seconds[k], 0);
  const users = results.reduce((a, r) => a + r.users, 0);
  const seconds = { read: sum('read'), score: sum('score'), write: sum('write'), total: sum('total') };
  return {
    layer: results[0]?.layer ?? '', model: results[0]?.model ?? '', users, seconds, usersPerSecond: users / seconds.total,
    peakRssMb: process.resourceUsage().maxRSS / 1024, checksum: results.reduce((a, r) => a + r.checksum, 0),
  };
}

/** Units as planUnits cuts them: whole row groups of one file, about UNIT_ROWS rows each, in file order. */
async function unitsOf(files: string[], unitRows: number): Promise<Segment[][]> {
  const units: Segment[][] = [];
  for (const file of files) {
    let unit: number[] = [];
    let rows = 0;
    for (const [g, n] of (await openParquet(file)).rowGroupRows.entries()) {
      if (unit.length > 0 && rows + n > unitRows) {
        units.push([{ file, rowGroups: unit }]);
        unit = [];
        rows = 0;
      }
      unit.push(g);
      rows += n;
    }
    if (unit.length > 0) units.push([{ file, rowGroups: unit }]);
  }
  return units;
}

/** Units of two row groups, as the per-core peer cuts them (the run's default unitRows was 250,000 until issue 11). */
const UNIT_ROWS = 262_144;

/** One worker process, fed units from the shared queue until it is empty; resolves to its totals. */
function workerProcess(spec: string, queue: Segment[][]): Promise<LoopResult> {
  return new Promise((resolve, reject) => {
    // Started with the V8 flags `batch-score worker` runs with (cli/launch.ts).
    const worker = fork(__filename, ['--child', spec], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...NODE_FLAGS] });
    let stdout = '';
    worker.stdout!.on('data', (d) => (stdout += d));
    worker.on('message', () => worker.send({ unit: queue.shift() }));
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench worker exited with ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as LoopResult);
    });
  });
}

async function benchNode(dir: string, users: number, model: BenchModel, processes: number, layer: string, slots: { concurrency: number; threads: number; unitRows: number }): Promise<Row> {
  const { table, files } = await benchSilver(dir, users);
  const pinned = await benchModel(dir, model);
  const out = path.join(dir, 'out', `node-${layer}-${model}-${users}`);
  await fs.rm(out, { recursive: true, force: true });
  await fs.mkdir(out, { recursive: true });
  const units = await unitsOf(files, slots.unitRows);
  const started = performance.now();
  const spec = JSON.stringify({ table, pinned, layer, out, ...slots });
  const results: LoopResult[] = await Promise.all(Array.from({ length: processes }, () => workerProcess(spec, units)));
  const wallSeconds = (performance.now() - started) / 1000;
  const sum = (k: 'read' | 'score' | 'write') => results.reduce((a, r) => a + r.seconds[k], 0);
  return {
    runner: `batch-score, ${processes} process${processes > 1 ? 'es' : ''} × ${slots.concurrency} unit${slots.concurrency > 1 ? 's' : ''} at a time, ${slots.threads} onnxruntime thread${slots.threads > 1 ? 's' : ''} (${results[0].layer})`,
    users,
    model,
    wallSeconds,
    usersPerSecond: users / wallSeconds,
    stages: { read: sum('read'), score: sum('score'), write: sum('write') },
    peakRssMb: results.reduce((mb, r) => mb + r.peakRssMb, 0),
    checksum: results.reduce((a, r) => a + r.checksum, 0),
  };
}

async function benchPython(dir: string, users: number, model: BenchModel, processes: number): Promise<Row> {
  const { files } = await benchSilver(dir, users);
  const pinned = await benchModel(dir, model);
  const out = path.join(dir, 'out', `python-${processes}-${model}-${users}`);
  await fs.rm(out, { recursive: true, force: true });
  const started = performance.now();
  const { stdout } = await run(
    PYTHON,
    [path.join(REPO_ROOT, 'bench', 'score', 'peer.py'), '--model', pinned.localPath, '--features', pinned.features.join(','),
      '--model-name', pinned.name, '--model-version', pinned.version, '--out', out, '--processes', String(processes), ...files],
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
    '| users | model | runner | users/s | wall | read | score | write | peak RSS, all processes | checksum |',
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
      dir: { type: 'string' }, json: { type: 'string' }, child: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' },
      repeat: { type: 'string' }, 'unit-rows': { type: 'string' },
    },
  });
  if (values.child) return child(JSON.parse(values.child));
  const dir = benchDir(values.dir);
  const processes = Number(values.processes ?? os.availableParallelism());
  const layer = values.layer ?? 'delta';
  const repeat = Number(values.repeat ?? 1);
  const rows: Row[] = [];
  const medians: Row[] = [];
  for (const users of (values.users ?? '1000000,10000000').split(',').map(Number)) {
    await benchSilver(dir, users); // inputs are made once, outside the measurements
    for (const model of (values.models ?? 'lr,gbm').split(',') as BenchModel[]) {
      await benchModel(dir, model);
      // Rounds alternate the two runners, so a change in the machine's load hits both alike.
      const ours: Row[] = [];
      const peer: Row[] = [];
      const perCore: Row[] = [];
      for (let round = 0; round < repeat; round++) {
        ours.push(await benchNode(dir, users, model, processes, layer, { concurrency: Number(values.concurrency ?? 1), threads: Number(values.threads ?? 1), unitRows: Number(values['unit-rows'] ?? UNIT_ROWS) }));
        console.error(table(ours.slice(-1)).split('\n').pop());
        peer.push(await benchPython(dir, users, model, 1));
        console.error(table(peer.slice(-1)).split('\n').pop());
        perCore.push(await benchPython(dir, users, model, processes));
        console.error(table(perCore.slice(-1)).split('\n').pop());
      }
      rows.push(...ours, ...peer, ...perCore);
      medians.push(median(ours), median(peer), median(perCore));
    }
  }
  console.log(table(rows));
  if (repeat > 1) {
    console.log(`\nMedian of ${repeat} rounds (by wall time), and batch-score's throughput relative to the peer:\n`);
    console.log(table(medians));
    for (let i = 0; i < medians.length; i += 3) {
      const [a, b, c] = medians.slice(i, i + 3);
      console.log(`${a.users.toLocaleString('en-US')} users, ${a.model}: ${(a.usersPerSecond / b.usersPerSecond).toFixed(2)}× the lean peer, ${(a.usersPerSecond / c.usersPerSecond).toFixed(2)}× the per-core peer`);
    }
  }
  // Every runner scored the same users with the same model: the sums of probabilities must agree.
  const differ = rows.filter((r) => {
    const ref = rows.find((o) => o.users === r.users && o.model === r.model)!;
    return Math.abs(r.checksum - ref.checksum) > 1e-9 * r.users;
  });
  if (differ.length > 0) {
    console.log(`\nCHECKSUMS DIFFER: ${differ.map((r) => `${r.runner} (${r.users} users, ${r.model}): ${r.checksum}`).join('; ')}`);
    process.exitCode = 1;
  } else {
    console.log('\nChecksums agree across runners.');
  }
  if (values.json) await fs.writeFile(values.json, JSON.stringify({ rows, medians }, null, 2) + '\n');
}

/** The run with the median wall time (the lower middle one for an even count). */
function median(runs: Row[]): Row {
  return [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor((runs.length - 1) / 2)];
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
