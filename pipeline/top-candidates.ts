/**
 * Top-buyer candidates: each scoring unit keeps its best users under the run's CandidatePlan
 * (candidate-plan.ts) and hands them on, inline in its result or staged as a small Parquet file in the
 * top_buyers partition folder; the selection merges them into the run's ranking without reading Gold
 * (docs/decisions/top-buyer-candidates.md).
 *
 * A staged candidates file is named after the run, the unit and the attempt, like the unit's Gold file: the
 * selection reads the file of the attempt that finished (recorded in history), never a retried unit's other
 * attempts, and the run's cleanup (removeUnpublishedStaged on top_buyers) removes them all: top_buyers never
 * references them.
 */
import { AddFile, DeltaError, partitionFolder, readDataFile, StructType, toAddPath } from '../delta';
import { writeStaged } from './gold-predictions';
import { SCORE_DATE } from './gold-schemas';
import { PipelineError } from './pipeline-error';
import { CandidatePlan, INLINE_UNIT_CANDIDATES_MAX, RunCandidates, runCandidates, UnitCandidates } from './candidate-plan';
import { RankedColumns, RankedUser, rankedUsers, TopK } from './top-k';
import { ruleProblem, topCount, TopBuyersRule } from './top-buyers-rule';

const CANDIDATES_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: false, metadata: {} },
    { name: 'purchase_probability', type: 'double', nullable: false, metadata: {} },
    { name: SCORE_DATE, type: 'date', nullable: true, metadata: {} },
  ],
};

/** Staged candidate files read at once by the selection. */
const READ_CONCURRENCY = 8;

export function candidateFileName(runId: string, unitIndex: number, attempt: number): string {
  return `part-${String(unitIndex).padStart(5, '0')}-${runId}-attempt-${attempt}.top-candidates.parquet`;
}

/** The staged candidates file of a unit's attempt, as a path relative to the top_buyers table (Delta add path form). */
export function candidateFilePath(scoreDate: string, runId: string, unitIndex: number, attempt: number): string {
  return toAddPath(`${partitionFolder([SCORE_DATE], { [SCORE_DATE]: scoreDate })}/${candidateFileName(runId, unitIndex, attempt)}`);
}

/** The best `plan.perUnit` users of a unit at or above minProbability, best first (the selection's order: top-k.ts). */
export function unitCandidates(userIds: BigInt64Array, probabilities: Float64Array, plan: CandidatePlan): RankedColumns {
  const top = new TopK(Math.min(plan.perUnit, userIds.length));
  top.offerColumns(userIds, probabilities, plan.minProbability);
  return top.columns();
}

export interface CandidatesTarget {
  topBuyersTable: string;
  scoreDate: string;
  runId: string;
  unitIndex: number;
  attempt: number;
}

/**
 * Hands a unit's candidates on as the plan says: inline, or staged in the attempt's own file; a unit of at most
 * INLINE_UNIT_CANDIDATES_MAX candidates hands them on inline under either plan (no file for a handful of rows).
 */
export async function handOnCandidates(ranked: RankedColumns, plan: CandidatePlan, to: CandidatesTarget): Promise<UnitCandidates> {
  const count = ranked.userIds.length;
  if (plan.delivery === 'inline' || count <= INLINE_UNIT_CANDIDATES_MAX) {
    return { delivery: 'inline', count, userIds: Array.from(ranked.userIds, String), probabilities: Array.from(ranked.probabilities) };
  }
  await writeStaged(to.topBuyersTable, CANDIDATES_SCHEMA, [SCORE_DATE], to.scoreDate, candidateFileName(to.runId, to.unitIndex, to.attempt), count, {
    user_id: ranked.userIds,
    purchase_probability: ranked.probabilities,
  });
  return { delivery: 'staged', count, attempt: to.attempt };
}

/**
 * The run's candidates from its units' records (run-manifest.ts); StagedFileInvalid when a unit recorded none
 * (scored by a worker of an earlier version): checked before the Gold commit, so such a run publishes nothing.
 */
export function recordedCandidates(units: { unitIndex: number; candidates?: UnitCandidates }[], runId: string): RunCandidates {
  return runCandidates(units.map(({ unitIndex, candidates }) => {
    if (!candidates) {
      throw new PipelineError('StagedFileInvalid', `unit ${unitIndex} of run ${runId} recorded no top-buyer candidates (scored by another batch-score version?): re-run the date`);
    }
    return { unitIndex, candidates };
  }));
}

export interface CandidateMerge {
  topBuyersTable: string;
  scoreDate: string;
  runId: string;
  rule: TopBuyersRule;
  /** Rows the run scored (its Gold rows of the date): the rule's count is taken of these. */
  scoredUsers: number;
  candidates: RunCandidates;
}

/**
 * The run's top buyers, best first: the rule applied to the union of the units' candidates, as columns (what the
 * top_buyers file is written from: no object per buyer).
 */
export async function mergeCandidateColumns(req: CandidateMerge): Promise<RankedColumns> {
  const problem = ruleProblem(req.rule);
  if (problem) throw new PipelineError('InvalidInput', problem);
  const top = new TopK(topCount(req.rule, req.scoredUsers));
  const { candidates } = req;
  top.offerColumns(candidates.userIds.map(BigInt), candidates.probabilities, req.rule.minProbability);
  if (candidates.delivery === 'staged') {
    const rows = await readStaged(req, candidates.attempts, top);
    if (rows !== candidates.rows) {
      throw new PipelineError('StagedFileInvalid', `the top-buyer candidate files of run ${req.runId} in ${req.topBuyersTable} hold ${rows} rows, the units staged ${candidates.rows}`);
    }
  }
  return top.columns();
}

/** Reads each unit's staged candidates (the attempt that finished), a few files at once; returns the rows read. */
async function readStaged(req: CandidateMerge, attempts: number[], top: TopK): Promise<number> {
  let rows = 0;
  let next = 0;
  const lane = async () => {
    while (next < attempts.length) {
      const unitIndex = next++;
      if (attempts[unitIndex] === 0) continue; // handed on inline: no file
      const file: AddFile = {
        path: candidateFilePath(req.scoreDate, req.runId, unitIndex, attempts[unitIndex]),
        partitionValues: { [SCORE_DATE]: req.scoreDate }, size: 0, modificationTime: 0, dataChange: false,
      };
      try {
        for await (const batch of readDataFile(req.topBuyersTable, file, { schema: CANDIDATES_SCHEMA, columns: ['user_id', 'purchase_probability'] })) {
          top.offerColumns(batch.columns.user_id as ArrayLike<bigint>, batch.columns.purchase_probability as ArrayLike<number>, req.rule.minProbability);
          rows += batch.numRows;
        }
      } catch (err) {
        // A missing or damaged file stays so on retry; I/O errors stay retryable.
        if (!(err instanceof DeltaError && err.code === 'CorruptDataFile')) throw err;
        throw new PipelineError('StagedFileInvalid', `top-buyer candidates ${file.path} of unit ${unitIndex} in ${req.topBuyersTable}: ${err.message}`, { cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, attempts.length) }, lane));
  return rows;
}
