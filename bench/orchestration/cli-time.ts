/**
 * `bench/orchestration/cli-time`: where the time of `batch-score run --wait` goes outside the workflow (issue 11,
 * must-have 3), against a real dev server and a warm worker, on a small run so the workflow itself is short:
 *
 *   node start          `node -e 0`
 *   CLI load            `batch-score run --help` minus node start: the launcher, the verb and @temporalio/client
 *   before the workflow from spawning `run --wait` to the server's WorkflowExecutionStarted event: node start,
 *                       CLI load, connection and the start request
 *   the workflow        WorkflowExecutionStarted → WorkflowExecutionCompleted (its history)
 *   after the workflow  WorkflowExecutionCompleted → the process exited: the result's long poll returning, the
 *                       summary printed, the connection closed
 *
 *   node dist/bench/orchestration/cli-time.js [--rounds 5] [--users 2000] [--dir DIR]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalServer } from '../../cli/temporal-server';
import { REPO_ROOT } from '../../devkit';

const BIN = path.join(REPO_ROOT, 'bin', 'batch-score.js');
const DAY = '2026-11-23';

function timed(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; startedAt: number; endedAt: number; stdout: string; code: number }> {
  return new Promise((resolve) => {
    const startedAt = Date.now();
    const t = performance.now();
    const child = spawn(args[0], args.slice(1), { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.on('exit', (code) => resolve({ ms: performance.now() - t, startedAt, endedAt: Date.now(), stdout, code: code ?? -1 }));
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, users: { type: 'string' }, dir: { type: 'string' } } });
  const rounds = Number(values.rounds ?? 5);
  const dir = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-cli-time-'));
  const server = await startLocalServer();
  const env = { ...process.env, TEMPORAL_ADDRESS: server.address, BATCH_SCORE_DATA: dir };
  const run = (args: string[]) => timed([process.execPath, BIN, ...args], env);
  await run(['generate', '--users', values.users ?? '2000', '--date', DAY]);
  await run(['train', '--date', DAY]);
  const worker = spawn(process.execPath, [BIN, 'worker', '--processes', '2'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => {
    let out = '';
    worker.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if ((out.match(/batch-score worker/g) ?? []).length >= 2) resolve();
    });
  });
  const rows: Record<string, number[]> = { 'node start': [], 'CLI load (run --help - node start)': [], 'before the workflow': [], 'the workflow': [], 'after the workflow': [], 'run --wait': [] };
  try {
    await run(['run', '--date', DAY, '--wait', '--json']); // warm: the worker's model session, the page cache
    for (let round = 0; round < rounds; round++) {
      const node = await timed([process.execPath, '-e', '0'], env);
      const help = await run(['run', '--help']);
      const r = await run(['run', '--date', DAY, '--wait', '--json']);
      if (r.code !== 0) throw new Error(`run --wait exited ${r.code}`);
      const { workflowId, runId } = JSON.parse(r.stdout) as { workflowId: string; runId: string };
      const events = (await server.client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
      const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
      const started = at(events[0]);
      const closed = at(events[events.length - 1]);
      rows['node start'].push(node.ms);
      rows['CLI load (run --help - node start)'].push(help.ms - node.ms);
      rows['before the workflow'].push(started - r.startedAt);
      rows['the workflow'].push(closed - started);
      rows['after the workflow'].push(r.endedAt - closed);
      rows['run --wait'].push(r.ms);
    }
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await server.teardown();
  }
  console.log(`| part of run --wait (${rounds} rounds) | median ms | min ms |\n| --- | --- | --- |`);
  for (const [name, xs] of Object.entries(rows)) console.log(`| ${name} | ${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} |`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
