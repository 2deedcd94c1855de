/**
 * The Gold commit step on its own (no server needed): a retried commit is a no-op, a doubled or mis-counted
 * unit is refused before anything is published, and a failed commit leaves the table's version as it was.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTable, scanTable } from '../../delta';
import { makeCommitGold } from '../../activities/commit-gold';
import type { CommitGoldInput, UnitResult } from '../../activities';
import { stagePredictions } from '../../pipeline/gold-predictions';
import type { PinnedModel } from '../../registry';

const DAY = '2026-11-23';
const MODEL: PinnedModel = { uri: 'models:/m@champion', name: 'm', version: '3', sha256: 'ab'.repeat(32), localPath: '/nowhere', features: ['a'] };

async function stageUnit(goldTable: string, unitIndex: number, firstId: number, n: number): Promise<UnitResult> {
  const add = await stagePredictions({
    goldTable, scoreDate: DAY, runId: 'run-1', unitIndex, model: MODEL, scoredAt: new Date('2026-11-23T06:00:00Z'), threshold: 0.5,
    scored: { userIds: BigInt64Array.from({ length: n }, (_, i) => BigInt(firstId + i)), probabilities: Float64Array.from({ length: n }, (_, i) => i / n) },
  });
  return { unitIndex, add, rows: n, skipped: 0 };
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
  const input = (units: UnitResult[]): CommitGoldInput => ({
    goldTable, scoreDate: DAY, runId: 'run-1', workflowId: `score-users-${DAY}`, model: MODEL,
    silverTable: '/silver', silverVersion: 4, units, txn: { appId: `score-users-${DAY}`, version: 1000 },
  });

  beforeEach(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-commit-'));
    goldTable = path.join(dir, 'gold');
  });
  afterEach(function () {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('publishes all units in one commit, and a retry of the same run commits nothing', async function () {
    const units = [await stageUnit(goldTable, 0, 0, 300), await stageUnit(goldTable, 1, 300, 200)];
    const first = await commitGold(input(units));
    assert.deepEqual(first, { version: 1, skipped: false });
    const retry = await commitGold(input(units));
    assert.deepEqual(retry, { version: 1, skipped: true });
    assert.equal((await openTable(goldTable)).version, 1);
    assert.equal(await goldRows(goldTable), 500);
  });

  it('refuses a unit listed twice and leaves the table as it was', async function () {
    const unit = await stageUnit(goldTable, 0, 0, 100);
    await commitGold({ ...input([unit]), txn: { appId: 'earlier-run', version: 1 } });
    await assert.rejects(commitGold(input([unit, unit])), (err: Error) => err.name === 'ApplicationFailure' && /unit 0 appears twice/.test(err.message));
    assert.equal((await openTable(goldTable)).version, 1);
    assert.equal(await goldRows(goldTable), 100);
  });

  it('refuses a staged file whose row count differs from what its unit scored, naming the file', async function () {
    const unit = await stageUnit(goldTable, 0, 0, 100);
    await assert.rejects(commitGold(input([{ ...unit, rows: 101 }])), (err: Error) => {
      assert.match(err.message, new RegExp(`staged file ${unit.add.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds 100 rows, unit 0 scored 101`));
      return true;
    });
    assert.equal(fs.existsSync(path.join(goldTable, '_delta_log', '00000000000000000001.json')), false);
  });
});
