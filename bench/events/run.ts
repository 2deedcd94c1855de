/**
 * `bench/events`: issue 12's end to end on one machine, from a raw events file to the report, with each step's
 * time and peak memory (the whole process tree's VmHWM), so "bounded memory" is a number, not a claim:
 *
 *   generate --events (a file of about --gb GB in the public CSV format) → ingest → features (the weekly dates)
 *   → train (first date, labels complete) → run --wait (last date, real dev server, warm worker) → report
 *
 *   node dist/bench/events/run.js [--users N] [--dir DIR] [--processes P]
 *
 * Peak RSS is per step: the CLI command's own tree, or for the run the worker's tree (reset before it).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalServer } from '../../cli/temporal-server';
import { BIN, startWorker, treePeakMb } from '../process-tree';
const DATES = ['2026-11-09', '2026-11-16', '2026-11-23'];

interface Step { step: string; seconds: number; peakMb: number; out: string }

/** Runs one CLI command, sampling its tree's peak RSS until it exits; fails the bench on a non-zero exit. */
function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Step> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, treePeakMb(child.pid!))), 200);
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('exit', (code) => {
      clearInterval(sample);
      if (code !== 0) return reject(new Error(`batch-score ${args.join(' ')} exited ${code}:\n${out}`));
      resolve({ step: args[0], seconds: (Date.now() - started) / 1000, peakMb: peak, out });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string' }, dir: { type: 'string' }, processes: { type: 'string' } } });
  const users = Number(values.users ?? 600_000);
  const processes = Number(values.processes ?? os.cpus().length);
  const dir = path.resolve(values.dir ?? path.join(os.tmpdir(), 'batch-score-bench-events'));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'events.csv');
  const server = await startLocalServer();
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, BATCH_SCORE_DATA: dir };
  const steps: Step[] = [];
  const step = async (args: string[]) => {
    const s = await cli(args, env);
    steps.push(s);
    console.log(`${s.step.padEnd(18)} ${s.seconds.toFixed(1).padStart(7)} s  peak ${s.peakMb.toFixed(0).padStart(6)} MB`);
    return s;
  };
  let worker: ChildProcess | undefined;
  try {
    await step(['generate', '--events', '--users', String(users), '--seed', '7', '--out', file]);
    const bytes = fs.statSync(file).size;
    console.log(`events file: ${(bytes / 1e9).toFixed(2)} GB, ${users} users`);
    await step(['ingest', file]);
    await step(['features', '--from', DATES[0], '--to', DATES[DATES.length - 1], '--every', '7d']);
    await step(['train', '--date', DATES[0]]);
    worker = await startWorker(dir, processes, env);
    treePeakMb(worker.pid!, true);
    const run = await step(['run', '--date', DATES[DATES.length - 1], '--wait']);
    run.step = `run (worker ×${processes})`;
    run.peakMb = Math.max(run.peakMb, treePeakMb(worker.pid!));
    console.log(`  worker tree peak ${treePeakMb(worker.pid!).toFixed(0)} MB`);
    await step(['report', '--date', DATES[DATES.length - 1]]);
    for (const s of steps) console.log(`--- ${s.step}\n${s.out.split('\n').filter((l) => !l.startsWith('progress ')).join('\n').trim()}`);
    console.log(JSON.stringify({ bytes, users, steps: steps.map(({ out: _out, ...s }) => s) }));
  } finally {
    worker?.kill('SIGTERM');
    await server.teardown();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
