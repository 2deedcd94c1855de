/**
 * What the CLI tests run against, as a user would have it: a real dev server, a data root with a small demo
 * Silver table and model made by `batch-score generate` and `train`, and a `batch-score worker` process, all
 * reached through TEMPORAL_ADDRESS and BATCH_SCORE_DATA. Also the CLI as a process with its exit code and both
 * streams, which the exit-code tests need.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchScore, REPO_ROOT } from '../support/processes';
import { startLocalServer } from '../support/temporal';

const BIN = path.join(REPO_ROOT, 'bin', 'batch-score.js');

export interface CliWorld {
  env: TestWorkflowEnvironment;
  /** TEMPORAL_ADDRESS and BATCH_SCORE_DATA for CLI processes. */
  temporal: NodeJS.ProcessEnv;
  dir: string;
  /** Starts a `batch-score worker` process (the world has one unless started with `worker: false`). */
  startWorker(): Promise<void>;
  /** Stops the worker process, if one runs, and waits for it to exit. */
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Server, data root with `users` Silver users on `day` and the demo model, and a worker process (none yet with
 * `worker: false`: then runs started wait on the server until startWorker()).
 */
export async function startCliWorld(opts: { day: string; users: number; worker?: boolean }): Promise<CliWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-cli-'));
  const env = await startLocalServer();
  const temporal = { TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir };
  let worker: ChildProcess | undefined;
  const startWorker = async () => {
    const started = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, ...temporal }, stdio: ['ignore', 'pipe', 'inherit'] });
    worker = started;
    await new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('batch-score worker (all)')) resolve(); });
      started.once('exit', (code) => reject(new Error(`worker exited (${code})`)));
    });
  };
  const stopWorker = async () => {
    const running = worker;
    worker = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  const stop = async () => {
    worker?.kill('SIGTERM');
    await env.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await batchScore(['generate', '--users', String(opts.users), '--date', opts.day, '--seed', '3'], temporal);
    await batchScore(['train', '--date', opts.day], temporal);
    if (opts.worker !== false) await startWorker();
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, temporal, dir, startWorker, stopWorker, stop };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * `batch-score ARGS…` as a process: exit code, stdout, stderr and how long it took; never rejects on exit code.
 * `env` adds to this process's variables; one given as undefined is left out.
 */
export function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const started = Date.now();
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: childEnv, maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: child.exitCode ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}
