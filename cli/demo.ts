/**
 * `batch-score demo`: the whole product on one machine. Starts the local Temporal dev server (UI on), runs a
 * worker in this process, generates the Silver table and trains + registers the demo model if missing, runs
 * scoreUsers for one date and prints the top buyers, the Gold table's path and version and the UI address.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { openTable, tableExists } from '../delta';
import { generateSilver, trainDemoModel } from '../demo';
import { resolveModel } from '../registry';
import { SNAPSHOT_DATE } from '../pipeline/silver-plan';
import { createWorkers, runWorkersUntil } from '../workers/workers';
import { WorkerLogger } from '../workers/worker-logger';
import type { ScoreUsersResult } from '../workflows/score-users';
import { date, integer, num, parseCommand, positiveInt, str } from './args';
import { configuredAddress } from './connection';
import { dataLayout, DataLayout, DEFAULT_MODEL_URI, TASK_QUEUE } from '../config';
import { devServerDb } from './dev-server';
import { outcome, reportFailedRun } from './failure';
import { printRunSummary } from './summary';
import { lockServerDatabase } from './server-lock';
import { freePortOr, startLocalServer } from './temporal-server';

/**
 * The weekly snapshots the demo makes when no --date is given, and the date it scores (the last): fixed dates, so
 * the README's examples (`run --date 2026-11-23`, `backfill --from 2026-11-09 --to 2026-11-23`) find data.
 */
export const DEMO_DATES = ['2026-11-09', '2026-11-16', '2026-11-23'];

/** The port of `batch-score dev-server` and of the other commands' default address, localhost:7233. */
const DEFAULT_PORT = 7233;

/** The port the other commands look at when their address is on this machine (TEMPORAL_ADDRESS=localhost:P), else 7233. */
function wantedPort(): number {
  const m = /^(localhost|127\.0\.0\.1):(\d+)$/.exec(configuredAddress());
  return m ? Number(m[2]) : DEFAULT_PORT;
}

const HELP = `
Usage: batch-score demo [--users N] [--date YYYY-MM-DD] [--data-dir DIR] [--keep-running]

Everything embedded: the local Temporal dev server and its Web UI, a worker, demo data and model (made if
missing), one scoring run. The server listens where the other commands look (localhost:${DEFAULT_PORT} with its UI
on ${DEFAULT_PORT + 1000}, or the port of a local TEMPORAL_ADDRESS) when that port is free; otherwise on a free port, and
the demo prints the line that points the other commands at it. SIGINT, SIGTERM or SIGHUP stop the server and
the worker. The run's history stays in <data>/temporal/dev-server.db: open it later with batch-score dev-server.
  --users N        users in each demo Silver snapshot (default 100000)
  --date D         score date (default ${DEMO_DATES[DEMO_DATES.length - 1]}; without --date the demo makes the weekly
                   snapshots ${DEMO_DATES.join(', ')})
  --seed S         seed of the generated data (default 42)
  --keep-running   keep the server, its UI and the worker up until Ctrl-C (SIGINT) or SIGTERM
`;

export async function demoCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    users: { type: 'string' }, date: { type: 'string' }, seed: { type: 'string' }, 'data-dir': { type: 'string' },
    'keep-running': { type: 'boolean' },
  }, args);
  if (!p) return 0;
  const layout = dataLayout(str(p, 'data-dir'));
  const users = num(p, 'users', positiveInt) ?? 100_000;
  const chosen = date(p, 'date');
  const dates = chosen ? [chosen] : DEMO_DATES;
  const scoreDate = dates[dates.length - 1];
  const seed = num(p, 'seed', integer) ?? 42;
  const started = Date.now();
  const step = (what: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${what}`);

  // The demo stops what it started on SIGINT/SIGTERM/SIGHUP, not the SDK's runtime (it would only stop the workers).
  Runtime.install({ logger: new WorkerLogger('WARN'), shutdownSignals: [] });
  const stop = stopSignal();
  fs.mkdirSync(path.join(layout.root, 'temporal'), { recursive: true });
  const lock = lockServerDatabase(devServerDb(layout.root));
  try {
    await untilStopped(ensureDemoData(layout, users, seed, dates, step), stop);

    step('starting the Temporal dev server');
    const port = await freePortOr(wantedPort());
    const uiPort = await freePortOr(port + 1000);
    const starting = startLocalServer({ dbFilename: devServerDb(layout.root), ui: true, port, uiPort, log: step });
    const env = await untilStopped(starting, stop).catch(async (err: unknown) => {
      if (err instanceof Stopped) await starting.then((e) => e.teardown(), () => undefined); // a signal while it started
      throw err;
    });
    lock.setAddress(env.address);
    const ui = `http://${env.address.split(':')[0]}:${uiPort}`;
    step(`Temporal at ${env.address}, Web UI ${ui}`);
    try {
      return await demoRun(env, layout, scoreDate, ui, p.values['keep-running'] === true, stop, step);
    } finally {
      await env.teardown();
    }
  } catch (err) {
    if (err instanceof Stopped) {
      console.error(`batch-score demo: stopped by ${err.signal}; the server and worker it started are stopped`);
      return 128 + (os.constants.signals[err.signal] ?? 0);
    }
    throw err;
  } finally {
    lock.release();
  }
}

async function demoRun(
  env: TestWorkflowEnvironment, layout: DataLayout, scoreDate: string, ui: string, keepRunning: boolean,
  stop: Promise<NodeJS.Signals>, step: (s: string) => void,
): Promise<number> {
  const workers = await createWorkers({ connection: env.nativeConnection, role: 'all', dataDir: layout.root, intraOpThreads: 1 });
  const workflowId = `score-users-${scoreDate}`;
  step(`running ${workflowId}`);
  const run = env.client.workflow.execute('scoreUsers', {
    taskQueue: TASK_QUEUE, workflowId, args: [{ scoreDate }],
  }) as Promise<ScoreUsersResult>;
  const done = await outcome(runWorkersUntil(workers, untilStopped(run, stop)), { workflowId }).catch(async (err: unknown) => {
    // Stopped mid-run: end the run too, so the server's database holds no run that waits for a worker forever.
    if (err instanceof Stopped) await env.client.workflow.getHandle(workflowId).terminate(`batch-score demo stopped by ${err.signal}`).catch(() => undefined);
    throw err;
  });
  if ('failed' in done) {
    const code = reportFailedRun('demo', done.failed, false);
    console.error(`Temporal Web UI: ${ui}/namespaces/default/workflows/${workflowId}`);
    return code;
  }
  step('done');
  printRunSummary(done.result);
  console.log(`\nTemporal Web UI: ${ui}/namespaces/default/workflows/${workflowId}`);
  if (!keepRunning) {
    console.log('(the server stops now; browse this run later with: batch-score dev-server)');
    return 0;
  }
  const reach = reachLine(env.address, layout.root);
  console.log(reach
    ? `server, UI and worker stay up; Ctrl-C to stop. The other commands reach them after:\n  ${reach}`
    : 'server, UI and worker stay up; Ctrl-C to stop. The other commands reach them as they are, e.g. npx batch-score status ' + workflowId);
  const again = await createWorkers({ connection: env.nativeConnection, role: 'all', dataDir: layout.root });
  const signal = await runWorkersUntil(again, stop);
  console.log(`${signal}: stopping the worker and the server`);
  return 0;
}

/** The `export` line that points the other commands at this server and data root, or undefined if they already look there. */
function reachLine(address: string, dataRoot: string): string | undefined {
  const [, port] = address.split(':');
  const looked = configuredAddress();
  const vars: string[] = [];
  if (looked !== `localhost:${port}` && looked !== address) vars.push(`TEMPORAL_ADDRESS=${address}`);
  if (path.resolve(dataLayout().root) !== path.resolve(dataRoot)) vars.push(`BATCH_SCORE_DATA=${path.resolve(dataRoot)}`);
  return vars.length ? `export ${vars.join(' ')}` : undefined;
}

/** A stop signal received, as an error that unwinds the demo to its cleanup. */
class Stopped extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`stopped by ${signal}`);
  }
}

/** Resolves with the first SIGINT, SIGTERM or SIGHUP this process receives (handled, so none kills it outright). */
function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve(signal));
  });
}

/** `work`, unless a stop signal comes first: then it rejects with Stopped. */
function untilStopped<T>(work: Promise<T>, stop: Promise<NodeJS.Signals>): Promise<T> {
  return Promise.race([work, stop.then((signal): never => { throw new Stopped(signal); })]);
}

/** Generate each date's Silver partition (unless it holds `users` rows already) and the model (unless registered). */
async function ensureDemoData(layout: DataLayout, users: number, seed: number, dates: string[], step: (s: string) => void): Promise<void> {
  const scoreDate = dates[dates.length - 1];
  for (const [i, snapshotDate] of dates.entries()) {
    let haveRows: number | undefined;
    if (await tableExists(layout.silverFeatures)) {
      haveRows = (await openTable(layout.silverFeatures)).numRecords({ [SNAPSHOT_DATE]: snapshotDate });
    }
    if (haveRows !== users) {
      step(`generating ${users.toLocaleString('en-US')} users into ${layout.silverFeatures} (${SNAPSHOT_DATE}=${snapshotDate})`);
      // The score date keeps `seed`; earlier weeks get their own seeds, so their users behave differently.
      await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users, seed: seed + dates.length - 1 - i, snapshotDate });
    }
  }
  try {
    await resolveModel(DEFAULT_MODEL_URI, { registryDir: layout.models });
  } catch {
    // As a weekly job would: learn from last week's snapshot (its labels, the 7 days after it, are complete), then
    // score this week's users, whom the model has not seen. With one date only, that date.
    const trainDate = dates.length > 1 ? dates[dates.length - 2] : scoreDate;
    step(`training the demo model on ${SNAPSHOT_DATE}=${trainDate} and registering it as ${DEFAULT_MODEL_URI}`);
    const m = await trainDemoModel({ silverPath: layout.silverFeatures, labelsPath: layout.silverLabels, snapshotDate: trainDate, registryDir: layout.models });
    step(`version ${m.version}: held-out AUC ${m.holdout.auc.toFixed(4)}, log loss ${m.holdout.logLoss.toFixed(4)} on ${m.holdout.rows.toLocaleString('en-US')} users`);
  }
}
