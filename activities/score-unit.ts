/**
 * Activity: score one unit of a run and stage its predictions as a Gold data file, not yet committed
 * (pipeline/score-unit.ts), then record the staged file and the unit's top-buyer candidates in the run's manifest
 * (pipeline/run-manifest.ts). The unit, the Silver snapshot, the model and the candidate plan come from the
 * manifest, so the input and the result in history stay a few bytes whatever the model or table.
 *
 * Heartbeats report rows done, so a dead worker is noticed within the heartbeat timeout and the unit moves to
 * another worker; a cancelled activity stops between batches. A retried unit starts the unit over and stages a
 * file of its own attempt (never rewriting one already written) and replaces the unit's record: the commit
 * publishes the file the record names, and removes the others.
 */
import { Context } from '@temporalio/activity';
import { PipelineError } from '../pipeline/pipeline-error';
import { readRunManifest, writeUnitResult } from '../pipeline/run-manifest';
import { scoreAndStageUnit } from '../pipeline/score-unit';
import { ActivityDeps } from './deps';
import { classified } from './failures';
import { ScoreUnitInput, UnitCounts } from './types';

export function makeScoreUnit(deps: ActivityDeps) {
  return function scoreUnitActivity(input: ScoreUnitInput): Promise<UnitCounts> {
    return classified(async () => {
      const activity = Context.current();
      const run = await readRunManifest(input.goldTable, input.runId);
      const unit = run.units[input.unitIndex];
      if (!unit) throw new PipelineError('InvalidInput', `run ${input.runId} has ${run.units.length} units, not a unit ${input.unitIndex}`);
      // The model as this worker holds it (a model on S3 is fetched into the worker's own cache)
      const model = await deps.models.verify(run.model);
      activity.heartbeat({ rowsDone: 0 }); // loading a large model's session may take a while: still alive
      const scorer = await deps.scorers.scorer(model, run.contract);
      activity.heartbeat({ rowsDone: 0 });
      const result = await scoreAndStageUnit({
        silverTable: run.silverTable,
        silverSchema: run.silverSchema,
        checkDuplicates: run.duplicateCheck === 'units' ? { silverVersion: run.silverVersion } : undefined,
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
        candidates: { plan: run.candidates, topBuyersTable: run.topBuyersTable },
      });
      await writeUnitResult(input.goldTable, input.runId, result);
      return { unitIndex: result.unitIndex, rows: result.rows, skipped: result.skipped };
    });
  };
}
