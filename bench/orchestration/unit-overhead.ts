/**
 * `bench/orchestration/unit-overhead`: where a scoring unit's time goes besides its rows (issue 11, must-have 1).
 * A run of many one-user units is almost all orchestration, so it shows the per-unit cost that a 10M-user run
 * pays 40 times and a 20,000-unit run 20,000 times.
 *
 *   pieces   in one process, each step the scoreUnit activity takes for a one-user unit, timed alone over the
 *            same units: the manifest read, the model check, the scorer, read + score + stage, the unit's record
 *   run      whole scoreUsers runs of one-user units (unitRows 1) through a real dev server and warm
 *            `batch-score worker --processes P` of each build given, alternating rounds; from each run's history:
 *            wall ms per unit over the scoring span, and per unit the schedule-to-start and start-to-close medians
 *
 *   node dist/bench/orchestration/unit-overhead.js pieces [--units 2000] [--dir DIR]
 *   node dist/bench/orchestration/unit-overhead.js run --builds A=/path/a,B=/path/b@--concurrency=2 [--units 2000] [--rounds 3]
 *                                                      [--max-parallel 8] [--processes 2] [--dir DIR]
 *
 * A build is a checkout with dist/ built (its bin/batch-score.js runs the worker), with the worker's options after
 * `@` if any (`@--concurrency=2`); on a shared
 * machine only the ratios of builds measured in the same rounds mean anything.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalServer } from '../../cli/temporal-server';
import { dataLayout, TASK_QUEUE } from '../../config';
import { generateSilver, trainDemoModel } from '../../demo';
import { candidatePlan } from '../../pipeline/candidate-plan';
import { readRunManifest, writeRunManifest, writeUnitResult } from '../../pipeline/run-manifest';
import { scoreAndStageUnit } from '../../pipeline/score-unit';
import { planUnits } from '../../pipeline/silver-plan';
import { DEFAULT_TOP_BUYERS_RULE } from '../../pipeline/top-buyers-rule';
import { activityDeps } from '../../workers/activity-deps';

const DAY = '2026-11-23';
const TRAIN_DAY = '2026-11-16';

/** Silver of `units` users, one a row group (unitRows 1 cuts a unit per user), and the demo model. */
async function data(dir: string, units: number): Promise<void> {
  const marker = path.join(dir, `.ready-${units}`);
  if (fs.existsSync(marker)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  const layout = dataLayout(dir);
  await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users: units, seed: 11, snapshotDate: DAY, fileRows: 100, rowGroupRows: 1 });
  await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users: 2_000, seed: 12, snapshotDate: TRAIN_DAY });
  await trainDemoModel({ silverPath: layout.silverFeatures, labelsPath: layout.silverLabels, snapshotDate: TRAIN_DAY, registryDir: layout.models });
  fs.writeFileSync(marker, '');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;

async function pieces(dir: string, units: number): Promise<void> {
  const layout = dataLayout(dir);
  const deps = activityDeps({ dataDir: dir, intraOpThreads: 1 });
  const model = await deps.models.resolve('models:/purchase_propensity@champion');
  const plan = await planUnits({ silverTable: layout.silverFeatures, scoreDate: DAY, unitRows: 1 });
  const runId = `bench-${Date.now()}`;
  const goldTable = path.join(dir, 'pieces-gold', runId);
  const topBuyersTable = path.join(dir, 'pieces-top', runId);
  await writeRunManifest(goldTable, runId, {
    scoreDate: DAY, silverTable: layout.silverFeatures, silverVersion: plan.silverVersion, silverSchema: plan.silverSchema,
    totalRows: plan.totalRows, units: plan.units, duplicateCheck: plan.duplicateCheck, model, contract: {}, nullPolicy: 'error', predictionThreshold: 0.5,
    topBuyersTable, candidates: candidatePlan(DEFAULT_TOP_BUYERS_RULE, plan.totalRows, plan.units.length),
  });
  const ms: Record<string, number[]> = { manifest: [], 'model check': [], scorer: [], 'read + score + stage': [], 'unit record': [] };
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await f();
    ms[name].push(performance.now() - t);
    return r;
  };
  for (let i = 0; i < Math.min(units, plan.units.length); i++) {
    const run = await timed('manifest', () => readRunManifest(goldTable, runId));
    const pinned = await timed('model check', () => deps.models.verify(run.model));
    const scorer = await timed('scorer', () => deps.scorers.scorer(pinned, run.contract));
    const result = await timed('read + score + stage', () => scoreAndStageUnit({
      silverTable: run.silverTable, silverSchema: run.silverSchema, unit: run.units[i], scorer, nullPolicy: run.nullPolicy,
      goldTable, scoreDate: DAY, runId, attempt: 1, threshold: run.predictionThreshold,
      candidates: { plan: run.candidates, topBuyersTable },
    }));
    await timed('unit record', () => writeUnitResult(goldTable, runId, result));
  }
  console.log(`| step (one-user unit, ${ms.manifest.length} units) | median ms | mean ms |\n| --- | --- | --- |`);
  for (const [name, xs] of Object.entries(ms)) {
    console.log(`| ${name} | ${median(xs.slice(1)).toFixed(2)} | ${(xs.slice(1).reduce((a, b) => a + b, 0) / (xs.length - 1)).toFixed(2)} |`);
  }
}

interface Build {
  name: string;
  bin: string;
  server: Awaited<ReturnType<typeof startLocalServer>>;
  worker: ChildProcess;
  env: NodeJS.ProcessEnv;
}

async function startBuild(name: string, root: string, dir: string, processes: number, workerArgs: string[]): Promise<Build> {
  const bin = path.join(root, 'bin', 'batch-score.js');
  const server = await startLocalServer();
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, BATCH_SCORE_DATA: dir };
  const log = fs.openSync(path.join(dir, `worker-${name}.log`), 'w');
  const worker = spawn(process.execPath, [bin, 'worker', '--processes', String(processes), ...workerArgs], { env, stdio: ['ignore', 'pipe', log] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if ((out.match(/batch-score worker/g) ?? []).length >= processes) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`${name}: worker exited (${code}):\n${out}`)));
  });
  return { name, bin, server, worker, env };
}

type HistoryEvent = {
  eventId?: unknown; eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
};

interface RunTimes { msPerUnit: number; scheduleToStart: number; startToClose: number; completedToNext: number }

/** One run of `units` one-user units on a build: wall per unit over the scoring span, and per-unit medians. */
async function timedRun(build: Build, dir: string, units: number, maxParallel: number, round: number): Promise<RunTimes> {
  const gold = path.join(dir, `run-${build.name}-${round}`);
  const handle = await build.server.client.workflow.start('scoreUsers', {
    taskQueue: TASK_QUEUE, workflowId: `unit-overhead-${build.name}-${round}-${Date.now()}`,
    args: [{ scoreDate: DAY, unitRows: 1, maxParallel, goldTable: `${gold}/gold`, topBuyersTable: `${gold}/top_buyers` }],
  });
  const result = (await handle.result()) as { units: number };
  if (result.units !== units) throw new Error(`${build.name}: ${result.units} units, expected ${units}`);
  // A run past one shard scores its units in child workflows: their histories hold the units.
  const parent = ((await handle.fetchHistory()).events ?? []) as (HistoryEvent & { startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null } | null })[];
  const children = parent.flatMap((e) => (e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ? [e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId] : []));
  const histories = [parent as HistoryEvent[]];
  for (const id of children) histories.push(((await build.server.client.workflow.getHandle(id).fetchHistory()).events ?? []) as HistoryEvent[]);
  fs.rmSync(gold, { recursive: true, force: true });
  const t = (e: HistoryEvent) => (Number(e.eventTime?.seconds ?? 0) + (e.eventTime?.nanos ?? 0) / 1e9) * 1000;
  const s2s: number[] = [];
  const s2c: number[] = [];
  const completions: number[] = [];
  const schedules: number[] = [];
  for (const events of histories) {
    const scheduled = new Map<string, number>();
    const started = new Map<string, number>();
    for (const e of events) {
      if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'scoreUnit') {
        scheduled.set(String(e.eventId), t(e));
        schedules.push(t(e));
      }
      const st = e.activityTaskStartedEventAttributes?.scheduledEventId;
      if (st !== undefined && st !== null && scheduled.has(String(st))) {
        started.set(String(st), t(e));
        s2s.push(t(e) - scheduled.get(String(st))!);
      }
      const done = e.activityTaskCompletedEventAttributes?.scheduledEventId;
      if (done !== undefined && done !== null && started.has(String(done))) {
        s2c.push(t(e) - started.get(String(done))!);
        completions.push(t(e));
      }
    }
  }
  completions.sort((a, b) => a - b);
  schedules.sort((a, b) => a - b);
  // A lane schedules its next unit in the workflow task after a completion: the gap is the round trip.
  const gaps = completions.slice(0, -maxParallel).map((c) => (schedules.find((s) => s >= c) ?? c) - c);
  const span = Math.max(...completions) - Math.min(...schedules);
  return { msPerUnit: span / units, scheduleToStart: median(s2s), startToClose: median(s2c), completedToNext: median(gaps) };
}

async function runs(dir: string, units: number, rounds: number, maxParallel: number, processes: number, builds: string[]): Promise<void> {
  const started: Build[] = [];
  try {
    for (const b of builds) {
      // name=root, or name=root@--worker-option=value@... for the worker's own options
      const [name, spec] = b.split('=', 2).length === 2 ? [b.slice(0, b.indexOf('=')), b.slice(b.indexOf('=') + 1)] : [b, b];
      const [root, ...workerArgs] = spec.split('@');
      started.push(await startBuild(name, root, dir, processes, workerArgs));
    }
    for (const b of started) await timedRun(b, dir, units, maxParallel, -1); // warm: sessions, page cache
    const rows: Record<string, RunTimes[]> = Object.fromEntries(started.map((b) => [b.name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const b of round % 2 ? [...started].reverse() : started) {
        const r = await timedRun(b, dir, units, maxParallel, round);
        rows[b.name].push(r);
        console.error(`round ${round} ${b.name}: ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v.toFixed(2))])))}`);
      }
    }
    console.log(`| build | wall ms per unit | schedule-to-start ms | start-to-close ms | completion → next schedule ms |\n| --- | --- | --- | --- | --- |`);
    for (const [name, rs] of Object.entries(rows)) {
      const m = (k: keyof RunTimes) => median(rs.map((r) => r[k])).toFixed(1);
      console.log(`| ${name} | ${m('msPerUnit')} | ${m('scheduleToStart')} | ${m('startToClose')} | ${m('completedToNext')} |`);
    }
  } finally {
    for (const b of started) {
      b.worker.kill('SIGTERM');
      await new Promise((r) => b.worker.once('exit', r));
      await b.server.teardown();
    }
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      units: { type: 'string' }, rounds: { type: 'string' }, dir: { type: 'string' }, builds: { type: 'string' },
      'max-parallel': { type: 'string' }, processes: { type: 'string' },
    },
  });
  const units = Number(values.units ?? 2000);
  const dir = values.dir ?? path.join(os.tmpdir(), 'batch-score-unit-overhead');
  await data(dir, units);
  if (positionals[0] === 'pieces') return pieces(dir, units);
  if (positionals[0] === 'run') {
    const builds = (values.builds ?? `this=${path.resolve(__dirname, '..', '..', '..')}`).split(',');
    return runs(dir, units, Number(values.rounds ?? 3), Number(values['max-parallel'] ?? 8), Number(values.processes ?? 2), builds);
  }
  throw new Error('usage: unit-overhead.js pieces|run [options]');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
