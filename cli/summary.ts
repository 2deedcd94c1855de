/** How a finished run is shown to a person (run --wait, status, demo; a backfill's dates: backfill --wait, status). */
import type { BackfillDateResult } from '../workflows/backfill-scores';
import type { ScoreUsersResult } from '../workflows/score-users';
import { topCount } from '../pipeline/top-buyers-rule';

export function printRunSummary(r: ScoreUsersResult): void {
  console.log(runSummaryLines(r).join('\n'));
  if (r.topBuyers.preview.length) {
    console.log('\n rank  user_id       probability');
    for (const b of r.topBuyers.preview) {
      console.log(`${String(b.rank).padStart(5)}  ${String(b.userId).padEnd(12)}  ${b.probability.toFixed(6)}`);
    }
  }
}

/** The summary's lines before the top-buyer preview. */
export function runSummaryLines(r: ScoreUsersResult): string[] {
  return [
    `scored ${r.rowsScored.toLocaleString('en-US')} users for ${r.scoreDate} in ${r.units} unit(s)` +
      (r.rowsSkipped ? `, ${r.rowsSkipped} skipped (null features)` : ''),
    `model     ${modelLine(r.model)}`,
    `silver    ${r.silverTable} @ version ${r.silverVersion}`,
    `gold      ${r.goldTable} @ version ${r.goldVersion}${r.goldCommitSkipped ? ' (already committed by this run)' : ''}`,
    `top       ${r.topBuyersTable} @ version ${r.topBuyersVersion}: ${r.topBuyers.count} top buyers of ${r.topBuyers.scoredUsers}${belowFloor(r.topBuyers)}`,
  ];
}

/**
 * When min-probability, not the fraction (or limit), set the count: say so, or a short list reads as a bug (the
 * top 10% of 5,000 users is 500, yet only 2 are listed when only 2 reach 0.8).
 */
function belowFloor(top: ScoreUsersResult['topBuyers']): string {
  if (!top.rule) return '';
  const wanted = topCount(top.rule, top.scoredUsers);
  if (top.count >= wanted) return '';
  return ` (the rule asks for up to ${wanted.toLocaleString('en-US')}: the others are below min-probability ${top.rule.minProbability})`;
}

/**
 * The model as pinned: a registry's version and the digest's start, or only the digest for a model named by a
 * file or s3:// URI, whose version is that digest (`sha256:<12 hex>`) and would otherwise be printed twice.
 */
function modelLine(m: ScoreUsersResult['model']): string {
  const digest = `sha256 ${m.sha256.slice(0, 12)}…`;
  const version = m.version === `sha256:${m.sha256.slice(0, 12)}` ? digest : `version ${m.version} (${digest})`;
  return `${m.name} ${version} from ${m.uri}`;
}

export function printBackfillSummary(results: BackfillDateResult[]): void {
  for (const r of results) {
    console.log(`${r.scoreDate}  ${r.rowsScored} users  gold version ${r.goldVersion}  ${r.topBuyers} top buyers  (${r.workflowId})`);
  }
}
