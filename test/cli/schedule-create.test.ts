/**
 * `batch-score schedule create` against a real dev server says what the first run needs: its next run time, the
 * date it scores (the UTC date of that time) and the `features` command that builds that date's Silver snapshot.
 */
import * as assert from 'node:assert/strict';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalServer } from '../support/temporal';
import { cli } from './cli-world';

/** The first 06:00 UTC on a Monday after `now`, as the cron "0 6 * * MON" in UTC gives it. */
function nextMonday0600(now: Date): Date {
  const t = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 6));
  while (t.getUTCDay() !== 1 || t <= now) t.setUTCDate(t.getUTCDate() + 1);
  return t;
}

describe('cli: schedule create', function () {
  this.timeout(60_000);
  let env: TestWorkflowEnvironment;
  before(async () => (env = await startLocalServer()));
  after(() => env?.teardown());

  it('prints the schedule id, its next run time and date, and how to build that date\'s Silver snapshot', async () => {
    const before = new Date();
    const r = await cli(['schedule', 'create', '--id', 'weekly-cli', '--cron', '0 6 * * MON'], { TEMPORAL_ADDRESS: env.address });
    assert.equal(r.code, 0, r.stderr);
    const next = nextMonday0600(before);
    const day = next.toISOString().slice(0, 10);
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [
      'created schedule weekly-cli',
      `next run ${next.toISOString()} (scores ${day})`,
      `each run scores the Silver snapshot of its date: build it first (batch-score features --date ${day})`,
    ]);
    await env.client.schedule.getHandle('weekly-cli').delete();
  });
});
