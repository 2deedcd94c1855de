/**
 * Running the project's own CLI from tests; where things are; temp folders; the processes a command left behind
 * (Linux /proc) and ports nothing listens on. The Python side (delta-rs) is in
 * devkit/python.ts, shared with the benchmarks, and re-exported here for the tests.
 */
import { ChildProcess, execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../devkit/python';

export { PYTHON, python, REPO_ROOT } from '../../devkit/python';

const run = promisify(execFile);

export const GOLDEN_ROOT = path.resolve(REPO_ROOT, '..', 'shared', 'delta-golden');

/** A fresh folder under the system temp folder, named batch-score-<prefix>-XXXXXX. */
export function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `batch-score-${prefix}-`));
}

/** `batch-score ARGS…` as a user runs it (the compiled bin), returning stdout. */
export async function batchScore(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), ...args], {
    env: { ...process.env, ...env }, maxBuffer: 1 << 30,
  });
  return stdout;
}

export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}

/** Pids of the live processes whose parent is `pid` (Linux /proc). */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid && fields[0] !== 'Z') out.push(Number(entry));
  }
  return out;
}

/** Pids of every live process below `pid`: children, their children, ... */
export async function descendantsOf(pid: number): Promise<number[]> {
  const children = await childrenOf(pid);
  return [...children, ...(await Promise.all(children.map(descendantsOf))).flat()];
}

export const isAlive = (pid: number) => fs.access(`/proc/${pid}`).then(() => fs.readFile(`/proc/${pid}/stat`, 'utf8')).then((s) => !/\) Z /.test(s), () => false);

/** True once none of `pids` is alive, false if some still are after `ms`. */
export async function allGone(pids: number[], ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while ((await Promise.all(pids.map(isAlive))).some(Boolean) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !(await Promise.all(pids.map(isAlive))).some(Boolean);
}

/**
 * SIGTERM to a running `child`: its exit code, the processes below it then, and those still alive `ms` later
 * (then killed, so a failing test does not leave them running).
 */
export async function terminate(child: ChildProcess, ms = 10_000): Promise<{ code: number | null; started: number[]; leftBehind: number[] }> {
  const started = await descendantsOf(child.pid!);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await exited;
  await allGone(started, ms);
  const alive = await Promise.all(started.map(isAlive));
  const leftBehind = started.filter((_, i) => alive[i]);
  for (const pid of leftBehind) process.kill(pid, 'SIGKILL'); // reported, and not left to hold the test's pipes open
  return { code, started, leftBehind };
}

/** A port nothing listens on: bound by the OS, then released. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a long-running process printed (stdout and stderr) once it printed `ready`; rejects if it exits first. */
export function printed(child: ChildProcess, ready: RegExp): Promise<string> {
  let text = '';
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      text += chunk.toString();
      if (ready.test(text)) resolve(text);
    };
    child.stdout?.on('data', seen);
    child.stderr?.on('data', seen);
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${ready}:\n${text}`)));
  });
}
