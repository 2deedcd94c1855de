/**
 * A real `batch-score worker` process, as on another machine: its own working directory and data folder, its
 * environment (TEMPORAL_ADDRESS, AWS_*, ...) given explicitly. `batch-score` restarts itself in a child process
 * (cli/launch.ts): `pid` is that child, the one that polls and scores (its identity, pid@host, is in the banner).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './processes';

export interface WorkerProcess {
  launcher: ChildProcess;
  /** pid@host, as Temporal records it on the activity attempts this worker starts. */
  identity: string;
  /** The process that polls and scores (the launcher's child). */
  pid: number;
  /** Everything the worker printed so far (stdout and stderr). */
  output(): string;
  /** Kills the worker (its scoring process and the launcher). */
  kill(): void;
}

export interface WorkerProcessOptions {
  address: string;
  dataDir: string;
  role?: 'all' | 'orchestration' | 'scoring';
  concurrency?: number;
  /** Working directory (default: the data folder). */
  cwd?: string;
  env?: Record<string, string>;
}

export function startWorkerProcess(opts: WorkerProcessOptions): Promise<WorkerProcess> {
  const launcher = spawn(
    process.execPath,
    [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--role', opts.role ?? 'all', '--concurrency', String(opts.concurrency ?? 1)],
    { cwd: opts.cwd ?? opts.dataDir, env: { ...process.env, ...opts.env, TEMPORAL_ADDRESS: opts.address, BATCH_SCORE_DATA: opts.dataDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /batch-score worker .*; identity ((\d+)@\S+)/.exec(output);
      if (!m) return;
      const pid = Number(m[2]);
      resolve({
        launcher, identity: m[1], pid, output: () => output,
        kill() {
          try {
            process.kill(pid, 'SIGKILL');
          } catch { /* already gone */ }
          launcher.kill('SIGKILL');
        },
      });
    };
    launcher.stdout!.on('data', onData);
    launcher.stderr!.on('data', onData);
    launcher.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${output}`)));
  });
}
