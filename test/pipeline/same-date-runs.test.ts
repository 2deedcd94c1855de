/**
 * Same-date runs (docs/decisions/same-date-runs.md): the run that STARTED later wins. The Gold commits on their
 * own (real Delta tables, no server); test/workflows/same-date-runs.test.ts runs two scoreUsers workflows of one
 * date on a real Temporal server.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTable, tableHistory } from '../../delta';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { commitTopBuyers } from '../../pipeline/gold-top-buyers';
import { BatchScoreError } from '../../errors/batch-score-error';
import { runIds } from '../support/tables';

const DAY = '2026-11-23';
const OTHER_DAY = '2026-11-16';
const MODEL = { uri: 'models:/m@champion', name: 'm', version: '3', sha256: 'ab'.repeat(32) };
const T0 = Date.parse('2026-11-23T06:00:00Z');

interface Run {
  workflowId: string;
  runId: string;
  start: number;
}

describe('same-date runs: the Gold commits', function () {
  let dir: string;
  let gold: string;
  let top: string;

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-same-date-'));
    gold = path.join(dir, 'gold');
    top = path.join(dir, 'top');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // A staged file is never replaced: each publish of a run stages as a new attempt.
  const attempts = new Map<string, number>();
  async function publish(run: Run, scoreDate = DAY) {
    const attempt = (attempts.get(run.runId) ?? 0) + 1;
    attempts.set(run.runId, attempt);
    const add = await stagePredictions({
      goldTable: gold, scoreDate, runId: run.runId, unitIndex: 0, attempt, model: MODEL, scoredAt: new Date(run.start), threshold: 0.5,
      scored: { userIds: BigInt64Array.from([1n, 2n, 3n]), probabilities: Float64Array.from([0.1, 0.5, 0.9]) },
    });
    return commitPredictions({
      goldTable: gold, scoreDate, workflowId: run.workflowId, runId: run.runId, adds: [add], txn: { appId: run.runId, version: run.start },
      commitInfo: { batchScore: { workflowId: run.workflowId, runId: run.runId } },
    });
  }

  const older: Run = { workflowId: 'score-users-a', runId: 'run-a', start: T0 };
  const newer: Run = { workflowId: 'score-users-b', runId: 'run-b', start: T0 + 1000 };

  it('an older run committing after a newer one fails SupersededByNewerRun naming the newer run, and changes nothing', async function () {
    assert.deepEqual(await publish(newer), { version: 1, skipped: false });
    await assert.rejects(publish(older), (err: Error) => {
      assert.ok(err instanceof BatchScoreError);
      assert.equal(err.code, 'SupersededByNewerRun');
      assert.match(err.message, /score_date=2026-11-23 was published at version 1 by workflow score-users-b run run-b, which started later/);
      assert.match(err.message, /than this run \(workflow score-users-a run run-a/);
      return true;
    });
    assert.equal((await openTable(gold)).version, 1);
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-b']));
  });

  it('a newer run replaces an older one; the commit records the date and the run start', async function () {
    await publish(older);
    assert.deepEqual(await publish(newer), { version: 2, skipped: false });
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-b']));
    const [latest] = await tableHistory(gold, { limit: 1 });
    assert.deepEqual(latest.commitInfo.batchScore, { workflowId: 'score-users-b', runId: 'run-b', scoreDate: DAY, runStartTime: newer.start });
  });

  it('a re-run under the same workflow id (a new run, started later) replaces the partition; a retried commit is a no-op', async function () {
    await publish(older);
    const rerun: Run = { ...older, runId: 'run-a2', start: T0 + 5000 };
    assert.deepEqual(await publish(rerun), { version: 2, skipped: false });
    assert.deepEqual(await publish(rerun), { version: 2, skipped: true });
    // The first run's commit, retried after the re-run published, is a no-op too (its txn is behind).
    assert.deepEqual(await publish(older), { version: 2, skipped: true });
    assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set(['run-a2']));
  });

  it('another date published by a newer run does not stop an older run of this date', async function () {
    await publish(newer, OTHER_DAY);
    assert.deepEqual(await publish(older), { version: 2, skipped: false });
  });

  it('runs started in the same millisecond: the larger run id wins, whatever the commit order', async function () {
    const twin: Run = { workflowId: 'score-users-c', runId: 'run-c', start: older.start };
    await publish(twin);
    await assert.rejects(publish(older), (err: Error) => (err as BatchScoreError).code === 'SupersededByNewerRun' && /run run-c/.test(err.message));
  });

  it('racing commits of one date always leave the newer run published', async function () {
    const codes = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as BatchScoreError).code : 'committed');
    for (let round = 0; round < 6; round++) {
      const base = T0 + round * 10_000;
      const a: Run = { workflowId: `a-${round}`, runId: `run-a-${round}`, start: base };
      const b: Run = { workflowId: `b-${round}`, runId: `run-b-${round}`, start: base + 1 };
      const [ra, rb] = round % 2 ? await Promise.allSettled([publish(a), publish(b)]) : (await Promise.allSettled([publish(b), publish(a)])).reverse();
      // The older run either landed first or is superseded, even when it lost the race to the newer one's commit.
      assert.ok(['committed', 'SupersededByNewerRun'].includes(codes(ra)), `round ${round}: ${codes(ra)}`);
      // The newer run landed, or lost the race to the older one's commit: a retryable conflict its activity retries.
      assert.ok(['committed', 'ConcurrentModification'].includes(codes(rb)), `round ${round}: ${codes(rb)}`);
      if (rb.status === 'rejected') assert.equal((await publish(b)).skipped, false);
      assert.deepEqual(await runIds(gold, { score_date: DAY }), new Set([b.runId]), `round ${round}`);
    }
  });

  it('top_buyers follows the same rule', async function () {
    const commit = (run: Run) => commitTopBuyers({
      topBuyersTable: top, scoreDate: DAY, workflowId: run.workflowId, runId: run.runId, model: MODEL, buyers: { userIds: BigInt64Array.of(7n), probabilities: Float64Array.of(0.9) },
      txn: { appId: run.runId, version: run.start }, commitInfo: {},
    });
    await commit(newer);
    await assert.rejects(commit(older), (err: Error) => (err as BatchScoreError).code === 'SupersededByNewerRun' && /workflow score-users-b run run-b/.test(err.message));
    assert.equal((await openTable(top)).version, 1);
    assert.deepEqual(await runIds(top, { score_date: DAY }), new Set(['run-b']));
  });
});
