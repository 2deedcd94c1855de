/**
 * Activity: publish every unit's staged file to Gold `purchase_predictions` in ONE Delta commit that replaces
 * partition score_date=D (pipeline/gold-predictions.ts publishPredictions: staged files checked on storage
 * first, the run's unpublished attempts removed after).
 */
import { publishPredictions } from '../pipeline/gold-predictions';
import { classified } from './failures';
import { CommitGoldInput, CommitResultInfo } from './types';

export function makeCommitGold() {
  return function commitGoldActivity(input: CommitGoldInput): Promise<CommitResultInfo> {
    return classified(() => publishPredictions(input));
  };
}
