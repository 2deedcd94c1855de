/**
 * `batch-score status` on a backfill (issue 11: it used to crash on a completed one): against a real dev server
 * and a `batch-score worker` process, a two-date backfill is started without --wait; `status` answers right
 * after the start (running: its progress over both dates) and once it completed (COMPLETED, one line per date
 * with the date's rows, Gold version and top buyers, the same as each date's own run), in text and --json, exit 0.
 */
import * as assert from 'node:assert/strict';
import type { BackfillDateResult } from '../../workflows/backfill-scores';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { batchScore } from '../support/processes';
import { cli, CliWorld, startCliWorld } from './cli-world';

const FROM = '2026-11-16';
const TO = '2026-11-23';
const USERS = 3_000;

describe('batch-score status on a backfill', function () {
  this.timeout(180_000);
  let world: CliWorld;

  before(async function () {
    world = await startCliWorld({ day: TO, users: USERS });
    await batchScore(['generate', '--users', String(USERS), '--date', FROM, '--seed', '4'], world.temporal);
  });

  after(async function () {
    await world?.stop();
  });

  it('answers right after the start, and shows a completed backfill\'s result per date, in text and --json', async function () {
    const { temporal, env } = world;
    const workflowId = `backfill-${FROM}-${TO}`;
    const started = JSON.parse(await batchScore(['backfill', '--from', FROM, '--to', TO, '--json'], temporal)) as { workflowId: string };
    assert.equal(started.workflowId, workflowId);

    // Right after the start it answers and exits 0: running with its progress, or (on a fast machine) completed.
    const early = await cli(['status', workflowId, '--json'], temporal);
    assert.equal(early.code, 0, early.stderr);
    const earlyJson = JSON.parse(early.stdout);
    assert.equal(earlyJson.type, 'backfillScores');
    if (earlyJson.status === 'RUNNING') assert.equal(earlyJson.progress.datesTotal, 2);
    else assert.equal(earlyJson.status, 'COMPLETED');

    await env.client.workflow.getHandle(workflowId).result();
    const json = await cli(['status', workflowId, '--json'], temporal);
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as { status: string; type: string; result: BackfillDateResult[]; failure?: unknown };
    assert.equal(status.status, 'COMPLETED');
    assert.equal(status.failure, undefined);
    assert.deepEqual(status.result.map((r) => [r.scoreDate, r.workflowId, r.rowsScored]), [
      [FROM, `score-users-${FROM}`, USERS], [TO, `score-users-${TO}`, USERS],
    ]);
    // Each line is what that date's own run reports.
    for (const r of status.result) {
      const run = JSON.parse((await cli(['status', r.workflowId, '--json'], temporal)).stdout) as { result: ScoreUsersResult };
      assert.deepEqual([r.goldVersion, r.topBuyers], [run.result.goldVersion, run.result.topBuyers.count]);
    }

    const text = await cli(['status', workflowId], temporal);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stderr, '');
    const lines = text.stdout.trim().split('\n');
    assert.match(lines[0], new RegExp(`^${workflowId} \\(run \\S+\\): COMPLETED$`));
    assert.deepEqual(lines.slice(1), status.result.map((r) =>
      `${r.scoreDate}  ${USERS} users  gold version ${r.goldVersion}  ${r.topBuyers} top buyers  (score-users-${r.scoreDate})`));
  });
});
