/**
 * A real Temporal server for pipeline tests: the CLI's dev server (in memory), with batch-score workers running
 * against it for the whole suite. Workflows are bundled once and shared by every worker the suite creates.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startLocalServer } from '../../cli/temporal-server';
import { createWorkers, WorkerRole, WORKFLOWS_PATH } from '../../workers/workers';
import type { ActivityOptions } from '../../activities';

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
