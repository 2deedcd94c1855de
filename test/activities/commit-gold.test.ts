/**
 * The Gold commit step on its own (no server needed): a retried commit is a no-op, a lost or mis-counted unit is
 * refused before anything is published, and a failed commit leaves the table's version as it was. Units reach the
 * commit through the run's manifest (pipeline/run-manifest.ts), as the scoring activity records them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTable, scanTable } from '../../delta';
import { makeCommitGold } from '../../activities/commit-gold';
import type { CommitGoldInput } from '../../activities';
import { stagePredictions } from '../../pipeline/gold-predictions';
import type { ScoredUnit } from '../../pipeline/score-unit';
import { discardRunManifest, RUNS_FOLDER, writeUnitResult } from '../../pipeline/run-manifest';
import { removeUnpublishedStaged } from '../../pipeline/staged-files';
import type { PinnedModel } from '../../registry';

const DAY = '2026-11-23';
const MODEL: PinnedModel = { uri: 'models:/m@champion', name: 'm', version: '3', sha256: 'ab'.repeat(32), localPath: '/nowhere', features: ['a'] };

/** A unit's file staged, and the record scoreUnit would write of it (no top-buyer candidates: none qualify). */
async function stageUnit(goldTable: string, unitIndex: number, firstId: number, n: number, attempt = 1, runId = 'run-1'): Promise<ScoredUnit> {
  const add = await stagePredictions({
    goldTable, scoreDate: DAY, runId, unitIndex, attempt, model: MODEL, scoredAt: new Date('2026-11-23T06:00:00Z'), threshold: 0.5,
    scored: { userIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(firstId + i)), probabilities: Float64Array.from({ length: n }, (_, i) => i / n) },
  });
  return { unitIndex, add, rows: n, skipped: 0, candidates: { delivery: 'inline', count: 0, userIds: [], probabilities: [] } };
}

async function goldRows(table: string): Promise<number> {
  let n = 0;
  for await (const b of scanTable(await openTable(table), { columns: ['user_id'] })) n += b.numRows;
  return n;
}

describe('commitGold', function () {
  let dir: string;
  let goldTable: string;
  const commitGold = makeCommitGold();
  /** The commit's input for these units of run `runId`, each recorded in the manifest as scoreUnit records it. */
  const input = async (units: ScoredUnit[], runId = 'run-1'): Promise<CommitGoldInput> => {
    for (const u of units) await writeUnitResult(goldTable, runId, u);
    return {
      goldTable, scoreDate: DAY, runId, workflowId: `score-users-${DAY}`, model: MODEL,
      silverTable: '/silver', silverVersion: 4, unitCount: units.length, txn: { appId: `score-users-${DAY}`, version: 1000 },
    };
  };

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-commit-'));
    goldTable = path.join(dir, 'gold');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes all units in one commit, and a retry of the same run commits nothing', async function () {
    const units = [await stageUnit(goldTable, 0, 0, 300), await stageUnit(goldTable, 1, 300, 200)];
    const first = await commitGold(await input(units));
    assert.deepEqual(first, { version: 1, skipped: false });
    const retry = await commitGold(await input(units));
    assert.deepEqual(retry, { version: 1, skipped: true });
    assert.equal((await openTable(goldTable)).version, 1);
    assert.equal(await goldRows(goldTable), 500);
  });

  it('a unit scored twice (a retried attempt) is published once: its record is replaced, not added', async function () {
    const firstAttempt = await stageUnit(goldTable, 0, 0, 100, 1);
    await input([firstAttempt]);
    const units = [await stageUnit(goldTable, 0, 0, 100, 2), await stageUnit(goldTable, 1, 100, 100)];
    await commitGold(await input(units));
    assert.deepEqual((await openTable(goldTable)).files().map((f) => f.path).sort(), units.map((u) => u.add.path).sort());
    assert.equal(await goldRows(goldTable), 200);
  });

  it('refuses a unit that recorded no top-buyer candidates (an older worker) before Gold changes', async function () {
    await earlierRun();
    const unit = await stageUnit(goldTable, 0, 0, 100);
    await refused([{ ...unit, candidates: undefined }], 'unit 0 of run run-1 recorded no top-buyer candidates (scored by another batch-score version?): re-run the date');
  });

  it("refuses a unit that did not check its rows for duplicate users when the plan left that to the units (an older worker)", async function () {
    await earlierRun();
    const checked = { ...(await stageUnit(goldTable, 0, 0, 100)), duplicatesChecked: true as const };
    const unchecked = await stageUnit(goldTable, 1, 100, 100);
    await refused(
      { ...(await input([checked, unchecked])), duplicateCheck: 'units' },
      'unit 1 of run run-1 did not check its rows for duplicate user_ids as the plan asked (scored by another batch-score version?): upgrade every worker and re-run the date',
    );
    // Checked at planning: the units had nothing to check, and the run commits.
    assert.equal((await commitGold({ ...(await input([checked, unchecked])), duplicateCheck: 'plan' })).skipped, false);
  });

  it('refuses a run with a unit that has no record in the manifest, naming it, and leaves the table as it was', async function () {
    await earlierRun();
    const units = [await stageUnit(goldTable, 0, 0, 100), await stageUnit(goldTable, 1, 100, 100)];
    await writeUnitResult(goldTable, 'run-1', units[0]);
    await refused({ ...(await input([units[0]])), unitCount: 2 }, `unit 1 of run run-1 has no staged result in Gold table ${goldTable} (${RUNS_FOLDER}/run-1/units/00000001.json)`);
    // and a run's manifest goes when the run is discarded; with the last run's, the folders too
    await discardRunManifest(goldTable, 'run-1');
    assert.equal(fs.existsSync(path.join(goldTable, RUNS_FOLDER, 'run-1')), false);
    assert.equal(fs.existsSync(path.join(goldTable, RUNS_FOLDER, 'run-0')), true);
    await discardRunManifest(goldTable, 'run-0');
    assert.equal(fs.existsSync(path.join(goldTable, '_batch_score')), false);
  });

  /** The commit refuses with StagedFileInvalid and this message; Gold keeps its version and files. */
  async function refused(units: ScoredUnit[] | CommitGoldInput, message: string) {
    const before = await openTable(goldTable);
    await assert.rejects(commitGold(Array.isArray(units) ? await input(units) : units), (err: Error & { type?: string; nonRetryable?: boolean }) => {
      assert.equal(err.type, 'StagedFileInvalid');
      assert.equal(err.nonRetryable, true);
      assert.equal(err.message, message);
      return true;
    });
    const after = await openTable(goldTable);
    assert.equal(after.version, before.version);
    assert.deepEqual(after.files().map((f) => f.path), before.files().map((f) => f.path));
  }

  /** Gold at version 1 with one earlier run's 10 rows, so a refused commit has something to leave unchanged. */
  async function earlierRun() {
    const earlier = await stageUnit(goldTable, 0, 0, 10, 1, 'run-0');
    await commitGold({ ...(await input([earlier], 'run-0')), txn: { appId: 'earlier-run', version: 1 } });
  }

  it('refuses a staged file whose footer row count differs from what its unit scored, naming file and unit', async function () {
    await earlierRun();
    const unit = await stageUnit(goldTable, 0, 0, 100);
    await refused([{ ...unit, rows: 101 }], `staged file ${unit.add.path} of unit 0 holds 100 rows (Parquet footer), the unit scored 101`);
  });

  it('refuses a staged file deleted between scoring and commit', async function () {
    await earlierRun();
    const units = [await stageUnit(goldTable, 0, 0, 100), await stageUnit(goldTable, 1, 100, 100)];
    fs.rmSync(path.join(goldTable, units[1].add.path));
    await refused(units, `staged file ${units[1].add.path} of unit 1 is missing from ${goldTable}`);
  });

  it('refuses a staged file replaced by one with fewer rows, or overwritten in place with other bytes', async function () {
    await earlierRun();
    const unit = await stageUnit(goldTable, 0, 0, 100);
    const file = path.join(goldTable, unit.add.path);
    // Another run's file of 60 rows put in its place.
    const other = await stageUnit(path.join(dir, 'elsewhere'), 0, 0, 60);
    fs.copyFileSync(path.join(dir, 'elsewhere', other.add.path), file);
    await refused([unit], `staged file ${unit.add.path} of unit 0 has ${other.add.size} bytes on storage, ${unit.add.size} were staged`);
    // Same size, footer gone: the file is read, not trusted.
    fs.writeFileSync(file, Buffer.alloc(unit.add.size));
    await assert.rejects(commitGold(await input([unit])), (err: Error & { type?: string }) => {
      assert.equal(err.type, 'StagedFileInvalid');
      assert.ok(err.message.startsWith(`staged file ${unit.add.path} of unit 0: `), err.message);
      return true;
    });
  });

  it('a staged file is never rewritten: a second attempt stages its own file, the same attempt cannot write twice', async function () {
    const first = await stageUnit(goldTable, 0, 0, 100, 1);
    const bytes = fs.readFileSync(path.join(goldTable, first.add.path));
    await assert.rejects(stageUnit(goldTable, 0, 0, 50, 1), (err: Error & { code?: string }) => {
      assert.equal(err.name, 'InvalidArgument');
      assert.match(err.message, /already exists and is never replaced/);
      return true;
    });
    assert.deepEqual(fs.readFileSync(path.join(goldTable, first.add.path)), bytes);
    const second = await stageUnit(goldTable, 0, 0, 100, 2);
    assert.notEqual(second.add.path, first.add.path);
    assert.match(second.add.path, /^score_date=2026-11-23\/part-00000-run-1-attempt-2\.c000\.parquet$/);
  });

  it('after the commit, the run\'s unpublished attempts are removed; other runs\' files stay', async function () {
    const failedAttempt = await stageUnit(goldTable, 0, 0, 100, 1);
    const units = [await stageUnit(goldTable, 0, 0, 100, 2), await stageUnit(goldTable, 1, 100, 50, 1)];
    const otherRun = await stageUnit(goldTable, 0, 0, 10, 1, 'run-2');
    await commitGold(await input(units));
    const folder = path.join(goldTable, `score_date=${DAY}`);
    const left = fs.readdirSync(folder).sort();
    assert.deepEqual(left, [...units, otherRun].map((u) => path.basename(u.add.path)).sort());
    assert.equal(fs.existsSync(path.join(goldTable, failedAttempt.add.path)), false);
    assert.equal(await goldRows(goldTable), 150);
  });

  it('discarding a failed run removes every file it staged and none another run published', async function () {
    await earlierRun();
    const published = (await openTable(goldTable)).files().map((f) => f.path);
    await stageUnit(goldTable, 0, 0, 100, 1);
    await stageUnit(goldTable, 1, 100, 100, 3);
    const removed = await removeUnpublishedStaged(goldTable, DAY, 'run-1');
    assert.equal(removed.length, 2);
    assert.deepEqual(fs.readdirSync(path.join(goldTable, `score_date=${DAY}`)), published.map((p) => path.basename(p)));
    assert.deepEqual(await removeUnpublishedStaged(path.join(dir, 'absent'), DAY, 'run-1'), []);
    assert.deepEqual(await removeUnpublishedStaged(goldTable, DAY, 'run-0'), [], 'published files are never removed');
  });
});
