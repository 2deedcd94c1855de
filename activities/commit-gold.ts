/**
 * Activity: publish the run's staged Gold files in ONE commit (pipeline/gold-predictions.ts), reading which file
 * each unit staged from the run's manifest: exactly one per unit, whatever the number of units or attempts.
 */
import { publishPredictions } from '../pipeline/gold-predictions';
import { readUnitResults } from '../pipeline/run-manifest';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      const { unitCount, ...request } = input;
      const units = await readUnitResults(input.goldTable, input.runId, unitCount);
      return publishPredictions({ ...request, units });
    });
  };
}
