/**
 * The top-buyers selection rule. Pure (no I/O) so the workflow can check a run's rule before any scoring starts.
 *
 * Rank every scored user by probability (highest first, ties by the smaller user_id); keep the first
 * floor(fraction × users) whose probability is at least minProbability; at most `limit` rows.
 */
export interface TopBuyersRule {
  fraction: number;
  minProbability: number;
  limit?: number;
}

export const DEFAULT_TOP_BUYERS_RULE: TopBuyersRule = { fraction: 0.1, minProbability: 0.8 };

/** What is wrong with a rule, or undefined when it is fine. */
export function ruleProblem(rule: TopBuyersRule): string | undefined {
  if (!(rule.fraction >= 0 && rule.fraction <= 1)) return `topBuyers.fraction must be between 0 and 1, got ${rule.fraction}`;
  if (!(rule.minProbability >= 0 && rule.minProbability <= 1)) {
    return `topBuyers.minProbability must be between 0 and 1, got ${rule.minProbability}`;
  }
  if (rule.limit !== undefined && !(Number.isInteger(rule.limit) && rule.limit >= 0)) {
    return `topBuyers.limit must be a whole number >= 0, got ${rule.limit}`;
  }
  return undefined;
}

/** How many users the rule keeps at most, before the minProbability filter. */
export function topCount(rule: TopBuyersRule, scoredUsers: number): number {
  return Math.min(Math.floor(rule.fraction * scoredUsers), rule.limit ?? Infinity);
}
