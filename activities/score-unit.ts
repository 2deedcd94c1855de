/**
 * Activity: score one unit of a run and stage its Gold file (pipeline/score-unit.ts), then record the staged
 * file in the run's manifest. The unit, the Silver snapshot and the model come from the manifest, so the input
 * and the result in history stay a few bytes whatever the model or table. Heartbeats carry the rows read.
 */
import { Context } from '@temporalio/activity';
import { readRunManifest, writeUnitResult } from '../pipeline/run-manifest';
import { scoreAndStageUnit } from '../pipeline/score-unit';
import { PipelineError } from '../pipeline/pipeline-error';
import { ActivityDeps } from './deps';
import { classified } from './failures';
import { ScoredUnit, ScoreUnitInput } from './types';

export function makeScoreUnit(deps: ActivityDeps) {
  return function scoreUnitActivity(input: ScoreUnitInput): Promise<ScoredUnit> {
    return classified(async () => {
      const activity = Context.current();
      const run = await readRunManifest(input.goldTable, input.runId);
      const unit = run.units[input.unitIndex];
      if (!unit) throw new PipelineError('InvalidInput', `run ${input.runId} has ${run.units.length} units, not a unit ${input.unitIndex}`);
      await deps.models.verify(run.model);
      activity.heartbeat({ rowsDone: 0 }); // loading a large model's session may take a while: still alive
      const scorer = await deps.scorers.scorer(run.model, run.contract);
      activity.heartbeat({ rowsDone: 0 });
      const result = await scoreAndStageUnit({
        silverTable: run.silverTable,
        silverSchema: run.silverSchema,
        unit,
        scorer,
        nullPolicy: run.nullPolicy,
        goldTable: input.goldTable,
        scoreDate: run.scoreDate,
        runId: input.runId,
        attempt: activity.info.attempt,
        threshold: run.predictionThreshold,
        onProgress: (rowsDone) => activity.heartbeat({ rowsDone }),
        signal: activity.cancellationSignal,
      });
      await writeUnitResult(input.goldTable, input.runId, result);
      return { unitIndex: result.unitIndex, rows: result.rows, skipped: result.skipped };
    });
  };
}
