/**
 * The processes benchmarks start and measure: a warm `batch-score worker`, a process tree from /proc, its memory
 * (the sum of each process's peak RSS) and its CPU time, so a runner of several processes is measured as a whole,
 * as the user's machine pays for it.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../devkit';

export const BIN = path.join(REPO_ROOT, 'bin', 'batch-score.js');

/** `batch-score worker --processes P` on a data root, ready once every process has started; its log goes to `logFile`. */
export async function startWorker(dir: string, processes: number, env: NodeJS.ProcessEnv, logFile = path.join(dir, 'worker.log')): Promise<ChildProcess> {
  // The worker's log goes to a file beside the data: it would drown the bench's own lines.
  const log = fs.openSync(logFile, 'w');
  const worker = spawn(process.execPath, [BIN, 'worker', '--processes', String(processes), '--data-dir', dir], { env, stdio: ['ignore', 'pipe', log] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if ((out.match(/batch-score worker/g) ?? []).length >= processes) resolve();
    });
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out}`)));
  });
  return worker;
}

/** The pid and every descendant of it alive now. */
export function descendants(pid: number): number[] {
  const all = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  const parent = new Map<number, number>();
  for (const d of all) {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [child, p] of parent) if (p === out[i]) out.push(child);
  return out;
}

/**
 * The sum of each live process's own peak RSS (VmHWM) in the tree, in MB; `reset` clears each peak first
 * (clear_refs 5). Peaks reached at different moments add up, so this is an upper bound of the tree's peak, and a
 * process that already ended is not counted: sample before it exits.
 */
export function treePeakMb(pid: number, reset = false, tree = true): number {
  let kb = 0;
  for (const p of tree ? descendants(pid) : [pid]) {
    try {
      if (reset) fs.writeFileSync(`/proc/${p}/clear_refs`, '5');
      else kb += Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // a process that ended has nothing to count
    }
  }
  return kb / 1024;
}

/** CPU time (user + system, seconds) used so far by the processes of the tree alive now. */
export function treeCpuSeconds(pid: number, tree = true): number {
  let ticks = 0;
  for (const p of tree ? descendants(pid) : [pid]) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // a process that ended has nothing to count
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * CPU time (seconds) of this process's children that ended and were waited for (cutime + cstime of
 * /proc/self/stat): how a short-lived child such as the `run --wait` CLI is measured after it exits.
 */
export function endedChildrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** The first process below `pid` whose command name is `comm` (e.g. the Temporal CLI a dev server runs as). */
export function descendantNamed(pid: number, comm: string): number | undefined {
  return descendants(pid).slice(1).find((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}
