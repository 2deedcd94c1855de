/** `batch-score status WORKFLOW_ID`: a run's state and progress (from the workflow's `progress` query). */
import type { ScoreUsersProgress, ScoreUsersResult } from '../workflows/score-users';
import { parseCommand } from './args';
import { connectClient } from './connection';
import { printRunSummary } from './summary';

const HELP = `
Usage: batch-score status WORKFLOW_ID [--json]

Show a scoreUsers run's status and progress, e.g. batch-score status score-users-2026-11-23.
`;

export async function statusCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { json: { type: 'boolean' } }, args);
  if (!p) return 0;
  const [workflowId] = p.positionals;
  if (!workflowId) throw new Error('status needs a workflow id, e.g. score-users-2026-11-23');
  const { client, close } = await connectClient();
  try {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const status = description.status.name;
    // A finished run reports its result; a running one answers the progress query (a worker must be up).
    const result = status === 'COMPLETED' ? ((await handle.result()) as ScoreUsersResult) : undefined;
    const progress = result ? undefined : await handle.query<ScoreUsersProgress>('progress').catch(() => undefined);
    if (p.values.json) {
      console.log(JSON.stringify({ workflowId, runId: description.runId, status, progress, result }));
    } else {
      console.log(`${workflowId} (run ${description.runId}): ${status}`);
      if (result) printRunSummary(result);
      if (progress) {
        console.log(`stage ${progress.stage}; units ${progress.unitsDone}/${progress.unitsTotal}; rows ${progress.rowsScored}/${progress.rowsTotal}` +
          (progress.goldVersion !== undefined ? `; gold version ${progress.goldVersion}` : ''));
      }
    }
    return 0;
  } finally {
    await close();
  }
}
