/**
 * Activity: after a run failed or was cancelled, remove the files it staged in both Gold tables and did not
 * publish, so a failed run leaves no trace in the table folders (the workflow calls it, then fails as it would
 * have).
 */
import { removeUnpublishedStaged } from '../pipeline/staged-files';
import { classified } from './failures';
import { DiscardStagedInput } from './types';

export function makeDiscardStaged() {
  return function discardStagedActivity(input: DiscardStagedInput): Promise<{ removed: string[] }> {
    return classified(async () => {
      const removed: string[] = [];
      for (const table of input.tables) {
        removed.push(...(await removeUnpublishedStaged(table, input.scoreDate, input.runId)));
      }
      return { removed };
    });
  };
}
