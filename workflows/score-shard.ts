/**
 * Workflow `scoreShard`: units [from, to) of a large `scoreUsers` run, as its child, so each history stays small
 * however many units the run has (config/run-defaults.ts UNITS_PER_SHARD). It only scores and stages: the
 * parent commits Gold once, after every shard (docs/decisions/run-manifest.md).
 */
import { defineQuery, setHandler } from '@temporalio/workflow';
import type { ScoreUnitInput } from '../activities';
import { ScoredTotals, scoreUnitRange } from './unit-lanes';

export interface ScoreShardInput {
  goldTable: ScoreUnitInput['goldTable'];
  runId: ScoreUnitInput['runId'];
  from: number;
  to: number;
  maxParallel: number;
}

export interface ScoreShardProgress {
  unitsTotal: number;
  unitsDone: number;
  rowsScored: number;
}

export const shardProgressQuery = defineQuery<ScoreShardProgress>('shardProgress');

export async function scoreShard(input: ScoreShardInput): Promise<ScoredTotals> {
  const progress: ScoreShardProgress = { unitsTotal: input.to - input.from, unitsDone: 0, rowsScored: 0 };
  setHandler(shardProgressQuery, () => progress);
  return scoreUnitRange({ goldTable: input.goldTable, runId: input.runId }, input.from, input.to, input.maxParallel, (unit) => {
    progress.unitsDone++;
    progress.rowsScored += unit.rows;
  });
}
