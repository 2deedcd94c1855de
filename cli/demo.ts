/**
 * `batch-score demo`: the whole product on one machine. Starts the local Temporal dev server (UI on), runs a
 * worker in this process, generates the Silver table and trains + registers the demo model if missing, runs
 * scoreUsers for one date and prints the top buyers, the Gold table's path and version and the UI address.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { openTable, tableExists } from '../delta';
import { generateSilver, trainDemoModel } from '../demo';
import { resolveModel } from '../registry';
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';
import { createWorkers, runWorkersUntil } from '../workers/workers';
import type { ScoreUsersResult } from '../workflows/score-users';
import { date, integer, num, parseCommand, positiveInt, str, todayUtc } from './args';
import { dataLayout, DataLayout, DEFAULT_MODEL_URI, TASK_QUEUE } from '../config';
import { devServerDb } from './dev-server';
import { outcome, reportFailedRun } from './failure';
import { printRunSummary } from './summary';
import { startLocalServer } from './temporal-server';

const HELP = `
Usage: batch-score demo [--users N] [--date YYYY-MM-DD] [--data-dir DIR] [--keep-running]

Everything embedded: the local Temporal dev server and its Web UI, a worker, demo data and model (made if
missing), one scoring run. The run's history stays in <data>/temporal/dev-server.db: open it later with
batch-score dev-server.
  --users N        users in the demo Silver table (default 100000)
  --date D         score date (default today, UTC)
  --seed S         seed of the generated data (default 42)
  --keep-running   keep the server, its UI and the worker up until Ctrl-C
`;

export async function demoCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    users: { type: 'string' }, date: { type: 'string' }, seed: { type: 'string' }, 'data-dir': { type: 'string' },
    'keep-running': { type: 'boolean' },
  }, args);
  if (!p) return 0;
  // Worker state changes are noise here; warnings and errors still show.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const layout = dataLayout(str(p, 'data-dir'));
  const users = num(p, 'users', positiveInt) ?? 100_000;
  const scoreDate = date(p, 'date') ?? todayUtc();
  const seed = num(p, 'seed', integer) ?? 42;
  const started = Date.now();
  const step = (what: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);

  await ensureDemoData(layout, users, seed, scoreDate, step);

  step('starting the Temporal dev server');
  fs.mkdirSync(path.join(layout.root, 'temporal'), { recursive: true });
  const env = await startLocalServer({ dbFilename: devServerDb(layout.root), ui: true, log: step });
  const [host, port] = env.address.split(':');
  const ui = `http://${host}:${Number(port) + 1000}`;
  step(`Temporal at ${env.address}, Web UI ${ui}`);
  try {
    const workers = await createWorkers({ connection: env.nativeConnection, role: 'all', dataDir: layout.root, intraOpThreads: 1 });
    const workflowId = `score-users-${scoreDate}`;
    step(`running ${workflowId}`);
    const run = env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId, args: [{ scoreDate }],
    }) as Promise<ScoreUsersResult>;
    const done = await outcome(runWorkersUntil(workers, run), { workflowId });
    if ('failed' in done) {
      const code = reportFailedRun('demo', done.failed, false);
      console.error(`Temporal Web UI: ${ui}/namespaces/default/workflows/${workflowId}`);
      return code;
    }
    const result = done.result;
    step('done');
    printRunSummary(result);
    console.log(`\nTemporal Web UI: ${ui}/namespaces/default/workflows/${workflowId}`);
    if (p.values['keep-running']) {
      console.log('server, UI and worker stay up; Ctrl-C to stop');
      const again = await createWorkers({ connection: env.nativeConnection, role: 'all', dataDir: layout.root });
      await runWorkersUntil(again, new Promise<void>((resolve) => process.once('SIGINT', resolve)));
    } else {
      console.log('(the server stops now; browse this run later with: batch-score dev-server)');
    }
    return 0;
  } finally {
    await env.teardown();
  }
}

/** Generate the Silver partition of the date (unless it holds `users` rows already) and the model (unless registered). */
async function ensureDemoData(layout: DataLayout, users: number, seed: number, scoreDate: string, step: (s: string) => void): Promise<void> {
  let haveRows: number | undefined;
  if (await tableExists(layout.silverFeatures)) {
    haveRows = (await openTable(layout.silverFeatures)).numRecords({ [SNAPSHOT_DATE]: scoreDate });
  }
  if (haveRows !== users) {
    step(`generating ${users.toLocaleString('en-US')} users into ${layout.silverFeatures} (${SNAPSHOT_DATE}=${scoreDate})`);
    await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users, seed, snapshotDate: scoreDate });
  }
  try {
    await resolveModel(DEFAULT_MODEL_URI, { registryDir: layout.models });
  } catch {
    step(`training the demo model and registering it as ${DEFAULT_MODEL_URI}`);
    await trainDemoModel({ silverPath: layout.silverFeatures, labelsPath: layout.silverLabels, snapshotDate: scoreDate, registryDir: layout.models });
  }
}
