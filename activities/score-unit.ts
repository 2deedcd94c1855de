/**
 * Activity: score one unit of Silver rows and stage its predictions as a Gold data file (not yet committed).
 *
 * Heartbeats report rows done, so a dead worker is noticed within the heartbeat timeout and the unit moves to
 * another worker. A retried unit starts the unit over and stages a file of its own attempt (never rewriting
 * one already written); the commit publishes the file of the attempt that finished, and removes the others.
 */
import { Context } from '@temporalio/activity';
import { stagePredictions } from '../pipeline/gold-predictions';
import { verifyPinned } from '../registry';
import { loadScorer, scoreUnit } from '../scoring';
import { ActivityContext } from './context';
import { classified } from './failures';
import { ScoreUnitInput, UnitResult } from './types';

export function makeScoreUnit(ctx: ActivityContext) {
  return function scoreUnitActivity(input: ScoreUnitInput): Promise<UnitResult> {
    return classified(async () => {
      const activity = Context.current();
      await verifyPinned(input.model, ctx.registry);
      const scorer = await loadScorer(input.model, { ...input.contract, intraOpThreads: ctx.intraOpThreads });
      const ids: BigInt64Array[] = [];
      const probs: Float64Array[] = [];
      let rows = 0;
      let skipped = 0;
      const scored = scoreUnit({
        silverTablePath: input.silverTable,
        schema: input.silverSchema,
        segments: input.unit.segments,
        scorer,
        nullPolicy: input.nullPolicy,
        onProgress: (rowsDone) => activity.heartbeat({ rowsDone }),
      });
      for await (const batch of scored) {
        if (activity.cancellationSignal.aborted) throw activity.cancellationSignal.reason;
        ids.push(batch.userIds);
        probs.push(batch.probabilities);
        rows += batch.userIds.length;
        skipped += batch.skipped;
      }
      const add = await stagePredictions({
        goldTable: input.goldTable,
        scoreDate: input.scoreDate,
        runId: input.runId,
        unitIndex: input.unit.index,
        attempt: activity.info.attempt,
        model: input.model,
        scoredAt: new Date(),
        threshold: input.predictionThreshold,
        scored: { userIds: concat(BigInt64Array, ids, rows), probabilities: concat(Float64Array, probs, rows) },
      });
      return { unitIndex: input.unit.index, add, rows, skipped };
    });
  };
}

function concat<A extends BigInt64Array | Float64Array>(Ctor: { new (n: number): A }, parts: A[], n: number): A {
  const out = new Ctor(n);
  let at = 0;
  for (const part of parts) {
    (out as unknown as { set(p: A, at: number): void }).set(part, at);
    at += part.length;
  }
  return out;
}
