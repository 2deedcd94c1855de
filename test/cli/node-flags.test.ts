/**
 * `batch-score worker` runs in a process started with the V8 flags of cli/node-flags.ts; the first process passes
 * SIGTERM on (graceful shutdown, exit code kept) and killing it outright (SIGKILL) still stops the worker.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NODE_FLAGS } from '../../cli/node-flags';
import { REPO_ROOT, tempDir } from '../support/processes';
import { startLocalServer } from '../support/temporal';

/** Pids of the live processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
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

const alive = (pid: number) => fs.access(`/proc/${pid}`).then(() => fs.readFile(`/proc/${pid}/stat`, 'utf8')).then((s) => !/\) Z /.test(s), () => false);

describe('batch-score worker: restarted with the V8 flags', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let dir: string;
  before(async function () {
    if (process.platform !== 'linux') this.skip(); // reads /proc
    env = await startLocalServer();
    dir = await tempDir('node-flags');
  });
  after(async () => {
    await env?.teardown();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<{ first: ChildProcess; worker: number }> {
    const first = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--role', 'scoring', '--concurrency', '1'], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      first.stdout!.on('data', (chunk: Buffer) => { if (chunk.toString().includes('batch-score worker')) resolve(); });
      first.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    const [worker] = await childrenOf(first.pid!);
    assert.ok(worker, 'the worker runs in a second process');
    const cmdline = (await fs.readFile(`/proc/${worker}/cmdline`, 'utf8')).split('\0');
    for (const flag of NODE_FLAGS) assert.ok(cmdline.includes(flag), `worker started with ${flag}: ${cmdline.join(' ')}`);
    return { first, worker };
  }

  it('SIGTERM to the first process shuts the worker down gracefully; its exit code comes back', async () => {
    const { first, worker } = await startWorker();
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(await alive(worker), false);
  });

  it('SIGKILL to the first process stops the worker within a second', async () => {
    const { first, worker } = await startWorker();
    first.kill('SIGKILL');
    const deadline = Date.now() + 3000;
    while ((await alive(worker)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await alive(worker), false, 'the worker outlived its killed parent');
  });
});
