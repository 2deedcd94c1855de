/**
 * Whether any worker polls the task queues a run needs. A run nobody polls waits, silently and without end,
 * until a worker starts (and its progress query hangs meanwhile): `status` and the commands that wait say so
 * instead. Temporal's DescribeTaskQueue lists the pollers seen in the last minutes, so a worker that just
 * stopped still counts for a while: the hint may come late, never falsely.
 */
import type { Client } from '@temporalio/client';
import { SCORING_TASK_QUEUE, TASK_QUEUE } from '../config';

// temporal.api.enums.v1.TaskQueueType and TaskQueueKind (the proto package is not a dependency of ours).
const WORKFLOW_TASKS = 1;
const ACTIVITY_TASKS = 2;
const NORMAL_KIND = 1;

/**
 * The run's task queues that no worker polls now: its workflow's (batch-score unless it was started on another)
 * and the scoring units' (batch-score-scoring).
 */
export async function unpolledQueues(client: Client, workflowQueue = TASK_QUEUE): Promise<string[]> {
  const queues: [string, number][] = [[workflowQueue, WORKFLOW_TASKS], [SCORING_TASK_QUEUE, ACTIVITY_TASKS]];
  const unpolled: string[] = [];
  for (const [name, taskQueueType] of queues) {
    const described = await client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name, kind: NORMAL_KIND }, taskQueueType });
    if ((described.pollers ?? []).length === 0) unpolled.push(name);
  }
  return unpolled;
}

/** What the user reads when nobody polls `queues`. */
export function noWorkerLine(queues: string[]): string {
  return `no worker polls task queue ${queues.join(' or ')}: the run waits until one starts (batch-score worker)`;
}
