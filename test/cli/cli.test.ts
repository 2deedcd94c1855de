/**
 * The `batch-score` command as a user runs it: every verb answers --help, and against a real dev server a worker
 * process plus `generate`, `train`, `run --wait`, `status` and `top` work together through the SDK's
 * environment configuration (TEMPORAL_ADDRESS).
 */
import * as assert from 'node:assert/strict';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { readTopBuyers } from '../../cli/top';
import { dataLayout } from '../../config';
import { batchScore, jsonLines } from '../support/processes';
import { CliWorld, startCliWorld } from './cli-world';

const VERBS = ['demo', 'dev-server', 'worker', 'run', 'status', 'top', 'ingest', 'generate', 'train', 'model', 'delta'];

describe('batch-score CLI', function () {
  it('answers --help for every command', async function () {
    const overview = await batchScore(['--help']);
    for (const verb of VERBS) {
      assert.match(overview, new RegExp(`^  ${verb} `, 'm'));
      assert.match(await batchScore([verb, '--help']), new RegExp(`Usage: batch-score ${verb}`));
    }
  });

  it('rejects an unknown command and a bad option value, naming them', async function () {
    await assert.rejects(batchScore(['score']), /unknown command "score"/);
    await assert.rejects(batchScore(['run', '--date', '2026-13-45']), /--date: "2026-13-45" is not a calendar date/);
  });

  describe('against a running Temporal server', function () {
    const DAY = '2026-11-23';
    let world: CliWorld;
    let dir: string;
    let temporal: NodeJS.ProcessEnv;

    before(async function () {
      world = await startCliWorld({ day: DAY, users: 3000 });
      ({ dir, temporal } = world);
    });

    after(async function () {
      await world?.stop();
    });

    it('runs a date with run --wait, then status and top report it', async function () {
      const result = JSON.parse(await batchScore(['run', '--date', DAY, '--wait', '--json', '--top-fraction', '0.2', '--min-probability', '0.1'], temporal)) as ScoreUsersResult;
      assert.equal(result.workflowId, `score-users-${DAY}`);
      assert.equal(result.rowsScored, 3000);
      assert.equal(result.goldTable, dataLayout(dir).goldPredictions);

      const status = JSON.parse(await batchScore(['status', `score-users-${DAY}`, '--json'], temporal));
      assert.equal(status.status, 'COMPLETED');
      assert.equal(status.result.goldVersion, result.goldVersion);

      const table = await readTopBuyers(dataLayout(dir).goldTopBuyers, DAY);
      assert.equal(table.rows.length, result.topBuyers.count);
      const shown = jsonLines(await batchScore(['top', '--date', DAY, '-n', '5', '--json'], temporal));
      assert.deepEqual(shown, table.rows.slice(0, 5));
      assert.deepEqual(shown.map((r) => r.rank), [1, 2, 3, 4, 5]);

      const show = JSON.parse(await batchScore(['delta', 'show', dataLayout(dir).goldPredictions, '--json'], temporal));
      assert.equal(show.version, result.goldVersion);
      assert.equal(show.numRows, 3000);
      assert.deepEqual(show.partitionColumns, ['score_date']);
    });
  });
});
