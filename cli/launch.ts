/**
 * How the long-running verbs (worker, demo) are launched: in child processes started with V8 flags, as gulp and
 * other CLIs do for V8 flags that NODE_OPTIONS does not accept, and for `worker --processes N`, N of them.
 *
 * V8 flags: every DuckDB result vector (one per column per 2,048 rows read) is a native object with a
 * finalizer, and V8 moves such objects to its old generation. With the default initial old-generation size a
 * scoring worker ran a full mark-compact every few dozen chunks (about 40 per 5M users, 15–25% of its CPU);
 * starting the old generation at 128 MB leaves about 5 (docs/decisions/worker-v8-flags.md).
 *
 * Worker processes: a model run blocks its process's JavaScript thread, so one process per core
 * (`--processes N`, each scoring one unit at a time on one onnxruntime thread) is the fastest layout
 * (docs/benchmarks.md).
 *
 * The first process only passes SIGINT/SIGTERM/SIGHUP on and exits with the children's code; if one child fails
 * the others are stopped. Should the first process be killed outright (SIGKILL), each child notices within half
 * a second and stops too, so killing a worker's process still stops the worker.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as os from 'node:os';
import { usageError } from './exit-codes';

export const NODE_FLAGS = ['--initial-old-space-size=128'];

/** Verbs worth the restart: they run long and score. */
const LONG_RUNNING = new Set(['worker', 'demo']);

const RESTARTED = 'BATCH_SCORE_RESTARTED_BY';

/**
 * For a long-running verb: runs `script argv` again in child processes started with NODE_FLAGS (one, or
 * `--processes N` for a worker) and resolves to their exit code. In a child, or for other verbs, undefined: run
 * here (a child first arms its parent watch).
 */
export function launch(script: string, argv: string[]): Promise<number> | undefined {
  const parent = process.env[RESTARTED];
  if (parent !== undefined) {
    delete process.env[RESTARTED]; // not for processes this one starts
    watchParent(Number(parent));
    return undefined;
  }
  if (!LONG_RUNNING.has(argv[0])) return undefined;
  let processes = 1;
  let rest = argv;
  try {
    if (argv[0] === 'worker') ({ processes, rest } = takeProcesses(argv));
  } catch (err) {
    return Promise.reject(err);
  }
  if (processes === 1 && NODE_FLAGS.every((f) => process.execArgv.includes(f))) return undefined;
  const childArgs = processes > 1 ? withDefaults(rest, { '--concurrency': '1', '--threads': '1' }) : rest;
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, [...process.execArgv, ...NODE_FLAGS, script, ...childArgs], {
      stdio: 'inherit',
      env: { ...process.env, [RESTARTED]: String(process.pid) },
    }),
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => children.forEach((c) => c.kill(signal)));
  return Promise.all(children.map((c) => exitCode(c).then((code) => {
    if (code !== 0) children.forEach((other) => other !== c && other.kill('SIGTERM')); // one failed: stop the rest
    return code;
  }))).then((codes) => codes.find((code) => code !== 0) ?? 0);
}

/** `--processes N` (default 1; `--processes cores` for one per core) taken out of a worker's arguments. */
function takeProcesses(argv: string[]): { processes: number; rest: string[] } {
  const rest: string[] = [];
  let value = '1';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--processes') value = argv[++i] ?? '';
    else if (argv[i].startsWith('--processes=')) value = argv[i].slice('--processes='.length);
    else rest.push(argv[i]);
  }
  const processes = value === 'cores' ? os.availableParallelism() : Number(value);
  if (!Number.isInteger(processes) || processes < 1) throw usageError(`--processes: ${JSON.stringify(value)} is not a whole number > 0 or "cores"`);
  return { processes, rest };
}

function withDefaults(argv: string[], defaults: Record<string, string>): string[] {
  const out = [...argv];
  for (const [flag, value] of Object.entries(defaults)) {
    if (!argv.some((a) => a === flag || a.startsWith(`${flag}=`))) out.push(flag, value);
  }
  return out;
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] ?? 0 : 0)));
  });
}

/** Exit as soon as the process that started this one is gone (it was killed without passing a signal on). */
function watchParent(parentPid: number): void {
  const timer = setInterval(() => {
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
  }, 500);
  timer.unref();
}
