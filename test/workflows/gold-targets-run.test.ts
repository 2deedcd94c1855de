/**
 * Where a run publishes, on a real Temporal server: bad Gold targets and table paths are refused at planning
 * (no unit is scheduled, nothing is staged, no table changes), relative paths land under the data root, an
 * allowed root works, and when top_buyers cannot be published after the Gold commit, that commit is undone by a
 * new commit and the run fails naming the top_buyers problem.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { createTable, openTable, replacePartition, scanTable, StructType, tableHistory, writeDataFile } from '../../delta';
import { generateSilver, trainDemoModel } from '../../demo';
import { dataLayout, DataLayout } from '../../config';
import type { ScoreUsersInput, ScoreUsersProgress, ScoreUsersResult } from '../../workflows/score-users';
import { TASK_QUEUE } from '../../config';
import { RunningWorkers, startLocalServer, startWorkers } from '../support/temporal';

const USERS = 2_000;
const DAY = '2026-11-23';

/** Another team's table at a Gold path: partitioned by score_date like Gold, with its own columns. */
const FOREIGN: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: true, metadata: {} },
    { name: 'segment', type: 'string', nullable: true, metadata: {} },
    { name: 'score_date', type: 'date', nullable: true, metadata: {} },
  ],
};

async function foreignTable(table: string): Promise<void> {
  const add = await writeDataFile(table, {
    schema: FOREIGN, partitionColumns: ['score_date'], partitionValues: { score_date: DAY },
    batch: { numRows: 3, columns: { user_id: [1n, 2n, 3n], segment: ['a', 'b', 'c'] } },
  });
  await replacePartition(table, { score_date: DAY }, [add], { createWith: { schema: FOREIGN, partitionColumns: ['score_date'] } });
}

async function partitionRows(table: string): Promise<string[]> {
  const rows: string[] = [];
  for await (const b of scanTable(await openTable(table), { partition: { score_date: DAY }, columns: ['user_id', 'purchase_probability', 'run_id'] })) {
    for (let i = 0; i < b.numRows; i++) rows.push(`${b.columns.user_id[i]}:${b.columns.purchase_probability[i]}:${b.columns.run_id[i]}`);
  }
  return rows.sort();
}

async function tableState(table: string) {
  const s = await openTable(table);
  return { version: s.version, files: s.files().map((f) => f.path).sort() };
}

/** Every file under a folder with its content, to prove a refused run touched nothing. */
function folderContent(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out[path.relative(dir, path.join(e.parentPath, e.name))] = fs.readFileSync(path.join(e.parentPath, e.name), 'base64');
  }
  return out;
}

/** The failure of `code` in the chain, asserting it is non-retryable and names each of `named`. */
function failedWith(code: string, ...named: string[]) {
  return (err: unknown) => {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    let cause = err.cause as (Error & { type?: string; nonRetryable?: boolean }) | undefined;
    while (cause && cause.type !== code) cause = cause.cause as typeof cause;
    assert.ok(cause, `no ${code} in the failure chain of ${err.message}: ${err.cause?.message} / ${(err.cause?.cause as Error | undefined)?.message}`);
    assert.equal(cause.nonRetryable, true);
    for (const n of named) assert.ok(cause.message.includes(n), `${JSON.stringify(n)} not in: ${cause.message}`);
    return true;
  };
}

describe('Gold targets and table locations on a real Temporal server', function () {
  let env: TestWorkflowEnvironment;
  let orchestration: RunningWorkers;
  let scoring: RunningWorkers | undefined;
  let dir: string;
  let root: string;
  let lake: string;
  let data: DataLayout;

  const startScoring = async () => {
    scoring = await startWorkers(env, { dataDir: root, role: 'scoring', concurrency: 1 });
  };
  const start = (input: ScoreUsersInput) =>
    env.client.workflow.start('scoreUsers', {
      taskQueue: TASK_QUEUE, workflowId: `score-users-${DAY}-${Math.random().toString(36).slice(2, 8)}`,
      args: [{ scoreDate: DAY, unitRows: 1_000, ...input }],
    });
  const score = async (input: ScoreUsersInput) => (await start(input)).result() as Promise<ScoreUsersResult>;

  /** Runs `input`, expects it to fail at planning with `code`, and checks that no unit was ever scheduled. */
  async function refusedAtPlanning(input: ScoreUsersInput, code: string, ...named: string[]): Promise<void> {
    const handle = await start(input);
    await assert.rejects(handle.result(), failedWith(code, ...named));
    const { events } = await handle.fetchHistory();
    const activities = (events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    assert.deepEqual(activities, ['resolveModel', 'planUnits']);
  }

  before(async function () {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-targets-run-')));
    root = path.join(dir, 'data');
    lake = path.join(dir, 'lake');
    data = dataLayout(root);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: USERS, seed: 11, snapshotDate: DAY, fileRows: 1_000 });
    await trainDemoModel({ silverPath: data.silverFeatures, labelsPath: data.silverLabels, snapshotDate: DAY, registryDir: data.models });
    env = await startLocalServer();
    orchestration = await startWorkers(env, { dataDir: root, role: 'orchestration', allowedRoots: [lake] });
    await startScoring();
  });

  after(async function () {
    await scoring?.stop();
    await orchestration?.stop();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a relative Gold path lands under the data root, not the worker\'s working directory', async function () {
    const r = await score({ goldTable: 'gold/relative_predictions', topBuyersTable: 'gold/relative_top_buyers' });
    assert.equal(r.goldTable, path.join(root, 'gold', 'relative_predictions'));
    assert.equal(r.topBuyersTable, path.join(root, 'gold', 'relative_top_buyers'));
    assert.equal((await openTable(r.goldTable)).numRecords({ score_date: DAY }), USERS);
    assert.equal(fs.existsSync(path.resolve('gold', 'relative_predictions')), false);
  });

  it('a table path outside the data root is refused (TableOutsideDataRoot) and nothing is created there', async function () {
    const outside = path.join(dir, 'elsewhere', 'purchase_predictions');
    await refusedAtPlanning({ goldTable: outside }, 'TableOutsideDataRoot', `table path ${outside}`, `data root ${root}`);
    await refusedAtPlanning({ silverTable: '../../etc' }, 'TableOutsideDataRoot', 'table path ../../etc');
    assert.equal(fs.existsSync(path.join(dir, 'elsewhere')), false);
  });

  it('a root allowed on the workers (allowedRoots, BATCH_SCORE_ALLOWED_ROOTS) works', async function () {
    const goldTable = path.join(lake, 'gold', 'purchase_predictions');
    const r = await score({ goldTable, topBuyersTable: path.join(lake, 'gold', 'top_buyers') });
    assert.equal(r.goldTable, goldTable);
    assert.equal((await openTable(goldTable)).numRecords({ score_date: DAY }), USERS);
  });

  it('a Gold path holding a Delta table with other columns fails GoldSchemaMismatch before scoring; the table is unchanged', async function () {
    const goldTable = path.join(root, 'gold', 'segments');
    await foreignTable(goldTable);
    const before = await tableState(goldTable);
    await refusedAtPlanning({ goldTable }, 'GoldSchemaMismatch',
      `Gold table purchase_predictions at ${goldTable}`, 'missing columns purchase_probability (double)', 'extra columns segment (string)', 'column user_id is long, wanted long not null');
    assert.deepEqual(await tableState(goldTable), before);
    assert.deepEqual(fs.readdirSync(path.join(goldTable, `score_date=${DAY}`)).length, 1, 'no file staged into it');
  });

  it('a top_buyers path that is a regular file fails TargetNotDelta before scoring; Gold is unchanged', async function () {
    const goldTable = path.join(root, 'gold', 'relative_predictions');
    const topBuyersTable = path.join(root, 'gold', 'top_buyers.csv');
    fs.writeFileSync(topBuyersTable, 'rank,user_id\n1,42\n');
    const before = await tableState(goldTable);
    const rows = await partitionRows(goldTable);
    await refusedAtPlanning({ goldTable, topBuyersTable }, 'TargetNotDelta', `Gold table top_buyers path ${topBuyersTable} is a file`);
    assert.deepEqual(await tableState(goldTable), before);
    assert.deepEqual(await partitionRows(goldTable), rows);
    assert.equal(fs.readFileSync(topBuyersTable, 'utf8'), 'rank,user_id\n1,42\n');
  });

  it('a non-empty folder that is not a Delta table, as Gold, fails TargetNotDelta and its files are untouched', async function () {
    const goldTable = path.join(root, 'exports');
    fs.mkdirSync(path.join(goldTable, 'old'), { recursive: true });
    fs.writeFileSync(path.join(goldTable, 'notes.txt'), 'quarterly numbers');
    fs.writeFileSync(path.join(goldTable, 'users.csv'), 'user_id\n1\n');
    fs.writeFileSync(path.join(goldTable, 'old', 'users.csv'), 'user_id\n2\n');
    const before = folderContent(goldTable);
    await refusedAtPlanning({ goldTable }, 'TargetNotDelta', `path ${goldTable} is a folder that is not empty`, 'notes.txt', 'old/', 'users.csv');
    assert.deepEqual(folderContent(goldTable), before);
    assert.deepEqual(fs.readdirSync(goldTable).sort(), ['notes.txt', 'old', 'users.csv']);
  });

  /** Starts a run with no scoring worker, so it plans and waits; `meanwhile` changes the tables; then it scores. */
  async function runInterrupted(input: ScoreUsersInput, meanwhile: () => Promise<void>) {
    await scoring?.stop();
    scoring = undefined;
    const handle = await start(input);
    for (let i = 0; ; i++) {
      const progress = await handle.query<ScoreUsersProgress>('progress').catch(() => undefined);
      if (progress?.stage === 'scoring') break;
      assert.ok(i < 600, `the run did not reach scoring: ${JSON.stringify(progress)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await meanwhile();
    await startScoring();
    return handle;
  }

  it('top_buyers replaced by an incompatible table after planning: the Gold commit is undone, the run fails naming top_buyers', async function () {
    const goldTable = path.join(root, 'gold', 'relative_predictions');
    const topBuyersTable = path.join(root, 'gold', 'swapped_top_buyers');
    const before = await tableState(goldTable);
    const rows = await partitionRows(goldTable);
    // top_buyers is absent at planning (accepted), and another team's table when the run gets to it.
    const handle = await runInterrupted({ goldTable, topBuyersTable }, () => foreignTable(topBuyersTable));
    const topBefore = await tableState(topBuyersTable);
    await assert.rejects(handle.result(), failedWith('GoldSchemaMismatch', `Gold table top_buyers at ${topBuyersTable}`, 'missing columns rank (integer)'));

    const after = await openTable(goldTable);
    assert.equal(after.version, before.version + 2, 'the run\'s commit, then the commit undoing it');
    assert.deepEqual((await tableState(goldTable)).files, before.files);
    assert.deepEqual(await partitionRows(goldTable), rows);
    const [undo, commit] = await tableHistory(goldTable, { limit: 2 });
    const { runId } = await handle.describe();
    assert.equal((commit.commitInfo.batchScore as { runId: string }).runId, runId);
    assert.deepEqual((undo.commitInfo.batchScore as { undoes: number; runId: string }).undoes, before.version + 1);
    assert.match(String((undo.commitInfo.batchScore as { reason: string }).reason), /Gold table top_buyers/);
    assert.deepEqual(await tableState(topBuyersTable), topBefore);
  });

  it('when the undo itself is impossible (previous files deleted), the run fails with the top_buyers error and says Gold was not restored', async function () {
    const goldTable = path.join(root, 'gold', 'doomed_predictions');
    await score({ goldTable, topBuyersTable: path.join(root, 'gold', 'doomed_top_buyers') });
    const before = await tableState(goldTable);
    const topBuyersTable = path.join(root, 'gold', 'doomed_swapped');
    const handle = await runInterrupted({ goldTable, topBuyersTable }, async () => {
      await foreignTable(topBuyersTable);
      for (const f of before.files) fs.rmSync(path.join(goldTable, decodeURIComponent(f))); // as a vacuum gone wrong would
    });
    await assert.rejects(handle.result(), failedWith('GoldSchemaMismatch',
      `Gold table top_buyers at ${topBuyersTable}`, "this run's Gold commit could not be undone",
      `${before.files.length} of the ${before.files.length} files it had at version ${before.version} were deleted (vacuumed?)`));
    assert.equal((await openTable(goldTable)).version, before.version + 1, 'the run\'s commit stays: nothing to restore it with');
  });
});
