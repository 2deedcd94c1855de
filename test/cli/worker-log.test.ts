/**
 * A healthy scoring-only worker logs no "No workflows registered" warning (it has no workflows by design), in a
 * real `batch-score worker --role scoring` process against a real dev server; the worker still starts and stops
 * cleanly on SIGTERM.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Logger, LogMetadata } from '@temporalio/worker';
import { WorkerLogger } from '../../workers/worker-logger';
import { printed, REPO_ROOT, tempDir, terminate } from '../support/processes';
import { startLocalServer } from '../support/temporal';

describe('cli: worker log of a scoring-only worker', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  let dir: string;
  before(async () => {
    env = await startLocalServer();
    dir = await tempDir('worker-log');
  });
  after(async () => {
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts and stops cleanly, and logs no "No workflows registered" warning', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'worker', '--role', 'scoring', '--concurrency', '1', '--threads', '1'], {
      env: { ...process.env, TEMPORAL_ADDRESS: env.address, BATCH_SCORE_DATA: dir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let all = '';
    const collect = (c: Buffer) => (all += c.toString());
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await printed(child, /batch-score worker \(scoring\) on batch-score-scoring,/);
    // The SDK logs the warning as the worker starts running, right after the line above: wait until it runs.
    await new Promise((r) => setTimeout(r, 1500));
    const { code, leftBehind } = await terminate(child);
    assert.equal(code, 0, all);
    assert.deepEqual(leftBehind, []);
    assert.doesNotMatch(all, /No workflows registered/, all);
    // The SDK did log its start-up lines for that queue meanwhile (this one comes from the same place, just after).
    assert.match(all, /No Nexus services registered, not polling for Nexus tasks[^\n]*batch-score-scoring/, all);
  });

  it('drops only that message on the scoring queue: the same words on the orchestration queue, and other lines, pass', () => {
    const passed: [string, string, unknown][] = [];
    const inner = { log: (level: string, message: string, meta?: LogMetadata) => passed.push([level, message, meta?.taskQueue]) } as unknown as Logger;
    const logger = new WorkerLogger('INFO', inner);
    logger.warn('No workflows registered, not polling for workflow tasks', { taskQueue: 'batch-score-scoring' });
    logger.warn('No workflows registered, not polling for workflow tasks', { taskQueue: 'batch-score' });
    logger.info('Worker state changed', { taskQueue: 'batch-score-scoring' });
    assert.deepEqual(passed, [
      ['WARN', 'No workflows registered, not polling for workflow tasks', 'batch-score'],
      ['INFO', 'Worker state changed', 'batch-score-scoring'],
    ]);
  });
});
