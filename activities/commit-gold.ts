/**
 * Activity: publish the run's staged Gold files in ONE commit (pipeline/gold-predictions.ts), reading which file
 * each unit staged from the run's manifest: exactly one per unit, whatever the number of units or attempts. A
 * unit that recorded no top-buyer candidates fails the run here, before Gold changes.
 */
import { publishPredictions } from '../pipeline/gold-predictions';
import { readUnitResults } from '../pipeline/run-manifest';
import { recordedCandidates } from '../pipeline/top-candidates';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      const { unitCount, ...request } = input;
      const units = await readUnitResults(input.goldTable, input.runId, unitCount);
      recordedCandidates(units, input.runId); // the top-buyers selection after the commit must find every unit's
      return publishPredictions({ ...request, units });
    });
  };
}
