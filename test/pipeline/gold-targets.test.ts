/**
 * Where a run may publish, without a server: table paths resolve under the data root and cannot leave it (nor an
 * allowed root) by an absolute path, `..` or a symlink; Gold targets are refused before anything is scored unless
 * absent, empty or a Delta table of the contract; and a Gold commit is undone by a new commit that gives the
 * partition back exactly its previous files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTable, openTable, replacePartition, scanTable, StructType, vacuumTable } from '../../delta';
import { tableLocation, tableRoots } from '../../pipeline/table-locations';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { PREDICTIONS_SCHEMA, PREDICTIONS_TABLE, TOP_BUYERS_TABLE } from '../../pipeline/gold-schemas';
import { checkGoldTarget, checkGoldTargets } from '../../pipeline/gold-targets';
import { restoreGoldPartition } from '../../pipeline/gold-restore';

const DAY = '2026-11-23';
const MODEL = { uri: 'models:/m@champion', name: 'm', version: '3', sha256: 'ab'.repeat(32) };

function coded(code: string, ...named: string[]) {
  return (err: Error & { code?: string; retryable?: boolean }) => {
    assert.equal(err.code, code, err.message);
    assert.equal(err.retryable, false);
    for (const n of named) assert.ok(err.message.includes(n), `${JSON.stringify(n)} not in: ${err.message}`);
    return true;
  };
}

describe('table locations', function () {
  let dir: string;
  let root: string;
  before(function () {
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-locations-')));
    root = path.join(dir, 'data');
    fs.mkdirSync(path.join(root, 'gold'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'lake', 'gold'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'lake'), path.join(root, 'lake-link'));
    fs.symlinkSync(root, path.join(dir, 'lake', 'back-to-data'));
  });
  after(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves a relative path against the data root, not the working directory', function () {
    assert.equal(tableLocation('gold/my_predictions', { dataRoot: root, allowed: [] }), path.join(root, 'gold', 'my_predictions'));
    assert.equal(tableLocation(path.join(root, 'gold', 'x'), { dataRoot: root, allowed: [] }), path.join(root, 'gold', 'x'));
  });

  it('refuses paths outside the data root: absolute, `..`, and a symlink leading out', function () {
    const roots = { dataRoot: root, allowed: [] };
    assert.throws(() => tableLocation('/etc', roots), coded('TableOutsideDataRoot', 'table path /etc', `data root ${root}`));
    assert.throws(() => tableLocation('/etc/cron.d/gold', roots), coded('TableOutsideDataRoot', '/etc/cron.d/gold'));
    assert.throws(() => tableLocation('../lake/gold', roots), coded('TableOutsideDataRoot', '../lake/gold'));
    assert.throws(() => tableLocation('gold/../../lake/gold', roots), coded('TableOutsideDataRoot'));
    assert.throws(() => tableLocation('lake-link/gold/t', roots), coded('TableOutsideDataRoot', 'lake-link/gold/t', `it leads to ${path.join(dir, 'lake', 'gold', 't')}`));
  });

  it('accepts an allowed root (and a symlink into the data root from it), and nothing beyond it', function () {
    const roots = { dataRoot: root, allowed: [path.join(dir, 'lake')] };
    assert.equal(tableLocation(path.join(dir, 'lake', 'gold', 't'), roots), path.join(dir, 'lake', 'gold', 't'));
    assert.equal(tableLocation('lake-link/gold/t', roots), path.join(root, 'lake-link', 'gold', 't'));
    assert.equal(tableLocation(path.join(dir, 'lake', 'back-to-data', 'gold'), roots), path.join(dir, 'lake', 'back-to-data', 'gold'));
    assert.throws(() => tableLocation(path.join(dir, 'lake', '..', 'elsewhere'), roots), coded('TableOutsideDataRoot', 'or the allowed roots'));
    assert.throws(() => tableLocation(path.join(dir, 'lakehouse', 't'), roots), coded('TableOutsideDataRoot'));
  });
});

describe('table locations on S3', function () {
  const roots = tableRoots('/srv/data', ['/srv/lake', 'S3://lake/batch-score/', 's3://scratch']);
  const coded = (code: string, ...named: string[]) => (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    for (const n of named) assert.ok(err.message.includes(n), `${JSON.stringify(n)} not in: ${err.message}`);
    return true;
  };

  it('accepts s3:// tables under an S3 allowed root (or the root itself), normalized', function () {
    assert.deepEqual(roots.allowed, ['/srv/lake', 's3://lake/batch-score', 's3://scratch']);
    assert.equal(tableLocation('s3://lake/batch-score/gold/purchase_predictions/', roots), 's3://lake/batch-score/gold/purchase_predictions');
    assert.equal(tableLocation('S3://lake/batch-score', roots), 's3://lake/batch-score');
    assert.equal(tableLocation('s3://scratch/any/where', roots), 's3://scratch/any/where');
  });

  it('refuses an s3:// table outside every S3 allowed root, naming it and the roots', function () {
    assert.throws(() => tableLocation('s3://lake/batch-scorer/gold', roots), coded('TableOutsideDataRoot', 'table location s3://lake/batch-scorer/gold', 'allowed roots /srv/lake, s3://lake/batch-score, s3://scratch'));
    assert.throws(() => tableLocation('s3://other/batch-score/gold', roots), coded('TableOutsideDataRoot', 's3://other/batch-score/gold'));
    assert.throws(() => tableLocation('s3://lake/gold', tableRoots('/srv/data', [])), coded('TableOutsideDataRoot', 's3://lake/gold', 'BATCH_SCORE_ALLOWED_ROOTS'));
    // A local allowed root never lets an S3 location in, nor an S3 root a local path.
    assert.throws(() => tableLocation('/srv/other', roots), coded('TableOutsideDataRoot', '/srv/other'));
  });

  it("refuses '..', '.' and empty segments (S3 keys are not resolved) and credentials, without echoing them", function () {
    assert.throws(() => tableLocation('s3://lake/batch-score/../secret/gold', roots), coded('InvalidInput', "'..'"));
    assert.throws(() => tableLocation('s3://lake/batch-score//gold', roots), coded('InvalidInput', 'empty'));
    assert.throws(() => tableLocation('s3://Lake_Bucket/x', roots), coded('InvalidInput', 'not an S3 bucket name'));
    assert.throws(
      () => tableLocation('s3://AKIAEXAMPLE:wJalr/XUtnFEMI@lake/batch-score/gold', roots),
      (err: Error & { code?: string }) => err.code === 'InvalidInput' && !/AKIAEXAMPLE|wJalr|XUtnFEMI/.test(err.message) && /credentials/.test(err.message),
    );
  });
});

describe('Gold targets checked before scoring', function () {
  let dir: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-targets-'));
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const targets = () => ({ goldTable: path.join(dir, 'gold', 'purchase_predictions'), topBuyersTable: path.join(dir, 'gold', 'top_buyers'), scoreDate: DAY });

  it('accepts absent tables, empty folders, files staged by a run that never committed, and tables of the contract', async function () {
    const t = targets();
    await checkGoldTargets(t);
    fs.mkdirSync(t.goldTable, { recursive: true });
    await stagePredictions({
      goldTable: t.goldTable, scoreDate: DAY, runId: 'failed-run', unitIndex: 0, attempt: 1, model: MODEL, scoredAt: new Date(), threshold: 0.5,
      scored: { userIds: BigInt64Array.of(1n), probabilities: Float64Array.of(0.5) },
    });
    await createTable(t.topBuyersTable, TOP_BUYERS_TABLE);
    await checkGoldTargets(t);
  });

  it('refuses a regular file (TargetNotDelta, naming the path)', async function () {
    const t = targets();
    fs.mkdirSync(path.dirname(t.topBuyersTable), { recursive: true });
    fs.writeFileSync(t.topBuyersTable, 'id,rank\n');
    await assert.rejects(checkGoldTargets(t), coded('TargetNotDelta', `Gold table top_buyers path ${t.topBuyersTable} is a file`));
  });

  it('refuses a non-empty folder without a Delta table, naming a few of its entries', async function () {
    const t = targets();
    fs.mkdirSync(path.join(t.goldTable, 'archive'), { recursive: true });
    fs.writeFileSync(path.join(t.goldTable, 'archive', 'old.csv'), 'x');
    for (const f of ['a.csv', 'b.csv', 'c.csv', 'd.csv', 'e.csv', 'notes.txt']) fs.writeFileSync(path.join(t.goldTable, f), 'x');
    await assert.rejects(checkGoldTargets(t), coded('TargetNotDelta', `Gold table purchase_predictions path ${t.goldTable}`, 'a.csv, archive/, b.csv, c.csv, d.csv, ...'));
  });

  it('refuses a Delta table with other columns or partitioning, naming missing, extra and mistyped columns', async function () {
    const t = targets();
    const schema: StructType = {
      type: 'struct',
      fields: [
        ...PREDICTIONS_SCHEMA.fields.filter((f) => f.name !== 'predicted_buyer' && f.name !== 'purchase_probability'),
        { name: 'purchase_probability', type: 'float', nullable: true, metadata: {} },
        { name: 'segment', type: 'string', nullable: true, metadata: {} },
      ],
    };
    await createTable(t.goldTable, { schema, partitionColumns: ['model_name'] });
    await assert.rejects(checkGoldTargets(t), coded('GoldSchemaMismatch',
      `Gold table purchase_predictions at ${t.goldTable} (version 0)`,
      'missing columns predicted_buyer (boolean)', 'extra columns segment (string)',
      'column purchase_probability is float, wanted double', 'partitioned by [model_name], wanted [score_date]'));
    // the same check for top_buyers: its contract, not the predictions'
    await createTable(t.topBuyersTable, PREDICTIONS_TABLE);
    await assert.rejects(checkGoldTarget(t.topBuyersTable, TOP_BUYERS_TABLE, DAY), coded('GoldSchemaMismatch', 'Gold table top_buyers', 'missing columns rank (integer)', 'extra columns predicted_buyer'));
  });

  it('refuses an append-only table whose partition of the date has files', async function () {
    const t = targets();
    await createTable(t.goldTable, { ...PREDICTIONS_TABLE, configuration: { 'delta.appendOnly': 'true' } });
    await checkGoldTargets(t); // nothing to replace yet
    const add = await stagePredictions({
      goldTable: t.goldTable, scoreDate: DAY, runId: 'r', unitIndex: 0, attempt: 1, model: MODEL, scoredAt: new Date(), threshold: 0.5,
      scored: { userIds: BigInt64Array.of(1n), probabilities: Float64Array.of(0.5) },
    });
    await replacePartition(t.goldTable, { score_date: DAY }, [add]);
    await assert.rejects(checkGoldTargets(t), coded('AppendOnly', 'purchase_predictions', `score_date=${DAY}`));
  });
});

describe('undoing a Gold commit (restoreGoldPartition)', function () {
  let dir: string;
  let gold: string;
  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-restore-'));
    gold = path.join(dir, 'purchase_predictions');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function publish(runId: string, txnVersion: number, firstId: number, units: number[]) {
    const adds = [];
    for (const [i, n] of units.entries()) {
      adds.push(await stagePredictions({
        goldTable: gold, scoreDate: DAY, runId, unitIndex: i, attempt: 1, model: MODEL, scoredAt: new Date(), threshold: 0.5,
        scored: { userIds: BigInt64Array.from({ length: n }, (_, k) => BigInt(firstId + i * 1000 + k)), probabilities: Float64Array.from({ length: n }, (_, k) => k / n) },
      }));
    }
    const txn = { appId: runId, version: txnVersion };
    return { txn, ...(await commitPredictions({ goldTable: gold, scoreDate: DAY, workflowId: `score-users-${DAY}`, runId, adds, txn, commitInfo: { runId } })) };
  }

  async function partitionRows(version?: number): Promise<string[]> {
    const rows: string[] = [];
    const s = await openTable(gold, version === undefined ? {} : { version });
    for await (const b of scanTable(s, { partition: { score_date: DAY }, columns: ['user_id', 'run_id'] })) {
      for (let i = 0; i < b.numRows; i++) rows.push(`${b.columns.user_id[i]}:${b.columns.run_id[i]}`);
    }
    return rows.sort();
  }

  const files = async (version?: number) => (await openTable(gold, version === undefined ? {} : { version })).files({ score_date: DAY }).map((f) => f.path).sort();

  it('gives the partition back exactly its previous files in a new commit; a retried restore commits nothing', async function () {
    await publish('run-a', 1000, 0, [300, 200]);
    const before = { files: await files(), rows: await partitionRows() };
    const ours = await publish('run-b', 2000, 50_000, [400]);
    assert.equal(ours.version, 2);
    assert.notDeepEqual(await files(), before.files);
    const r = await restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: ours.version, commitInfo: { reason: 'top_buyers failed' } });
    assert.deepEqual(r, { version: 3, skipped: false, undone: 2 });
    assert.deepEqual(await files(), before.files);
    assert.deepEqual(await partitionRows(), before.rows);
    assert.equal(before.rows.length, 500);
    // history keeps the undone predictions for time travel
    assert.equal((await partitionRows(2)).length, 400);
    const again = await restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: ours.version, commitInfo: {} });
    assert.equal(again.skipped, true);
    assert.equal((await openTable(gold)).version, 3);
  });

  it('undoes the first commit into a new table: the partition is empty again', async function () {
    const ours = await publish('run-a', 1000, 0, [100]);
    await restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: ours.version, commitInfo: {} });
    assert.deepEqual(await files(), []);
    assert.equal((await openTable(gold)).version, 2);
  });

  it('refuses (GoldNotRestored) when the previous files were vacuumed, saying so, and commits nothing', async function () {
    await publish('run-a', 1000, 0, [100]);
    const ours = await publish('run-b', 2000, 0, [100]);
    await vacuumTable(gold, { retainHours: 0 });
    await assert.rejects(
      restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: ours.version, commitInfo: {} }),
      coded('GoldNotRestored', `cannot undo commit 2 of Gold table ${gold} partition score_date=${DAY}`, '1 of the 1 files it had at version 1 were deleted (vacuumed?)'),
    );
    assert.equal((await openTable(gold)).version, 2);
  });

  it('leaves the partition alone when a later run published after this run (GoldNotRestored)', async function () {
    await publish('run-a', 1000, 0, [100]);
    const ours = await publish('run-b', 2000, 0, [100]);
    await publish('run-c', 3000, 0, [150]);
    const latest = await files();
    await assert.rejects(
      restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: ours.version, commitInfo: {} }),
      coded('GoldNotRestored', 'the partition changed after it (now version 3)'),
    );
    assert.deepEqual(await files(), latest);
  });

  it('finds the run\'s commit when commitGold reported a later version (a retried, skipped commit)', async function () {
    await publish('run-a', 1000, 0, [100]);
    const before = await files();
    const ours = await publish('run-b', 2000, 0, [100]);
    // another date committed after ours: the retried commitGold returns the head, not our version
    const other = await stagePredictions({
      goldTable: gold, scoreDate: '2026-11-16', runId: 'run-x', unitIndex: 0, attempt: 1, model: MODEL, scoredAt: new Date(), threshold: 0.5,
      scored: { userIds: BigInt64Array.of(1n), probabilities: Float64Array.of(0.5) },
    });
    await replacePartition(gold, { score_date: '2026-11-16' }, [other]);
    const r = await restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: ours.txn, goldVersion: 3, commitInfo: {} });
    assert.equal(r.undone, 2);
    assert.deepEqual(await files(), before);
  });
});
