/**
 * Waiting for a run nobody works on, and stopping the wait: against a real dev server with no worker at first,
 * `run --wait` says after a few seconds that no worker polls the run's task queues; Ctrl-C (SIGINT) stops the
 * wait with exit 130 and says the run keeps running on the server, how to follow it and how to cancel it;
 * `status` of the waiting run says the same at once (instead of a progress query that would hang); and the
 * run, left alone, completes once a worker starts.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/processes';
import { cli, CliWorld, startCliWorld } from './cli-world';

const DAY = '2026-11-23';
const NO_WORKER = 'no worker polls task queue batch-score or batch-score-scoring: the run waits until one starts (batch-score worker)';

describe('batch-score run --wait with no worker, and Ctrl-C', function () {
  this.timeout(180_000);
  let world: CliWorld;

  before(async function () {
    world = await startCliWorld({ day: DAY, users: 500, worker: false });
  });

  after(async function () {
    await world?.stop();
  });

  it('says no worker polls the run; Ctrl-C exits 130 and the run keeps going; status says why it waits; a worker finishes it', async function () {
    const workflowId = `score-users-${DAY}`;
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'run', '--date', DAY, '--wait'], {
      env: { ...process.env, ...world.temporal }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 30_000;
    while (!stderr.includes(NO_WORKER) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(stderr.includes(`batch-score: ${NO_WORKER}\n`), stderr);

    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.ok(stderr.endsWith(
      `batch-score run: stopped waiting; ${workflowId} keeps running on the server: follow it with batch-score status ${workflowId} --watch, ` +
        `or cancel it in the Temporal Web UI (temporal workflow cancel --workflow-id ${workflowId})\n`,
    ), stderr);

    const waiting = await cli(['status', workflowId], world.temporal);
    assert.equal(waiting.code, 0, waiting.stderr);
    assert.match(waiting.stdout, new RegExp(`^${workflowId} \\(run \\S+\\): RUNNING\n${NO_WORKER.replace(/[()]/g, '\\$&')}\n$`));
    assert.ok(waiting.ms < 10_000, `status took ${waiting.ms} ms`);

    await world.startWorker();
    const watched = await cli(['status', workflowId, '--watch'], world.temporal);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, new RegExp(`^${workflowId} \\(run \\S+\\): COMPLETED\nscored 500 users for ${DAY} in 1 unit\\(s\\)`), watched.stdout);
  });
});
