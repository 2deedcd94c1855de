/**
 * The top-buyers rule as the README promises it, through real workflow runs: the published list must be exactly
 * the brute-force reference's (full sort) over the run's own Gold predictions. The selection merges the
 * candidates the scoring units recorded in the run's manifest (inline, or staged as files when they could be
 * many) and never reads Gold again; history carries none of them; a unit that finished on its second attempt
 * hands on its candidates once, and the staged candidate files are gone when the run ends. A candidate file lost
 * before the selection fails the run with StagedFileInvalid naming it, and Gold is given back its previous files;
 * a unit that recorded no candidates (a worker of an earlier version) fails the run before the Gold commit. The rule with ties, at the pipeline level:
 * test/pipeline/top-buyers.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createActivities, ScoreUnitInput, SelectTopBuyersInput, UnitCounts } from '../../activities';
import { DataLayout, SCORING_TASK_QUEUE, TASK_QUEUE } from '../../config';
import { openTable } from '../../delta';
import { candidatePlan } from '../../pipeline/candidate-plan';
import { readUnitResult, writeUnitResult } from '../../pipeline/run-manifest';
import { candidateFilePath } from '../../pipeline/top-candidates';
import type { TopBuyersRule } from '../../pipeline/top-buyers-rule';
import { activityDeps } from '../../workers/activity-deps';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { expectedTopBuyers } from '../support/reference';
import { partitionRows } from '../support/tables';
import { PipelineServer, RunningWorkers, startPipelineServer, startWorkers } from '../support/temporal';

const DAY = '2026-11-23';
const USERS = 2_000;
const UNIT_ROWS = 500;

/** The activity inputs and results of a run, decoded from its history (JSON payloads), and their sizes. */
async function historyOf(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const decode = (p?: { data?: Uint8Array | null } | null) => JSON.parse(Buffer.from(p!.data!).toString());
  const scheduled = new Map(events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes!]));
  const inputOf = (name: string) => [...scheduled.values()].filter((a) => a.activityType?.name === name).map((a) => decode(a.input!.payloads![0]));
  const resultsOf = (name: string) => events
    .filter((e) => scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId))?.activityType?.name === name)
    .map((e) => decode(e.activityTaskCompletedEventAttributes!.result!.payloads![0]));
  const largestPayload = Math.max(...events.flatMap((e) => [
    ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []), ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
  ]).map((p) => p.data?.length ?? 0));
  return { events, inputOf, resultsOf, largestPayload };
}

/** The application failure a run failed with (the innermost one, through child and activity failures). */
async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const err = await handle.result().then(() => assert.fail('the run succeeded'), (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, String(err));
  let cause: unknown = err.cause;
  while (cause instanceof Error && !(cause instanceof ApplicationFailure) && cause.cause) cause = cause.cause;
  assert.ok(cause instanceof ApplicationFailure, String(cause));
  return cause;
}

/** Runs scoreUsers with `rule`; checks the published list is the brute-force list over the run's Gold rows. */
async function runAndCheck(server: { env: PipelineServer['env']; data: DataLayout }, workflowId: string, rule: TopBuyersRule) {
  const { env, data } = server;
  const handle = await env.client.workflow.start('scoreUsers', {
    taskQueue: TASK_QUEUE, workflowId, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, topBuyers: rule }],
  });
  const result = (await handle.result()) as ScoreUsersResult;
  const gold = (await partitionRows(data.goldPredictions, { score_date: DAY }, { version: result.goldVersion, columns: ['user_id', 'purchase_probability'] }))
    .map((r) => ({ user_id: Number(r.user_id), purchase_probability: Number(r.purchase_probability) }));
  assert.equal(gold.length, USERS);
  const expected = expectedTopBuyers(gold, rule);
  const published = (await partitionRows(data.goldTopBuyers, { score_date: DAY }, { version: result.topBuyersVersion }))
    .sort((a, b) => Number(a.rank) - Number(b.rank));
  assert.deepEqual(
    published.map((r) => [Number(r.rank), Number(r.user_id), Number(r.purchase_probability), r.run_id]),
    expected.map((r, i) => [i + 1, r.user_id, r.purchase_probability, result.runId]),
  );
  assert.equal(result.topBuyers.count, expected.length);
  assert.equal(result.topBuyers.scoredUsers, USERS);
  // Nothing of the run is left in the top_buyers folder but its published file: the candidate files are gone.
  const folder = path.join(data.goldTopBuyers, `score_date=${DAY}`);
  assert.deepEqual(fs.readdirSync(folder).filter((n) => n.includes(result.runId)), [`part-00000-${result.runId}.c000.parquet`]);
  return { handle, result, expected, history: await historyOf(handle) };
}

describe('top buyers: workflow runs', function () {
  this.timeout(120_000);
  let server: PipelineServer;

  before(async function () {
    server = await startPipelineServer('top-buyers-run', [{ users: USERS, seed: 9, snapshotDate: DAY, fileRows: 500 }]);
  });

  after(async function () {
    await server?.stop();
  });

  it('topBuyers.limit: candidates inline in the manifest, none in history; the list is exactly the reference, cut at the limit', async function () {
    const rule = { fraction: 0.5, minProbability: 0, limit: 25 };
    const { expected, history } = await runAndCheck(server, `score-users-${DAY}`, rule);
    assert.equal(expected.length, 25);
    assert.equal(candidatePlan(rule, USERS, USERS / UNIT_ROWS).delivery, 'inline');
    // History carries counts only: the candidates are in the run's manifest, which the selection reads.
    const units = history.resultsOf('scoreUnit') as UnitCounts[];
    assert.equal(units.length, USERS / UNIT_ROWS);
    for (const u of units) assert.deepEqual(Object.keys(u).sort(), ['rows', 'skipped', 'unitIndex']);
    const [select] = history.inputOf('selectTopBuyers') as SelectTopBuyersInput[];
    assert.equal(select.unitCount, USERS / UNIT_ROWS);
    assert.equal(select.scoredUsers, USERS);
    assert.ok(!('candidates' in select));
  });

  it('a rule that could keep many: each unit stages its candidates in a file of its attempt, the selection reads those, and they are removed', async function () {
    const rule = { fraction: 0.3, minProbability: 0 }; // 600 per unit could qualify: 2,400 > the inline budget
    const { expected, history } = await runAndCheck(server, `score-users-${DAY}-staged`, rule);
    assert.equal(expected.length, 600);
    assert.equal(candidatePlan(rule, USERS, USERS / UNIT_ROWS).delivery, 'staged');
    assert.ok(history.largestPayload < 16_000, `largest payload ${history.largestPayload} bytes`);
  });
});

describe('top buyers: a unit that finished on its second attempt', function () {
  this.timeout(120_000);
  let server: PipelineServer;
  let scoring: Worker;
  let orchestration: RunningWorkers;
  let scoringDone: Promise<void>;
  /** How each run's units delivered their candidates, as recorded in the manifest (read by the wrapper below). */
  const deliveries = new Map<string, Set<string>>();

  before(async function () {
    // Orchestration workers as usual; the only scoring worker loses unit 1's result once, after the unit staged
    // its Gold file and its candidates (a worker that died after the work, before reporting it). In runs whose id
    // ends with -lost, unit 2's staged candidate file disappears from storage after the unit reported it; in runs
    // whose id ends with -old-worker, unit 3 reports no candidates (as a worker of an earlier version would).
    server = await startPipelineServer('top-buyers-retried', [{ users: USERS, seed: 5, snapshotDate: DAY, fileRows: 500 }]);
    await server.workers.stop();
    orchestration = await startWorkers(server.env, { dataDir: server.dir, role: 'orchestration' });
    const { scoreUnit } = createActivities(activityDeps({ dataDir: server.dir }));
    scoring = await Worker.create({
      connection: server.env.nativeConnection, taskQueue: SCORING_TASK_QUEUE, activities: {
        async scoreUnit(input: ScoreUnitInput) {
          const result = await scoreUnit(input);
          const { attempt } = Context.current().info;
          const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
          if (input.unitIndex === 1 && attempt === 1) throw ApplicationFailure.retryable('injected: the result of unit 1 was lost', 'Io');
          const recorded = (await readUnitResult(input.goldTable, input.runId, input.unitIndex))!;
          deliveries.set(workflowId, (deliveries.get(workflowId) ?? new Set()).add(recorded.candidates?.delivery ?? 'none'));
          if (input.unitIndex === 2 && workflowId.endsWith('-lost') && recorded.candidates?.delivery === 'staged') {
            fs.rmSync(path.join(server.data.goldTopBuyers, candidateFilePath(DAY, input.runId, 2, recorded.candidates.attempt)));
          }
          if (workflowId.endsWith('-old-worker') && input.unitIndex === 3) await writeUnitResult(input.goldTable, input.runId, { ...recorded, candidates: undefined });
          return result;
        },
      },
    });
    scoringDone = scoring.run();
  });

  after(async function () {
    scoring?.shutdown();
    await scoringDone;
    await orchestration?.stop();
    await server?.stop();
  });

  for (const [delivery, rule] of [['staged', { fraction: 1, minProbability: 0 }], ['inline', { fraction: 1, minProbability: 0, limit: 10 }]] as const) {
    it(`${delivery}: the retried unit's candidates count once (every user a candidate: a duplicate would show)`, async function () {
      const { history, expected, result } = await runAndCheck(server, `score-users-${DAY}-retried-${delivery}`, rule);
      assert.equal(expected.length, rule.limit ?? USERS);
      const started = history.events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      assert.ok(started.includes(2), `attempts: ${started.join(',')}`);
      assert.deepEqual([...deliveries.get(`score-users-${DAY}-retried-${delivery}`)!], [delivery]);
      // The failed attempt's Gold file was removed by the commit, its candidate file by the run's end.
      const goldFolder = path.join(server.data.goldPredictions, `score_date=${DAY}`);
      assert.deepEqual(fs.readdirSync(goldFolder).filter((n) => n.includes(result.runId)).length, USERS / UNIT_ROWS);
    });
  }

  it('a staged candidate file lost before the selection fails the run with StagedFileInvalid naming it; Gold gets its previous files back', async function () {
    const { env, data } = server;
    const partition = { score_date: DAY };
    const goldSnapshot = await openTable(data.goldPredictions);
    const goldBefore = goldSnapshot.files(partition).map((f) => f.path).sort();
    const topBefore = await openTable(data.goldTopBuyers);
    assert.ok(goldBefore.length > 0, 'an earlier run published the date');
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-lost`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, topBuyers: { fraction: 1, minProbability: 0 } }],
    });
    const cause = await failureOf(handle);
    assert.equal(cause.type, 'StagedFileInvalid');
    const lost = `score_date=${DAY}/part-00002-${handle.firstExecutionRunId}-attempt-1.top-candidates.parquet`;
    assert.match(cause.message, new RegExp(`^top-buyer candidates ${lost.replace(/\./g, '\\.')} of unit 2 in ${data.goldTopBuyers}: .*missing`));
    // Gold's partition holds exactly the files it had (the undo commit; the undone files stay on storage for time
    // travel until a vacuum), top_buyers is untouched and holds no file of the run.
    const goldAfter = await openTable(data.goldPredictions);
    assert.deepEqual(goldAfter.files(partition).map((f) => f.path).sort(), goldBefore);
    assert.equal((await openTable(data.goldTopBuyers)).version, topBefore.version);
    assert.equal(goldAfter.version, goldSnapshot.version + 2, 'the run\'s commit and its undo');
    assert.deepEqual(fs.readdirSync(path.join(data.goldTopBuyers, `score_date=${DAY}`)).filter((n) => n.includes(handle.firstExecutionRunId)), []);
  });

  it('a unit that recorded no candidates (a worker of an earlier version) fails the run before the Gold commit', async function () {
    const { env, data } = server;
    const goldVersion = (await openTable(data.goldPredictions)).version;
    const topVersion = (await openTable(data.goldTopBuyers)).version;
    const handle = await env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-old-worker`, args: [{ scoreDate: DAY, unitRows: UNIT_ROWS, topBuyers: { fraction: 0.5, minProbability: 0 } }],
    });
    const cause = await failureOf(handle);
    assert.equal(cause.type, 'StagedFileInvalid');
    assert.equal(cause.message, `unit 3 of run ${handle.firstExecutionRunId} recorded no top-buyer candidates (scored by another batch-score version?): re-run the date`);
    assert.equal((await openTable(data.goldPredictions)).version, goldVersion);
    assert.equal((await openTable(data.goldTopBuyers)).version, topVersion);
    for (const table of [data.goldPredictions, data.goldTopBuyers]) {
      assert.deepEqual(fs.readdirSync(path.join(table, `score_date=${DAY}`)).filter((n) => n.includes(handle.firstExecutionRunId)), []);
    }
  });
});
