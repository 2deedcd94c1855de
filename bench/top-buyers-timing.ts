/**
 * `bench/top-buyers-timing`: how long `selectTopBuyers` takes in a real `scoreUsers` run, read from the run's
 * history (ActivityTaskScheduled → ActivityTaskCompleted of the activity, the server's timestamps), next to the
 * units' and the whole run's time. Used to compare the selection before and after it stopped reading Gold again
 * (docs/decisions/top-buyer-candidates.md): build each version, run this against the same data folder, alternate.
 *
 *   node dist/bench/top-buyers-timing.js [--users 1000000] [--runs 3] [--dir DIR] [--json FILE]
 *
 * One process: a dev server (in memory) and in-process workers (role all) on the demo Silver table and model
 * (made once in DIR), the default top-buyers rule.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { startLocalServer } from '../cli/temporal-server';
import { dataLayout, TASK_QUEUE } from '../config';
import { openTable, tableExists } from '../delta';
import { generateSilver, trainDemoModel } from '../demo';
import { createWorkers, runWorkersUntil, WORKFLOWS_PATH } from '../workers/workers';

const DAY = '2026-11-23';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const ms = (t?: { seconds?: unknown; nanos?: number | null } | null) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Seconds from the first scheduling to the last completion of the activity `name`. */
function activitySeconds(events: HistoryEvent[], name: string): number {
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === name);
  const ids = new Set(scheduled.map((e) => String(e.eventId)));
  const completed = events.filter((e) => ids.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)));
  return (Math.max(...completed.map((e) => ms(e.eventTime))) - Math.min(...scheduled.map((e) => ms(e.eventTime)))) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '1000000' }, runs: { type: 'string', default: '3' }, dir: { type: 'string' }, json: { type: 'string' } } });
  const users = Number(values.users);
  const dir = path.resolve(values.dir ?? path.join(os.tmpdir(), `batch-score-top-buyers-timing-${users}`));
  const data = dataLayout(dir);
  if (!((await tableExists(data.silverFeatures)) && (await openTable(data.silverFeatures)).numRecords({ snapshot_date: DAY }) === users)) {
    await fs.rm(dir, { recursive: true, force: true });
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users, seed: 1, snapshotDate: DAY });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
  }
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await startLocalServer();
  const rows: { selectTopBuyers: number; scoreUnits: number; run: number; topBuyers: number }[] = [];
  try {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
    const workers = await createWorkers({ connection: env.nativeConnection, workflowBundle, dataDir: dir, concurrency: os.availableParallelism() });
    await runWorkersUntil(workers, (async () => {
      for (let i = 0; i < Number(values.runs); i++) {
        const handle = await env.client.workflow.start('scoreUsers', { taskQueue: TASK_QUEUE, workflowId: `timing-${Date.now()}-${i}`, args: [{ scoreDate: DAY }] });
        const result = (await handle.result()) as { topBuyers: { count: number } };
        const events = (await handle.fetchHistory()).events ?? [];
        const row = {
          selectTopBuyers: activitySeconds(events, 'selectTopBuyers'),
          scoreUnits: activitySeconds(events, 'scoreUnit'),
          run: (ms(events.at(-1)?.eventTime) - ms(events[0].eventTime)) / 1000,
          topBuyers: result.topBuyers.count,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    })());
  } finally {
    await env.teardown();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = { users, runs: rows.length, medianSelectTopBuyers: median(rows.map((r) => r.selectTopBuyers)), medianRun: median(rows.map((r) => r.run)), rows };
  console.log(JSON.stringify(summary));
  if (values.json) await fs.writeFile(values.json, JSON.stringify(summary, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
