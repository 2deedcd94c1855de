/**
 * `batch-score worker` runs in processes started with the V8 flags of cli/launch.ts (one, or `--processes N`);
 * the first process passes SIGTERM on (graceful shutdown, exit code kept) and killing it outright (SIGKILL)
 * still stops every worker process.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NODE_FLAGS } from '../../cli/launch';
import { allGone, childrenOf, REPO_ROOT, tempDir } from '../support/processes';
import { startLocalServer } from '../support/temporal';

describe('batch-score worker: launched in processes with the V8 flags', function () {
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

  async function startWorker(args: string[] = []): Promise<{ first: ChildProcess; workers: number[]; cmdlines: string[][]; banner: string }> {
    const processes = args.includes('--processes') ? Number(args[args.indexOf('--processes') + 1]) : 1;
    const first = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--role', 'scoring', ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let banner = '';
    await new Promise<void>((resolve, reject) => {
      let started = 0;
      first.stdout!.on('data', (chunk: Buffer) => {
        banner += chunk.toString();
        started += chunk.toString().split('batch-score worker').length - 1;
        if (started >= processes) resolve();
      });
      first.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    const workers = await childrenOf(first.pid!);
    assert.equal(workers.length, processes, 'worker processes under the first one');
    const cmdlines = await Promise.all(workers.map(async (w) => (await fs.readFile(`/proc/${w}/cmdline`, 'utf8')).split('\0')));
    for (const cmdline of cmdlines) for (const flag of NODE_FLAGS) assert.ok(cmdline.includes(flag), `worker started with ${flag}: ${cmdline.join(' ')}`);
    return { first, workers, cmdlines, banner };
  }

  const gone = (pids: number[]) => allGone(pids);

  it('SIGTERM to the first process shuts the worker down gracefully; its exit code comes back', async () => {
    const { first, workers } = await startWorker(['--concurrency', '1']);
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(await gone(workers), true);
  });

  it('one process by default scores as many units at a time as there are cores, each run on every core', async () => {
    const { first, banner } = await startWorker();
    const cores = os.availableParallelism();
    assert.match(banner, new RegExp(`scoring ${cores} unit\\(s\\) at a time on ${cores} onnxruntime thread\\(s\\)`));
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGTERM');
    await exited;
  });

  it('SIGKILL to the first process stops the worker within a second', async () => {
    const { first, workers } = await startWorker(['--concurrency', '1']);
    first.kill('SIGKILL');
    assert.equal(await gone(workers), true, 'the worker outlived its killed parent');
  });

  it('--processes 2 runs two worker processes, one unit and one onnxruntime thread each, stopped together', async () => {
    const { first, workers, cmdlines, banner } = await startWorker(['--processes', '2']);
    assert.equal(banner.split('scoring 1 unit(s) at a time on 1 onnxruntime thread(s)').length - 1, 2, banner);
    for (const cmdline of cmdlines) {
      assert.ok(!cmdline.includes('--processes'), cmdline.join(' '));
      assert.equal(cmdline[cmdline.indexOf('--concurrency') + 1], '1');
      assert.equal(cmdline[cmdline.indexOf('--threads') + 1], '1');
    }
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(await gone(workers), true);
    const killed = await startWorker(['--processes', '2']);
    killed.first.kill('SIGKILL');
    assert.equal(await gone(killed.workers), true, 'worker processes outlived their killed parent');
  });
});
