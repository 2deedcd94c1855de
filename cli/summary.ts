/** How a finished run is shown to a person (run --wait, status, demo; a backfill's dates: backfill --wait, status). */
import type { BackfillDateResult } from '../workflows/backfill-scores';
import type { ScoreUsersResult } from '../workflows/score-users';

export function printRunSummary(r: ScoreUsersResult): void {
  const lines = [
    `scored ${r.rowsScored.toLocaleString('en-US')} users for ${r.scoreDate} in ${r.units} unit(s)` +
      (r.rowsSkipped ? `, ${r.rowsSkipped} skipped (null features)` : ''),
    `model     ${r.model.name} version ${r.model.version} (sha256 ${r.model.sha256.slice(0, 12)}…) from ${r.model.uri}`,
    `silver    ${r.silverTable} @ version ${r.silverVersion}`,
    `gold      ${r.goldTable} @ version ${r.goldVersion}${r.goldCommitSkipped ? ' (already committed by this run)' : ''}`,
    `top       ${r.topBuyersTable} @ version ${r.topBuyersVersion}: ${r.topBuyers.count} top buyers of ${r.topBuyers.scoredUsers}`,
  ];
  console.log(lines.join('\n'));
  if (r.topBuyers.preview.length) {
    console.log('\n rank  user_id       probability');
    for (const b of r.topBuyers.preview) {
      console.log(`${String(b.rank).padStart(5)}  ${String(b.userId).padEnd(12)}  ${b.probability.toFixed(6)}`);
    }
  }
}

export function printBackfillSummary(results: BackfillDateResult[]): void {
  for (const r of results) {
    console.log(`${r.scoreDate}  ${r.rowsScored} users  gold version ${r.goldVersion}  ${r.topBuyers} top buyers  (${r.workflowId})`);
  }
}
