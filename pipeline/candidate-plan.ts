/**
 * How the scoring units hand the top-buyers selection its candidates, so the selection never reads Gold again
 * (docs/decisions/top-buyer-candidates.md). Pure (no I/O): the workflow decides it at planning, before any unit
 * is scored, from the rule and the Silver rows of the date.
 *
 * A user among the run's top k (k = the rule's count over the rows scored) is among its own unit's top k, and
 * k ≤ topCount(rule, Silver rows) because a run scores at most its Silver rows (the null policy may skip some).
 * So each unit keeps its best `perUnit` users at or above minProbability, and the merge of those is exact.
 */
import { topCount, TopBuyersRule } from './top-buyers-rule';

/** Candidates all units together may carry inline (in history, and again in the selection's input): ~45 bytes each in JSON, ~90 KB. */
export const INLINE_CANDIDATES_MAX = 2_000;

/**
 * Under a staged plan, a unit with at most this many candidates still hands them on inline, in its record in the
 * run's manifest (~1 KB at most): a file of its own (a Parquet write, two fsyncs, and a read by the selection) would
 * cost far more than the bytes it holds. Runs of many tiny units hand on nearly all their candidates so.
 */
export const INLINE_UNIT_CANDIDATES_MAX = 16;

export interface CandidatePlan {
  /** At most this many candidates per unit. */
  perUnit: number;
  minProbability: number;
  /**
   * inline: in each unit's activity result; staged: in a file of the unit's attempt in the top_buyers partition
   * folder, the result giving its count and attempt (chosen when units × perUnit could exceed INLINE_CANDIDATES_MAX).
   */
  delivery: 'inline' | 'staged';
}

export function candidatePlan(rule: TopBuyersRule, silverRows: number, units: number): CandidatePlan {
  const perUnit = topCount(rule, silverRows);
  return { perUnit, minProbability: rule.minProbability, delivery: perUnit * units <= INLINE_CANDIDATES_MAX ? 'inline' : 'staged' };
}

/**
 * What one unit hands on: its candidates best first (user ids as decimal strings: JSON has no int64), or how many
 * it staged and in which attempt (the file's name follows from the run, the unit and the attempt: a few bytes of
 * history per unit, not a path).
 */
export type UnitCandidates =
  | { delivery: 'inline'; count: number; userIds: string[]; probabilities: number[] }
  | { delivery: 'staged'; count: number; attempt: number };

/**
 * What the selection takes: the inline candidates of all units; when some units staged theirs, also each unit's
 * attempt whose file to read (a retried unit's other attempts are ignored; 0 for a unit that handed its few
 * candidates on inline, INLINE_UNIT_CANDIDATES_MAX, and has no file) and the rows all files must hold.
 */
export type RunCandidates =
  | { delivery: 'inline'; userIds: string[]; probabilities: number[] }
  | { delivery: 'staged'; attempts: number[]; rows: number; userIds: string[]; probabilities: number[] };

/**
 * The selection's input from the units' candidates, in unit order. `attempts` is indexed by position, which the
 * selection reads back as the unit index: so the units must be exactly 0..n-1, each once.
 */
export function runCandidates(units: { unitIndex: number; candidates: UnitCandidates }[]): RunCandidates {
  const sorted = [...units].sort((a, b) => a.unitIndex - b.unitIndex);
  const misplaced = sorted.findIndex((u, i) => u.unitIndex !== i);
  if (misplaced >= 0) throw new Error(`top-buyer candidates must come from units 0..${units.length - 1}, each once: found unit ${sorted[misplaced].unitIndex} at position ${misplaced}`);
  const ordered = sorted.map((u) => u.candidates);
  const inline = ordered.flatMap((c) => (c.delivery === 'inline' ? [c] : []));
  const userIds = inline.flatMap((c) => c.userIds);
  const probabilities = inline.flatMap((c) => c.probabilities);
  if (!ordered.some((c) => c.delivery === 'staged')) return { delivery: 'inline', userIds, probabilities };
  const attempts = ordered.map((c) => (c.delivery === 'staged' ? c.attempt : 0));
  const rows = ordered.reduce((n, c) => n + (c.delivery === 'staged' ? c.count : 0), 0);
  return { delivery: 'staged', attempts, rows, userIds, probabilities };
}
