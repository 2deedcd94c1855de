/**
 * One scoring unit, read → score → stage, below Temporal: its Silver row groups are read one at a time and
 * scored (scoring/unit.ts), and the unit's predictions are staged as ONE Gold data file with its stats
 * (gold-predictions.ts), not yet committed; with a CandidatePlan it also hands on its top-buyer candidates
 * (top-candidates.ts), so the selection needs no second scan of Gold. The scoreUnit activity adapts it
 * (heartbeats, cancellation, failure types) and returns only references, counts and the few candidates.
 */
import type { StructType } from '../delta';
import { NullPolicy, Scorer, scoreUnit, ScoringUnit } from '../scoring';
import type { CandidatePlan, UnitCandidates } from './candidate-plan';
import { stagePredictions } from './gold-predictions';
import { PipelineError } from './pipeline-error';
import { describeDuplicates } from './silver-duplicates';
import { SNAPSHOT_DATE, silverWhere } from './silver-plan';
import type { UnitResult } from './staged-files';
import { handOnCandidates, unitCandidates } from './top-candidates';
import { UnitUserIds } from './unit-duplicates';

export interface UnitScoringRequest {
  silverTable: string;
  /** The pinned Silver snapshot's schema (from the plan). */
  silverSchema: StructType;
  /**
   * Set when the plan left the duplicate-user check to the units (duplicate-check.ts 'units'): the unit then fails
   * with SilverDuplicateUser, naming this Silver version, on a user_id it reads twice. Unset: the plan checked.
   */
  checkDuplicates?: { silverVersion: number };
  unit: ScoringUnit;
  scorer: Scorer;
  nullPolicy: NullPolicy;
  goldTable: string;
  scoreDate: string;
  runId: string;
  /** The scoring activity's attempt (1, 2, ...): each attempt stages its own file. */
  attempt: number;
  /** predicted_buyer = probability >= threshold. */
  threshold: number;
  /** Called after each row group with the unit's rows read so far. */
  onProgress?: (rowsDone: number) => void;
  /** Checked after each scored batch: once aborted, the unit stops with the signal's reason and stages nothing. */
  signal?: AbortSignal;
  /** The run's candidate plan and the top_buyers table a staged plan writes into. */
  candidates?: { plan: CandidatePlan; topBuyersTable: string };
}

/** A scored unit with the top-buyer candidates it hands on (when the request had a candidate plan). */
export interface ScoredUnit extends UnitResult {
  candidates?: UnitCandidates;
  /** Set when the unit checked its rows for duplicate user_ids (the plan left that check to the units). */
  duplicatesChecked?: true;
}

export async function scoreAndStageUnit(req: UnitScoringRequest): Promise<ScoredUnit> {
  const ids: BigInt64Array[] = [];
  const probs: Float64Array[] = [];
  let rows = 0;
  let skipped = 0;
  const read = req.checkDuplicates ? new UnitUserIds() : undefined;
  const scored = scoreUnit({
    silverTablePath: req.silverTable,
    schema: req.silverSchema,
    segments: req.unit.segments,
    scorer: req.scorer,
    nullPolicy: req.nullPolicy,
    onProgress: req.onProgress,
    onRead: read && ((batch, file) => read.add(batch.columns.user_id, file.path)),
  });
  for await (const batch of scored) {
    if (req.signal?.aborted) throw req.signal.reason;
    ids.push(batch.userIds);
    probs.push(batch.probabilities);
    rows += batch.userIds.length;
    skipped += batch.skipped;
  }
  if (read && req.checkDuplicates) checkNoDuplicates(req, req.checkDuplicates.silverVersion, read);
  const userIds = concat(BigInt64Array, ids, rows);
  const probabilities = concat(Float64Array, probs, rows);
  // The Gold file and the candidates are staged at once: on object storage each is an upload (a round trip or more).
  const [add, candidates] = await Promise.all([
    stagePredictions({
      goldTable: req.goldTable,
      scoreDate: req.scoreDate,
      runId: req.runId,
      unitIndex: req.unit.index,
      attempt: req.attempt,
      model: req.scorer.pinned,
      scoredAt: new Date(),
      threshold: req.threshold,
      scored: { userIds, probabilities },
    }),
    req.candidates && handOnCandidates(unitCandidates(userIds, probabilities, req.candidates.plan), req.candidates.plan, {
      topBuyersTable: req.candidates.topBuyersTable, scoreDate: req.scoreDate, runId: req.runId, unitIndex: req.unit.index, attempt: req.attempt,
    }),
  ]);
  const result: ScoredUnit = { unitIndex: req.unit.index, add, rows, skipped };
  if (candidates) result.candidates = candidates;
  if (read) result.duplicatesChecked = true;
  return result;
}

/** Before anything is staged: the same failure, code and message as the plan's check would have given. */
function checkNoDuplicates(req: UnitScoringRequest, silverVersion: number, read: UnitUserIds): void {
  const found = read.duplicates();
  if (found.count === 0) return;
  const partitioned = req.unit.segments.some((s) => SNAPSHOT_DATE in s.file.partitionValues);
  throw new PipelineError('SilverDuplicateUser', `${silverWhere(req.silverTable, silverVersion, partitioned, req.scoreDate)}: ${describeDuplicates(found)}`);
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
