/**
 * `bench/orchestration`: what a user waits for, a whole `batch-score run --wait`, against the same work without
 * Temporal and against two Python peers, alternating rounds, on the same Silver snapshot (issue 11).
 *
 *   batch-score run --wait   the CLI as a process (start and connection included) against a real dev server and a
 *                            warm `batch-score worker --processes P`; the workflow's history splits the time into
 *                            model, plan, units, Gold commit, top buyers, and what lies outside the workflow
 *   same work, no Temporal   the pipeline functions the activities call (plan, score and stage each unit, one Gold
 *                            commit, top buyers) in P warm processes fed from one queue: the difference to the
 *                            whole run is what orchestration costs
 *   Python lean peer         bench/orchestration/peer.py, 1 process: delta-rs → onnxruntime → delta-rs
 *   Python per-core peer     peer.py --processes P: P processes, units of 2 row groups, one delta-rs commit
 *
 *   node dist/bench/orchestration/run.js [--users 1000000,10000000] [--repeat 3] [--processes P] [--dir DIR] [--json FILE]
 *                                        [--storage local|s3|local,s3]
 *
 * --storage s3 runs batch-score's two runners with Silver, Gold and top_buyers in a bucket of a local MinIO
 * (devkit/minio.ts; the Silver table is uploaded once, outside the measurements), so the same run compares
 * object storage with local disk (issue 10's target: within 1.5×, no more memory per worker). The Python peers
 * run on local disk only.
 *
 * Memory is the total of all processes of a runner (peak RSS summed over its processes, the Temporal server not
 * included). Every runner's checksum (sum of probabilities) and top-buyers count must agree, or the bench fails.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { NODE_FLAGS } from '../../cli/launch';
import { RUN_DEFAULTS } from '../../config';
import { startLocalServer } from '../../cli/temporal-server';
import { openTable, scanTable, storeFor } from '../../delta';
import { MinioServer, PYTHON, REPO_ROOT, startMinio } from '../../devkit';
import { publishPredictions } from '../../pipeline/gold-predictions';
import { TOP_BUYERS_TABLE } from '../../pipeline/gold-schemas';
import { checkGoldTargets, checkGoldTarget } from '../../pipeline/gold-targets';
import { candidatePlan, CandidatePlan } from '../../pipeline/candidate-plan';
import { commitTopBuyers } from '../../pipeline/gold-top-buyers';
import { mergeCandidateColumns, recordedCandidates } from '../../pipeline/top-candidates';
import { scoreAndStageUnit } from '../../pipeline/score-unit';
import { planUnits } from '../../pipeline/silver-plan';
import type { ScoredUnit } from '../../pipeline/score-unit';
import { removeUnpublishedStaged } from '../../pipeline/staged-files';
import { DEFAULT_TOP_BUYERS_RULE } from '../../pipeline/top-buyers-rule';
import { modelIdentity, PinnedModel } from '../../registry';
import { loadScorer, ScoringUnit } from '../../scoring';
import { BENCH_DATE, benchDir, benchModel, benchSilver } from '../score/data';
import { BIN, descendantNamed, endedChildrenCpuSeconds, startWorker, treeCpuSeconds, treePeakMb } from '../process-tree';

const UNIT_ROWS = RUN_DEFAULTS.unitRows;

type Storage = 'local' | 's3';

/** Where a runner's tables are: the bench folder, or the MinIO bucket holding a copy of the Silver tables. */
interface Tables {
  storage: Storage;
  silver(users: number): Promise<string>;
  /** The folder of a runner's Gold and top_buyers tables. */
  out(name: string): string;
  /** The S3 server's process, on the same cores as the runners: its CPU time is counted apart. */
  serverPid?: number;
}

function localTables(dir: string): Tables {
  return {
    storage: 'local',
    silver: async (users) => (await benchSilver(dir, users)).table,
    out: (name) => path.join(dir, 'orchestration', name),
  };
}

/** The bucket's tables: each Silver table uploaded once, file for file, under s3://bucket/silver-N/user_features. */
async function s3Tables(dir: string, server: MinioServer, sizes: number[]): Promise<Tables> {
  const location = (users: number) => `s3://${server.bucket}/silver-${users}/user_features`;
  for (const users of sizes) {
    const { table } = await benchSilver(dir, users);
    const store = storeFor(location(users));
    for (const file of fs.readdirSync(table, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const local = path.join(file.parentPath, file.name);
      await store.putFile(path.relative(table, local).split(path.sep).join('/'), local);
    }
  }
  const run = randomUUID().slice(0, 8);
  return { storage: 's3', silver: async (users) => location(users), out: (name) => `s3://${server.bucket}/orchestration-${run}/${name}`, serverPid: server.pid };
}

interface Row {
  storage: Storage;
  runner: string;
  users: number;
  wallSeconds: number;
  /** Named parts of the wall time (seconds). */
  parts: Record<string, number>;
  totalPeakRssMb: number;
  /** CPU seconds of the runner's processes (undefined for the Python peers), of the S3 server and of the Temporal server during the run. */
  cpuSeconds?: number;
  serverCpuSeconds?: number;
  temporalCpuSeconds?: number;
  /** CPU seconds of the `run --wait` process itself (start, Temporal client, connection, waiting). */
  cliCpuSeconds?: number;
  checksum: number;
  topBuyers: number;
}

// ---- batch-score run --wait ----

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Seconds between events of the run's history: each activity type's span (first scheduled → last completed). */
function historySpans(events: { eventTime?: { seconds?: unknown; nanos?: number | null } | null; activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null; activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null; eventId?: unknown }[]): Record<string, number> {
  const t = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9;
  const typeOf = new Map<string, string>();
  const spans: Record<string, [number, number]> = {};
  for (const e of events) {
    const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) {
      typeOf.set(String(e.eventId), scheduled);
      spans[scheduled] = [Math.min(spans[scheduled]?.[0] ?? Infinity, t(e)), spans[scheduled]?.[1] ?? 0];
    }
    const done = e.activityTaskCompletedEventAttributes?.scheduledEventId;
    if (done !== undefined && done !== null) {
      const name = typeOf.get(String(done))!;
      spans[name][1] = Math.max(spans[name][1], t(e));
    }
  }
  const out: Record<string, number> = { workflow: t(events[events.length - 1]) - t(events[0]) };
  for (const [name, [a, b]] of Object.entries(spans)) out[name] = b - a;
  return out;
}

async function benchRun(ctx: { env: NodeJS.ProcessEnv; worker: ChildProcess; server: Awaited<ReturnType<typeof startLocalServer>>; temporalPid?: number }, tables: Tables, users: number, processes: number): Promise<Row> {
  const table = await tables.silver(users);
  const out = tables.out(`temporal-${users}`);
  const goldTable = `${out}/gold`;
  treePeakMb(ctx.worker.pid!, true);
  const cpu0 = treeCpuSeconds(ctx.worker.pid!);
  const server0 = tables.serverPid ? treeCpuSeconds(tables.serverPid, false) : 0;
  const temporal0 = ctx.temporalPid ? treeCpuSeconds(ctx.temporalPid, false) : 0;
  const cli0 = endedChildrenCpuSeconds();
  const started = performance.now();
  const r = await runCli(['run', '--date', BENCH_DATE, '--silver', table, '--gold', goldTable, '--top-buyers', `${out}/top_buyers`, '--wait', '--json'], ctx.env);
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuSeconds = treeCpuSeconds(ctx.worker.pid!) - cpu0;
  const cliCpuSeconds = endedChildrenCpuSeconds() - cli0;
  const serverCpuSeconds = tables.serverPid ? treeCpuSeconds(tables.serverPid, false) - server0 : undefined;
  const temporalCpuSeconds = ctx.temporalPid ? treeCpuSeconds(ctx.temporalPid, false) - temporal0 : undefined;
  if (r.code !== 0) throw new Error(`run --wait exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  const result = JSON.parse(r.stdout);
  const history = await ctx.server.client.workflow.getHandle(result.workflowId, result.runId).fetchHistory();
  const spans = historySpans(history.events ?? []);
  const gold = await openTable(goldTable);
  const checksum = await probabilitySum(goldTable, gold.version);
  return {
    storage: tables.storage,
    runner: `batch-score run --wait (real server, warm worker --processes ${processes})`,
    users,
    wallSeconds,
    parts: {
      'outside the workflow (CLI, connection)': wallSeconds - spans.workflow,
      'resolve + plan': (spans.resolveModel ?? 0) + (spans.planUnits ?? 0),
      units: spans.scoreUnit ?? 0,
      'Gold commit': spans.commitGold ?? 0,
      'top buyers': spans.selectTopBuyers ?? 0,
    },
    totalPeakRssMb: treePeakMb(ctx.worker.pid!),
    cpuSeconds,
    serverCpuSeconds,
    temporalCpuSeconds,
    cliCpuSeconds,
    checksum,
    topBuyers: result.topBuyers?.count ?? -1,
  };
}

async function probabilitySum(goldTable: string, version: number): Promise<number> {
  let sum = 0;
  for await (const b of scanTable(await openTable(goldTable, { version }), { columns: ['purchase_probability'], partition: { score_date: BENCH_DATE } })) {
    const p = b.columns.purchase_probability as ArrayLike<number | null>;
    for (let i = 0; i < b.numRows; i++) sum += p[i] ?? 0;
  }
  return sum;
}

// ---- the same work without Temporal ----

interface ChildJob {
  silverTable: string; silverSchema: unknown; unit: ScoringUnit; goldTable: string; topBuyersTable: string; runId: string; candidates: CandidatePlan;
  /** Set when the plan left the duplicate-user check to the units, as the activity passes it. */
  checkDuplicates?: { silverVersion: number };
}

/** A warm process of the no-Temporal runner: loads the scorer once, then scores and stages the units it is sent. */
async function child(spec: { pinned: PinnedModel }): Promise<void> {
  const scorer = await loadScorer(spec.pinned, { intraOpThreads: 1 });
  process.on('message', (job: ChildJob | 'stop') => {
    if (job === 'stop') return process.disconnect();
    scoreAndStageUnit({
      silverTable: job.silverTable, silverSchema: job.silverSchema as never, unit: job.unit, scorer, nullPolicy: 'error', checkDuplicates: job.checkDuplicates,
      goldTable: job.goldTable, scoreDate: BENCH_DATE, runId: job.runId, attempt: 1, threshold: 0.5,
      candidates: { plan: job.candidates, topBuyersTable: job.topBuyersTable },
    }).then((r) => process.send!({ ...r, add: { ...r.add } }), (err) => {
      console.error(err);
      process.exit(1);
    });
  });
  process.send!('ready');
}

function startPool(pinned: PinnedModel, processes: number): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: processes }, () => new Promise<ChildProcess>((resolve, reject) => {
    const c = fork(__filename, ['--child', JSON.stringify({ pinned })], { execArgv: [...process.execArgv, ...NODE_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    c.once('message', () => resolve(c));
    c.once('exit', (code) => reject(new Error(`bench process exited (${code})`)));
  })));
}

async function benchDirect(tables: Tables, pool: ChildProcess[], pinned: PinnedModel, users: number): Promise<Row> {
  const table = await tables.silver(users);
  const out = tables.out(`direct-${users}`);
  const goldTable = `${out}/gold`;
  const topBuyersTable = `${out}/top_buyers`;
  const runId = randomUUID();
  const txn = { appId: runId, version: Date.now() };
  const processes = [process.pid, ...pool.map((c) => c.pid!)];
  for (const p of processes) treePeakMb(p, true, false);
  const cpu = () => pool.reduce((t, c) => t + treeCpuSeconds(c.pid!, false), 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
  const serverCpu = () => (tables.serverPid ? treeCpuSeconds(tables.serverPid, false) : 0);
  const [cpu0, server0] = [cpu(), serverCpu()];
  const t0 = performance.now();
  await checkGoldTargets({ goldTable, topBuyersTable, scoreDate: BENCH_DATE });
  const plan = await planUnits({ silverTable: table, scoreDate: BENCH_DATE, unitRows: UNIT_ROWS });
  const candidates = candidatePlan(DEFAULT_TOP_BUYERS_RULE, plan.totalRows, plan.units.length);
  const t1 = performance.now();
  const queue = [...plan.units];
  const results: ScoredUnit[] = [];
  await Promise.all(pool.map((c) => new Promise<void>((resolve, reject) => {
    const next = () => {
      const unit = queue.shift();
      if (!unit) return resolve();
      c.once('message', (r: ScoredUnit) => {
        results.push(r);
        next();
      });
      const checkDuplicates = plan.duplicateCheck === 'units' ? { silverVersion: plan.silverVersion } : undefined;
      c.send({ silverTable: table, silverSchema: plan.silverSchema, unit, goldTable, topBuyersTable, runId, candidates, checkDuplicates } satisfies ChildJob);
    };
    c.once('exit', (code) => reject(new Error(`bench process exited (${code})`)));
    next();
  })));
  for (const c of pool) c.removeAllListeners('exit');
  const t2 = performance.now();
  results.sort((a, b) => a.unitIndex - b.unitIndex);
  const workflowId = `bench-${runId}`;
  const model = modelIdentity(pinned);
  const gold = await publishPredictions({ goldTable, scoreDate: BENCH_DATE, runId, workflowId, model, silverTable: table, silverVersion: plan.silverVersion, units: results, txn });
  const t3 = performance.now();
  await checkGoldTarget(topBuyersTable, TOP_BUYERS_TABLE, BENCH_DATE);
  const scoredUsers = results.reduce((n, r) => n + r.rows, 0);
  const buyers = await mergeCandidateColumns({
    topBuyersTable, scoreDate: BENCH_DATE, runId, rule: DEFAULT_TOP_BUYERS_RULE, scoredUsers, candidates: recordedCandidates(results, runId),
  });
  await commitTopBuyers({ topBuyersTable, scoreDate: BENCH_DATE, workflowId, runId, model, buyers, txn, commitInfo: {} });
  await removeUnpublishedStaged(topBuyersTable, BENCH_DATE, runId); // the staged candidate files, as the run's end does
  const t4 = performance.now();
  const [cpu1, server1] = [cpu(), serverCpu()];
  return {
    storage: tables.storage,
    runner: `same work without Temporal (${pool.length} warm processes)`,
    users,
    wallSeconds: (t4 - t0) / 1000,
    parts: { 'resolve + plan': (t1 - t0) / 1000, units: (t2 - t1) / 1000, 'Gold commit': (t3 - t2) / 1000, 'top buyers': (t4 - t3) / 1000 },
    totalPeakRssMb: processes.reduce((mb, p) => mb + treePeakMb(p, false, false), 0),
    cpuSeconds: cpu1 - cpu0,
    serverCpuSeconds: tables.serverPid ? server1 - server0 : undefined,
    checksum: await probabilitySum(goldTable, gold.version),
    topBuyers: buyers.userIds.length,
  };
}

// ---- the Python peers ----

async function benchPeer(dir: string, pinned: PinnedModel, users: number, processes: number): Promise<Row> {
  const { table } = await benchSilver(dir, users);
  const out = path.join(dir, 'orchestration', `python-${processes}-${users}`);
  const started = performance.now();
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(PYTHON, [path.join(REPO_ROOT, 'bench', 'orchestration', 'peer.py'), '--silver', table, '--gold', path.join(out, 'gold'),
      '--top-buyers', path.join(out, 'top_buyers'), '--date', BENCH_DATE, '--model', pinned.localPath, '--features', pinned.features.join(','),
      '--processes', String(processes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`peer.py exited ${r.code}:\n${r.stderr}`);
  const p = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return {
    storage: 'local', runner: p.runner, users, wallSeconds,
    parts: { 'imports, start': wallSeconds - p.seconds.total, 'score + Gold commit': p.seconds.scoreAndCommit, 'top buyers': p.seconds.topBuyers },
    totalPeakRssMb: p.peakRssMb, checksum: p.checksum, topBuyers: p.topBuyers,
  };
}

// ---- report ----

function table(rows: Row[]): string {
  const lines = ['| users | storage | runner | wall | users/s | where the time went | total peak RSS | runner CPU | CLI CPU | S3 server CPU | Temporal server CPU | checksum | top buyers |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |'];
  const seconds = (x?: number) => (x === undefined ? '–' : `${x.toFixed(2)} s`);
  for (const r of rows) {
    const parts = Object.entries(r.parts).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join('; ');
    lines.push(`| ${r.users.toLocaleString('en-US')} | ${r.storage} | ${r.runner} | ${r.wallSeconds.toFixed(2)} s | ${Math.round(r.users / r.wallSeconds).toLocaleString('en-US')} | ${parts} | ${Math.round(r.totalPeakRssMb)} MB | ${seconds(r.cpuSeconds)} | ${seconds(r.cliCpuSeconds)} | ${seconds(r.serverCpuSeconds)} | ${seconds(r.temporalCpuSeconds)} | ${r.checksum.toFixed(3)} | ${r.topBuyers} |`);
  }
  return lines.join('\n');
}

function median(runs: Row[]): Row {
  return [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor((runs.length - 1) / 2)];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string' }, repeat: { type: 'string' }, processes: { type: 'string' }, dir: { type: 'string' }, json: { type: 'string' },
      child: { type: 'string' }, storage: { type: 'string' },
    },
  });
  if (values.child) return child(JSON.parse(values.child));
  const dir = benchDir(values.dir);
  const processes = Number(values.processes ?? os.availableParallelism());
  const repeat = Number(values.repeat ?? 3);
  const sizes = (values.users ?? '1000000,10000000').split(',').map(Number);
  for (const users of sizes) await benchSilver(dir, users); // inputs made once, outside the measurements
  const pinned = await benchModel(dir, 'lr');
  fs.rmSync(path.join(dir, 'orchestration'), { recursive: true, force: true });
  const storages = (values.storage ?? 'local').split(',') as Storage[];

  const minio = storages.includes('s3') ? await startMinio() : undefined;
  // The workers and the bench's own processes reach the bucket through the standard AWS variables.
  Object.assign(process.env, minio?.env ?? {});
  const server = await startLocalServer();
  const temporalPid = descendantNamed(process.pid, 'temporal'); // the dev server shares the workers' cores here
  const allowed = [dir, ...(minio ? [`s3://${minio.bucket}`] : [])].join(path.delimiter);
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, BATCH_SCORE_DATA: dir, BATCH_SCORE_ALLOWED_ROOTS: allowed };
  const worker = await startWorker(dir, processes, env, path.join(dir, 'orchestration-worker.log'));
  const pool = await startPool(pinned, processes);
  const all: Row[] = [];
  const medians: Row[] = [];
  try {
    const tables = [...(storages.includes('local') ? [localTables(dir)] : []), ...(minio ? [await s3Tables(dir, minio, sizes)] : [])];
    for (const users of sizes) {
      // A first run warms the worker (its model session, the Silver footers in the page cache), as a weekly run finds it.
      for (const t of tables) {
        await benchRun({ env, worker, server, temporalPid }, t, users, processes);
        await benchDirect(t, pool, pinned, users);
      }
      const runners: (() => Promise<Row>)[] = [
        ...tables.flatMap((t) => [() => benchRun({ env, worker, server, temporalPid }, t, users, processes), () => benchDirect(t, pool, pinned, users)]),
        ...(storages.includes('local') ? [() => benchPeer(dir, pinned, users, 1), () => benchPeer(dir, pinned, users, processes)] : []),
      ];
      const runs: Row[][] = runners.map(() => []);
      for (let round = 0; round < repeat; round++) {
        // Rounds alternate the runners, so a change in the machine's load hits all alike.
        for (const [i, runner] of runners.entries()) {
          runs[i].push(await runner());
          console.error(table([runs[i][round]]).split('\n').pop());
        }
      }
      all.push(...runs.flat());
      medians.push(...runs.map(median));
    }
  } finally {
    for (const c of pool) c.send('stop');
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await server.teardown();
    await minio?.stop();
  }
  console.log(table(all));
  console.log(`\nMedian of ${repeat} rounds (by wall time):\n`);
  console.log(table(medians));
  for (const users of sizes) {
    const of = (storage: Storage, runner: string) => medians.find((r) => r.users === users && r.storage === storage && r.runner.startsWith(runner));
    const rows = medians.filter((r) => r.users === users);
    const agree = rows.every((r) => Math.abs(r.checksum - rows[0].checksum) < 1e-9 * users && r.topBuyers === rows[0].topBuyers);
    if (!agree) process.exitCode = 1;
    const lines = [`${users.toLocaleString('en-US')} users: checksums and top-buyer counts ${agree ? 'agree' : 'DIFFER'}`];
    for (const storage of storages) {
      const [ours, direct] = [of(storage, 'batch-score run'), of(storage, 'same work')];
      if (ours && direct) {
        lines.push(`  ${storage}: Temporal's share of run --wait ${(100 * (1 - direct.wallSeconds / ours.wallSeconds)).toFixed(0)}%; ` +
          `CPU: worker ${ours.cpuSeconds!.toFixed(2)} s vs ${direct.cpuSeconds!.toFixed(2)} s without Temporal, plus the dev server's ${ours.temporalCpuSeconds?.toFixed(2) ?? '?'} s ` +
          `and the CLI's ${ours.cliCpuSeconds!.toFixed(2)} s on the same cores`);
        // What Temporal's CPU alone costs in wall time when all the cores are busy: its share can be no lower here.
        const temporalCpu = ours.cpuSeconds! - direct.cpuSeconds! + (ours.temporalCpuSeconds ?? 0) + ours.cliCpuSeconds!;
        const cores = os.availableParallelism();
        lines.push(`  ${storage}: Temporal's CPU (worker's extra + dev server + CLI) ${temporalCpu.toFixed(2)} s = ${(temporalCpu / cores).toFixed(2)} s on ${cores} cores, ` +
          `${(100 * temporalCpu / cores / ours.wallSeconds).toFixed(0)}% of run --wait`);
      }
    }
    const [ours, lean, perCore] = [of('local', 'batch-score run'), of('local', 'Python lean'), of('local', 'Python per-core')];
    if (ours && lean && perCore) {
      lines.push(`  run --wait is ${(lean.wallSeconds / ours.wallSeconds).toFixed(2)}× as fast as the lean peer, ${(perCore.wallSeconds / ours.wallSeconds).toFixed(2)}× the per-core peer`);
    }
    const s3 = of('s3', 'batch-score run');
    if (ours && s3) {
      lines.push(`  on S3 run --wait takes ${(s3.wallSeconds / ours.wallSeconds).toFixed(2)}× as long as on local disk; worker memory ${Math.round(s3.totalPeakRssMb)} MB vs ${Math.round(ours.totalPeakRssMb)} MB`);
      // The server shares the runners' cores here; on AWS S3 or a separate MinIO its CPU is not the worker's.
      lines.push(`  worker CPU on S3 ${(s3.cpuSeconds! / ours.cpuSeconds!).toFixed(2)}× local disk's (${s3.cpuSeconds!.toFixed(2)} vs ${ours.cpuSeconds!.toFixed(2)} s), plus ${s3.serverCpuSeconds!.toFixed(2)} s of the S3 server's CPU on the same cores`);
    }
    console.log(lines.join('\n'));
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify({ rows: all, medians }, null, 2) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
