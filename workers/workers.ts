/**
 * Worker processes. Two task queues, so scoring capacity can grow on its own:
 *   role orchestration: the workflows + light activities (resolve, plan, commit, select) on `batch-score`
 *   role scoring:       scoreUnit on `batch-score-scoring`, `concurrency` units at once (one core each)
 *   role all:           both, in one process (the default; what the demo runs)
 * Any number of workers of either role may run on any machine that sees the same storage. The process builds the
 * activities' dependencies once (activity-deps.ts) and injects them.
 */
import * as os from 'node:os';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { SCORING_TASK_QUEUE, TASK_QUEUE } from '../config';
import { activityDeps, ActivityOptions } from './activity-deps';

export type { ActivityOptions };

export type WorkerRole = 'all' | 'orchestration' | 'scoring';
export const WORKER_ROLES: WorkerRole[] = ['all', 'orchestration', 'scoring'];

export interface BatchScoreWorkerOptions extends ActivityOptions {
  connection: NativeConnection;
  namespace?: string;
  role?: WorkerRole;
  /** Units scored at once by this process (default: its number of cores). */
  concurrency?: number;
  /** A prebuilt workflow bundle (tests build it once); default: bundle workflows/ at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export const WORKFLOWS_PATH = require.resolve('../workflows');

export async function createWorkers(opts: BatchScoreWorkerOptions): Promise<Worker[]> {
  const role = opts.role ?? 'all';
  const { scoreUnit, ...steps } = createActivities(activityDeps(opts));
  const shared = { connection: opts.connection, namespace: opts.namespace };
  const workers: Worker[] = [];
  if (role === 'all' || role === 'orchestration') {
    workers.push(
      await Worker.create({
        ...shared,
        taskQueue: TASK_QUEUE,
        ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
        activities: steps,
      }),
    );
  }
  if (role === 'all' || role === 'scoring') {
    workers.push(
      await Worker.create({
        ...shared,
        taskQueue: SCORING_TASK_QUEUE,
        activities: { scoreUnit },
        maxConcurrentActivityTaskExecutions: opts.concurrency ?? os.availableParallelism(),
      }),
    );
  }
  return workers;
}

/** Run workers until `until` settles, then shut them down and wait for them to drain. */
export async function runWorkersUntil<T>(workers: Worker[], until: Promise<T>): Promise<T> {
  const running = workers.map((w) => w.run());
  try {
    return await Promise.race([until, ...running.map((r) => r.then(() => Promise.reject(new Error('a worker stopped early'))))]);
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
  }
}
