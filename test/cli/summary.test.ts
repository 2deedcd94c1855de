/**
 * The run summary's top-buyers line: when min-probability, not the rule's fraction or limit, set the count, the
 * line says so (a list of 2 of 5,000 users otherwise reads as a bug); when the fraction or the limit did, it
 * says nothing more; a result of an earlier version (no rule) prints as before.
 */
import * as assert from 'node:assert/strict';
import { runSummaryLines } from '../../cli/summary';
import type { ScoreUsersResult } from '../../workflows/score-users';

function result(count: number, rule?: ScoreUsersResult['topBuyers']['rule']): ScoreUsersResult {
  return {
    workflowId: 'score-users-2026-11-23', runId: 'r', scoreDate: '2026-11-23',
    model: { uri: 'models:/m@champion', name: 'm', version: '1', sha256: 'ab'.repeat(32) } as ScoreUsersResult['model'],
    silverTable: '/s', silverVersion: 1, units: 1, rowsScored: 5000, rowsSkipped: 0, goldTable: '/g', goldVersion: 2, goldCommitSkipped: false,
    topBuyersTable: '/t', topBuyersVersion: 3, topBuyers: { scoredUsers: 5000, count, preview: [], ...(rule ? { rule } : {}) },
  };
}

const topLine = (r: ScoreUsersResult) => runSummaryLines(r).find((l) => l.startsWith('top '))!;

describe('run summary: the top-buyers line', function () {
  it('says when min-probability cut the list, and not when the fraction or the limit set it', function () {
    const rule = { fraction: 0.1, minProbability: 0.8 };
    assert.equal(topLine(result(2, rule)), 'top       /t @ version 3: 2 top buyers of 5000 (the rule asks for up to 500: the others are below min-probability 0.8)');
    assert.equal(topLine(result(500, rule)), 'top       /t @ version 3: 500 top buyers of 5000');
    assert.equal(topLine(result(20, { ...rule, limit: 20 })), 'top       /t @ version 3: 20 top buyers of 5000');
    assert.equal(topLine(result(2)), 'top       /t @ version 3: 2 top buyers of 5000');
  });
});
