/**
 * Activity: when a run ends, remove what it staged and no snapshot references: after a failure or a
 * cancellation, the files it staged in both Gold tables; in every case, its manifest (pipeline/run-manifest.ts).
 * A run leaves no trace in the table folders but what it published.
 */
import { discardRunManifest } from '../pipeline/run-manifest';
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
      if (input.manifestOf) await discardRunManifest(input.manifestOf, input.runId);
      return { removed };
    });
  };
}
