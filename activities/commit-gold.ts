/**
 * Activity: publish the run's staged Gold files in ONE commit (pipeline/gold-predictions.ts), reading which file
 * each unit staged from the run's manifest: exactly one per unit, whatever the number of units or attempts. A
 * unit that recorded no top-buyer candidates, or did not check its rows for duplicate users when the plan left
 * that to the units (a worker of an earlier version), fails the run here, before Gold changes.
 */
import { publishPredictions } from '../pipeline/gold-predictions';
import { readUnitResults } from '../pipeline/run-manifest';
import { checkUnitsCheckedDuplicates } from '../pipeline/duplicate-check';
import { recordedCandidates } from '../pipeline/top-candidates';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(async () => {
      const { unitCount, duplicateCheck, ...request } = input;
      const units = await readUnitResults(input.goldTable, input.runId, unitCount);
      recordedCandidates(units, input.runId); // the top-buyers selection after the commit must find every unit's
      checkUnitsCheckedDuplicates(duplicateCheck, units, input.runId);
      return publishPredictions({ ...request, units });
    });
  };
}
