/**
 * A failed run is visible where the user is: `run --wait`, `status` and `backfill --wait` print the root cause
 * (code, message, activity, attempt, next step) in text and in --json, and the exit codes tell a failed run (1),
 * bad usage (2) and an unreachable Temporal server (3) apart. Real CLI processes, a real dev server and worker.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { classified } from '../../activities/failures';
import { BatchScoreError, ERROR_CODES } from '../../errors';
import { dataLayout } from '../../config';
import type { FailedRun, RunFailure } from '../../cli/failure';
import type { BackfillDateResult } from '../../workflows/backfill-scores';
import { TASK_QUEUE } from '../../config';
import { workflowBundle } from '../support/temporal';
import { closedPort } from '../support/processes';
import { cli, CliWorld, startCliWorld } from './cli-world';

const DAY = '2026-11-23';
/** A date the Silver table has no snapshot of. */
const NO_DATA_DAY = '2026-11-30';

describe('batch-score CLI: failures and exit codes', function () {
  describe('bad usage exits 2, naming the option or argument', function () {
    const cases: [string[], RegExp][] = [
      [['run', '--bogus'], /^batch-score run: Unknown option '--bogus'/],
      [['run', '--date'], /^batch-score run: Option '--date <value>' argument missing/],
      [['run', '--date', '2026-02-30x'], /^batch-score run: --date: "2026-02-30x" is not a calendar date YYYY-MM-DD \(expected four-digit year/],
      [['run', '--date', '2026-13-01'], /^batch-score run: --date: "2026-13-01" is not a calendar date YYYY-MM-DD \(there is no month 13\)/],
      [['run', '--date', '2026-02-29'], /^batch-score run: --date: "2026-02-29" is not a calendar date YYYY-MM-DD \(2026-02 has 28 days, not 29\)/],
      [['run', '--top-fraction', 'abc'], /^batch-score run: --top-fraction: "abc" is not a number/],
      [['run', '--unit-rows', '2.5'], /^batch-score run: --unit-rows: "2.5" is not a whole number > 0/],
      [['top', '-n', 'ten'], /^batch-score top: -n: "ten" is not a whole number > 0/],
      [['worker', '--processes', 'abc'], /^batch-score worker: --processes: "abc" is not a whole number > 0 or "cores"/],
      [['demo', '--users', '0'], /^batch-score demo: --users: "0" is not a whole number > 0/],
      [['run', '2026-11-23'], /^batch-score run: run takes options only, got "2026-11-23"/],
      [['status'], /^batch-score status: status needs a workflow id/],
      [['status', 'a', 'b'], /^batch-score status: status takes one workflow id, got also "b"/],
      [['backfill', '--from', DAY], /^batch-score backfill: backfill needs --from and --to/],
      [['backfill', '--from', DAY, '--to', DAY, '--every', 'weekly'], /^batch-score backfill: --every: "weekly" is not a number of days/],
      [['nonsense'], /^batch-score: unknown command "nonsense"/],
      [[], /^$/],
    ];
    for (const [args, message] of cases) {
      it(`batch-score ${args.join(' ')}`, async function () {
        // An unreachable address: usage is checked before connecting, so none of these may exit 3.
        const r = await cli(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, message);
      });
    }
  });

  it('exits 3 within seconds when the Temporal server cannot be reached, naming its address', async function () {
    const address = `127.0.0.1:${await closedPort()}`;
    const verbs = [['run', '--date', DAY, '--wait'], ['status', `score-users-${DAY}`], ['backfill', '--from', DAY, '--to', DAY], ['worker']];
    for (const args of verbs) {
      const r = await cli(args, { TEMPORAL_ADDRESS: address, BATCH_SCORE_DATA: path.join(os.tmpdir(), 'batch-score-never-made') });
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`^batch-score ${args[0]}: cannot reach the Temporal server at ${address} `));
      assert.match(r.stderr, /batch-score dev-server/);
      assert.match(r.stderr, /TEMPORAL_ADDRESS/);
      assert.ok(r.ms < 8000, `took ${r.ms} ms`);
      assert.equal(r.stdout, '');
    }
  });

  it('a worker pointed at a host that does not resolve says so in words, not as a transport dump', async function () {
    const r = await cli(['worker'], { TEMPORAL_ADDRESS: 'no-such-host.invalid:7233', BATCH_SCORE_DATA: path.join(os.tmpdir(), 'batch-score-never-made') });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^batch-score worker: cannot reach the Temporal server at no-such-host\.invalid:7233 \([^()]+\); start a local one with `batch-score dev-server`/);
    assert.doesNotMatch(r.stderr, /tonic|transport::Error|ConnectError/);
  });

  describe('against a running Temporal server', function () {
    let world: CliWorld;
    let temporal: NodeJS.ProcessEnv;
    let silver: string;

    before(async function () {
      world = await startCliWorld({ day: DAY, users: 2000 });
      temporal = world.temporal;
      silver = dataLayout(world.dir).silverFeatures;
    });

    after(async function () {
      await world?.stop();
    });

    /** What the Silver-has-no-data failure of `workflowId` must carry (the message is checked apart). */
    const noData = (workflowId: string, runId: string): Omit<RunFailure, 'message'> => ({
      code: 'SilverNoData', activity: 'planUnits', attempt: 1, retryable: false, hint: ERROR_CODES.SilverNoData.hint, workflowId, runId,
    });
    const namesTableAndDate = (message: string) => {
      assert.ok(message.includes(silver), message);
      assert.ok(message.includes(`snapshot_date=${NO_DATA_DAY}`), message);
    };

    it('run --wait of a date Silver lacks: code, message, activity and attempt; exit 1 (text and --json); status shows the same', async function () {
      const text = await cli(['run', '--date', NO_DATA_DAY, '--wait'], temporal);
      assert.equal(text.code, 1, text.stderr);
      assert.equal(text.stdout, '');
      // While it waits, run --wait shows the run's progress on stderr (plain lines: not a terminal), then the failure.
      const all = text.stderr.trimEnd().split('\n');
      const progress = all.filter((l) => l.startsWith('progress '));
      assert.deepEqual(all.slice(0, progress.length), progress, text.stderr);
      assert.match(progress[0] ?? '', new RegExp(`^progress score-users-${NO_DATA_DAY}: (resolving-model|planning)$`), text.stderr);
      const lines = all.slice(progress.length);
      assert.equal(lines[0], `batch-score run: score-users-${NO_DATA_DAY} FAILED`);
      assert.equal(lines[1], '  code    SilverNoData');
      assert.match(lines[2], /^ {2}message /);
      namesTableAndDate(lines[2]);
      assert.match(lines[3], new RegExp(`^ {2}where {3}activity planUnits, attempt 1 \\(not retried: the error is not retryable\\) of score-users-${NO_DATA_DAY} \\(run [0-9a-f-]{36}\\)$`));
      assert.equal(lines[4], `  next    ${ERROR_CODES.SilverNoData.hint}`);

      // The same date again (a new run of the same id), as JSON on stdout.
      const json = await cli(['run', '--date', NO_DATA_DAY, '--wait', '--json'], temporal);
      assert.equal(json.code, 1, json.stderr);
      assert.equal(json.stderr, '');
      const failed = JSON.parse(json.stdout) as FailedRun;
      assert.equal(failed.workflowId, `score-users-${NO_DATA_DAY}`);
      assert.equal(failed.status, 'FAILED');
      assert.ok(failed.runId && !text.stderr.includes(failed.runId), 'a new run');
      const { message, ...rest } = failed.failure;
      assert.deepEqual(rest, noData(failed.workflowId, failed.runId!));
      namesTableAndDate(message);

      // status of that (latest) run: the same failure, exit 1.
      const status = await cli(['status', `score-users-${NO_DATA_DAY}`, '--json'], temporal);
      assert.equal(status.code, 1, status.stderr);
      const shown = JSON.parse(status.stdout);
      assert.equal(shown.status, 'FAILED');
      assert.equal(shown.runId, failed.runId);
      assert.equal(shown.type, 'scoreUsers');
      assert.deepEqual(shown.failure, failed.failure);
      const statusText = await cli(['status', `score-users-${NO_DATA_DAY}`], temporal);
      assert.equal(statusText.code, 1);
      assert.deepEqual(statusText.stdout.trimEnd().split('\n'), [
        `score-users-${NO_DATA_DAY} (run ${failed.runId}): FAILED`,
        '  code    SilverNoData',
        `  message ${message}`,
        `  where   activity planUnits, attempt 1 (not retried: the error is not retryable) of score-users-${NO_DATA_DAY} (run ${failed.runId})`,
        `  next    ${ERROR_CODES.SilverNoData.hint}`,
      ]);
    });

    it('a run the workflow refuses (input): InvalidInput with no activity, and the hint of the code', async function () {
      const r = await cli(['run', '--date', DAY, '--top-fraction', '5', '--wait', '--json'], temporal);
      assert.equal(r.code, 1, r.stderr);
      const failed = JSON.parse(r.stdout) as FailedRun;
      assert.equal(failed.status, 'FAILED');
      assert.deepEqual(failed.failure, {
        code: 'InvalidInput', message: 'invalid scoreUsers input: topBuyers.fraction must be a number between 0 and 1, got 5', retryable: false,
        hint: ERROR_CODES.InvalidInput.hint, workflowId: `score-users-${DAY}`, runId: failed.runId,
      });
    });

    it('backfill --wait with one date Silver lacks: the root cause through the child run, exit 1; status of the backfill too', async function () {
      const workflowId = `backfill-${DAY}-${NO_DATA_DAY}`;
      const r = await cli(['backfill', '--from', DAY, '--to', NO_DATA_DAY, '--every', '7d', '--wait', '--json'], temporal);
      assert.equal(r.code, 1, r.stderr);
      const failed = JSON.parse(r.stdout) as FailedRun;
      assert.equal(failed.workflowId, workflowId);
      assert.equal(failed.status, 'FAILED');
      const { message, ...rest } = failed.failure;
      assert.notEqual(rest.runId, failed.runId);
      assert.deepEqual(rest, noData(`score-users-${NO_DATA_DAY}`, rest.runId!));
      namesTableAndDate(message);

      const status = await cli(['status', workflowId, '--json'], temporal);
      assert.equal(status.code, 1, status.stderr);
      const shown = JSON.parse(status.stdout);
      assert.equal(shown.type, 'backfillScores');
      assert.equal(shown.status, 'FAILED');
      assert.deepEqual(shown.failure, failed.failure);

      const text = await cli(['backfill', '--from', DAY, '--to', NO_DATA_DAY, '--every', '7d', '--wait'], temporal);
      assert.equal(text.code, 1, text.stderr);
      const [startedLine, ...lines] = text.stderr.trimEnd().split('\n');
      // Its id first, for `status` from another shell while it waits.
      assert.match(startedLine, new RegExp(`^started ${workflowId} \\(run [0-9a-f-]{36}\\); follow it with: batch-score status ${workflowId}$`));
      assert.equal(lines[0], `batch-score backfill: ${workflowId} FAILED`);
      assert.equal(lines[1], '  code    SilverNoData');
      assert.match(lines[3], new RegExp(`activity planUnits, attempt 1 .* of score-users-${NO_DATA_DAY} \\(run `));
    });

    it('status of a completed backfill prints one line per date, exit 0', async function () {
      const workflowId = `backfill-${DAY}-${DAY}`;
      const r = await cli(['backfill', '--from', DAY, '--to', DAY, '--wait', '--json'], temporal);
      assert.equal(r.code, 0, r.stderr);
      const [date] = JSON.parse(r.stdout) as BackfillDateResult[];
      assert.equal(date.rowsScored, 2000);

      const json = await cli(['status', workflowId, '--json'], temporal);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout).result, [date]);
      const text = await cli(['status', workflowId], temporal);
      assert.equal(text.code, 0, text.stderr);
      assert.deepEqual(text.stdout.trimEnd().split('\n').slice(1), [
        `${DAY}  2000 users  gold version ${date.goldVersion}  ${date.topBuyers} top buyers  (score-users-${DAY})`,
      ]);
    });

    it('status of a terminated and of a timed-out run: Terminated with the reason, RunTimedOut; exit 1', async function () {
      // Started on a task queue no worker polls, so they end only by the terminate and the timeout.
      const start = (workflowId: string, workflowExecutionTimeout?: string) => world.env.client.workflow.start('scoreUsers', {
        taskQueue: `${TASK_QUEUE}-nobody`, workflowId, args: [{ scoreDate: DAY }], workflowExecutionTimeout,
      });
      const terminated = await start(`terminated-${DAY}`);
      await terminated.terminate('wrong model, stopped by hand');
      const timedOut = await start(`timed-out-${DAY}`, '1s');
      await timedOut.result().catch(() => undefined);

      const t = await cli(['status', `terminated-${DAY}`, '--json'], temporal);
      assert.equal(t.code, 1, t.stderr);
      const tShown = JSON.parse(t.stdout);
      assert.equal(tShown.status, 'TERMINATED');
      assert.equal(tShown.failure.code, 'Terminated');
      assert.equal(tShown.failure.message, 'wrong model, stopped by hand');
      assert.equal(tShown.failure.activity, undefined);

      const o = await cli(['status', `timed-out-${DAY}`], temporal);
      assert.equal(o.code, 1, o.stderr);
      assert.match(o.stdout, new RegExp(`^timed-out-${DAY} \\(run [0-9a-f-]{36}\\): TIMED_OUT\\n {2}code {4}RunTimedOut\\n`));
      assert.match(o.stdout, /\n {2}next {4}the run went over its execution timeout/);
    });

    it('status of a running run shows the last failure of an activity waiting to be retried, exit 0', async function () {
      // The real workflow on a task queue of its own, whose resolveModel meets a registry that does not answer
      // (retryable) on every attempt: the run stays running, retrying.
      const taskQueue = `${TASK_QUEUE}-registry-down`;
      const worker = await Worker.create({
        connection: world.env.nativeConnection, taskQueue, workflowBundle: await workflowBundle(),
        activities: {
          resolveModel: () => classified(async () => {
            throw new BatchScoreError('RegistryUnavailable', 'MLflow registry http://mlflow.internal:5000 did not answer (ECONNREFUSED)');
          }),
        },
      });
      const running = worker.run();
      const workflowId = `registry-down-${DAY}`;
      try {
        const handle = await world.env.client.workflow.start('scoreUsers', { taskQueue, workflowId, args: [{ scoreDate: DAY }] });
        while (!(await handle.describe()).raw.pendingActivities?.[0]?.lastFailure) await new Promise((r) => setTimeout(r, 200));

        const r = await cli(['status', workflowId, '--json'], temporal);
        assert.equal(r.code, 0, r.stderr);
        const shown = JSON.parse(r.stdout);
        assert.equal(shown.status, 'RUNNING');
        assert.equal(shown.progress.stage, 'resolving-model');
        assert.equal(shown.retrying.length, 1);
        const { attempt, ...rest } = shown.retrying[0] as RunFailure;
        assert.ok(Number.isInteger(attempt) && attempt! >= 1, `attempt ${attempt}`);
        assert.deepEqual(rest, {
          code: 'RegistryUnavailable', message: 'MLflow registry http://mlflow.internal:5000 did not answer (ECONNREFUSED)',
          activity: 'resolveModel', retryable: true, hint: ERROR_CODES.RegistryUnavailable.hint, workflowId, runId: handle.firstExecutionRunId,
        });

        const text = await cli(['status', workflowId], temporal);
        assert.equal(text.code, 0, text.stderr);
        const lines = text.stdout.trimEnd().split('\n');
        assert.equal(lines[2], 'retrying resolveModel, whose last attempt failed:');
        assert.equal(lines[3], '  code    RegistryUnavailable');
        assert.match(lines[5], /^ {2}where {3}activity resolveModel, attempt \d+ of registry-down-/);
        await handle.terminate('test over');
      } finally {
        worker.shutdown();
        await running;
      }
    });

    it('status of a workflow that does not exist says so, exit 1', async function () {
      const r = await cli(['status', 'score-users-1999-01-01'], temporal);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim(), 'batch-score status: no workflow score-users-1999-01-01');
    });
  });
});
