/**
 * A real Temporal server for workflow tests: the CLI's dev server (in memory), with batch-score workers running
 * against it for the whole suite. Workflows are bundled once and shared by every worker the suite creates.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { dataLayout, DataLayout } from '../../config';
import { startLocalServer } from '../../cli/temporal-server';
import { generateSilver, trainDemoModel } from '../../demo';
import { createWorkers, WorkerRole, WORKFLOWS_PATH } from '../../workers/workers';
import type { ActivityOptions } from '../../workers/activity-deps';

// Workers log state changes at INFO; tests want only problems.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('WARN') });
  return bundle;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

/** Start batch-score workers (default role all) on the server; stop() shuts them down and waits. */
export async function startWorkers(
  env: TestWorkflowEnvironment, opts: ActivityOptions & { concurrency?: number; role?: WorkerRole },
): Promise<RunningWorkers> {
  const workers: Worker[] = await createWorkers({ connection: env.nativeConnection, workflowBundle: await workflowBundle(), ...opts });
  const running = workers.map((w) => w.run());
  return {
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.all(running);
    },
  };
}

export { startLocalServer };

/** A data root with demo Silver dates and a trained model, a dev server and workers on them (workflow tests). */
export interface PipelineServer {
  env: TestWorkflowEnvironment;
  workers: RunningWorkers;
  dir: string;
  data: DataLayout;
  stop(): Promise<void>;
}

export async function startPipelineServer(
  prefix: string, silver: { users: number; seed: number; snapshotDate: string; fileRows?: number }[], opts: { concurrency?: number } = {},
): Promise<PipelineServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `batch-score-${prefix}-`));
  const data = dataLayout(dir);
  for (const s of silver) await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, ...s });
  await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: silver[0].snapshotDate, registryDir: data.models });
  const env = await startLocalServer();
  const workers = await startWorkers(env, { dataDir: dir, concurrency: opts.concurrency ?? 2 });
  return {
    env, workers, dir, data,
    async stop() {
      await workers.stop();
      await env.teardown();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The workflow id of the latest run a schedule started, once it has started one (up to 20 s). */
export async function latestScheduledRun(client: Client, scheduleId: string): Promise<string> {
  const handle = client.schedule.getHandle(scheduleId);
  for (let i = 0; i < 200; i++) {
    const workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
    if (workflowId) return workflowId;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`schedule ${scheduleId} started no run`);
}
