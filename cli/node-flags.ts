/**
 * V8 flags for the long-running verbs (worker, demo), applied by starting the process again with them, as
 * gulp and other CLIs do for V8 flags that NODE_OPTIONS does not accept.
 *
 * Why: every DuckDB result vector (one per column per 2,048 rows read) is a native object with a finalizer, and
 * V8 moves such objects to its old generation. With the default initial old-generation size a scoring worker
 * ran a full mark-compact every few dozen chunks (about 40 per 5M users, 15–25% of its CPU); starting the old
 * generation at 128 MB leaves about 5 (docs/benchmarks.md).
 *
 * The restarted process is the real worker: the first one only forwards signals and exits with its code. Should
 * the first one be killed outright (SIGKILL), the worker notices within half a second and stops too, so killing
 * a worker's process still stops the worker.
 */
import { spawn } from 'node:child_process';

export const NODE_FLAGS = ['--initial-old-space-size=128'];

/** Verbs worth the restart: they run long and score. */
const LONG_RUNNING = new Set(['worker', 'demo']);

const RESTARTED = 'BATCH_SCORE_RESTARTED_BY';

/**
 * For a long-running verb started without NODE_FLAGS: runs `script argv` again in a process with them and
 * resolves to its exit code. Otherwise undefined (run here), after arming the parent watch in a restarted process.
 */
export function runWithNodeFlags(script: string, argv: string[]): Promise<number> | undefined {
  const parent = process.env[RESTARTED];
  if (parent !== undefined) {
    delete process.env[RESTARTED]; // not for processes this one starts
    watchParent(Number(parent));
    return undefined;
  }
  if (!LONG_RUNNING.has(argv[0]) || NODE_FLAGS.every((f) => process.execArgv.includes(f))) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...NODE_FLAGS, script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [RESTARTED]: String(process.pid) },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward(signal));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });
}

/** Exit as soon as the process that started this one is gone (it was killed without passing a signal on). */
function watchParent(parentPid: number): void {
  const timer = setInterval(() => {
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
  }, 500);
  timer.unref();
}

function signalNumber(signal: NodeJS.Signals): number {
  return (require('node:os') as typeof import('node:os')).constants.signals[signal] ?? 0;
}
