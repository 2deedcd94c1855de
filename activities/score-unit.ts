/**
 * Activity: score one unit of Silver rows and stage its predictions as a Gold data file (not yet committed);
 * the work is pipeline/score-unit.ts, this adapts it to Temporal.
 *
 * Heartbeats report rows done, so a dead worker is noticed within the heartbeat timeout and the unit moves to
 * another worker; a cancelled activity stops between batches. A retried unit starts the unit over and stages a
 * file of its own attempt (never rewriting one already written); the commit publishes the file of the attempt
 * that finished, and removes the others.
 */
import { Context } from '@temporalio/activity';
import { scoreAndStageUnit } from '../pipeline/score-unit';
import type { UnitResult } from '../pipeline/staged-files';
import { ActivityDeps } from './deps';
import { classified } from './failures';
import { ScoreUnitInput } from './types';

export function makeScoreUnit(deps: ActivityDeps) {
  return function scoreUnitActivity(input: ScoreUnitInput): Promise<UnitResult> {
    return classified(async () => {
      const activity = Context.current();
      const model = await deps.models.verify(input.model);
      const scorer = await deps.scorers.scorer(model, input.contract);
      return scoreAndStageUnit({
        silverTable: input.silverTable,
        silverSchema: input.silverSchema,
        unit: input.unit,
        scorer,
        nullPolicy: input.nullPolicy,
        goldTable: input.goldTable,
        scoreDate: input.scoreDate,
        runId: input.runId,
        attempt: activity.info.attempt,
        threshold: input.predictionThreshold,
        onProgress: (rowsDone) => activity.heartbeat({ rowsDone }),
        signal: activity.cancellationSignal,
      });
    });
  };
}
