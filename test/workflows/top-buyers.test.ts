/**
 * The top-buyers rule as the README promises it, through one workflow run with topBuyers.limit: the published
 * list must be exactly the brute-force reference's (full sort) over the run's own Gold predictions, cut at the
 * limit. The rule on its own, with ties over files and row groups: test/pipeline/top-buyers.test.ts.
 */
import * as assert from 'node:assert/strict';
import { TASK_QUEUE } from '../../config';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { expectedTopBuyers } from '../support/reference';
import { partitionRows } from '../support/tables';
import { PipelineServer, startPipelineServer } from '../support/temporal';

const DAY = '2026-11-23';

describe('top buyers: a workflow run with topBuyers.limit', function () {
  this.timeout(120_000);
  let server: PipelineServer;

  before(async function () {
    server = await startPipelineServer('top-buyers-run', [{ users: 2_000, seed: 9, snapshotDate: DAY, fileRows: 500 }]);
  });

  after(async function () {
    await server?.stop();
  });

  it('publishes exactly the reference list, cut at the limit', async function () {
    const { env, data } = server;
    const rule = { fraction: 0.5, minProbability: 0, limit: 25 };
    const result = (await env.client.workflow.execute('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}`, args: [{ scoreDate: DAY, unitRows: 500, topBuyers: rule }],
    })) as ScoreUsersResult;
    const gold = (await partitionRows(data.goldPredictions, { score_date: DAY }, { version: result.goldVersion, columns: ['user_id', 'purchase_probability'] }))
      .map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) }));
    assert.equal(gold.length, 2_000);
    const expected = expectedTopBuyers(gold, rule);
    assert.equal(expected.length, 25);
    const published = (await partitionRows(data.goldTopBuyers, { score_date: DAY }, { version: result.topBuyersVersion }))
      .sort((a, b) => Number(a.rank) - Number(b.rank));
    assert.deepEqual(
      published.map((r) => [Number(r.rank), Number(r.user_id), Number(r.purchase_probability), r.run_id]),
      expected.map((r, i) => [i + 1, r.user_id, r.purchase_probability, result.runId]),
    );
    assert.equal(result.topBuyers.count, 25);
  });
});
