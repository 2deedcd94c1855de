/**
 * integerColumnRanges (delta/parquet/column-ranges.ts): the [min, max] footers state for a signed integer column,
 * per row group, as the duplicate-user fast path relies on: from each of our writers, in signed order, and none
 * wherever the statistics could mislead (another type or annotation, unsigned, no statistics, all null).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { StructType } from '../../../delta';
import { integerColumnRanges, openParquet, writeParquetFile, writeParquetFileDuckdb } from '../../../delta/parquet';
import { writeParquetFilePlain } from '../../../delta/parquet/plain-writer';
import { PYTHON } from '../../support/processes';

const field = (name: string, type: string) => ({ name, type, nullable: true, metadata: {} });
const SCHEMA: StructType = { type: 'struct', fields: [field('user_id', 'long'), field('n', 'integer'), field('day', 'date'), field('x', 'double'), field('none', 'long')] };
const ids = [5n, -(2n ** 63n), 2n ** 63n - 1n, -3n];

describe('integerColumnRanges: footer ranges of integer columns', function () {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-ranges-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('our three writers state signed ranges per row group; other types and all-null columns state none', async function () {
    const rows = { user_id: [...ids, null], n: [1, -2, 3, null, 7], day: ['2026-11-23', null, null, null, null], x: [1.5, 2, 3, 4, 5], none: [null, null, null, null, null] };
    const files = {
      hyparquet: path.join(dir, 'h.parquet'),
      duckdb: path.join(dir, 'd.parquet'),
    };
    await writeParquetFile(files.hyparquet, SCHEMA, 5, rows, { rowGroupRows: 3 });
    await writeParquetFileDuckdb(files.duckdb, SCHEMA, 5, rows, { rowGroupRows: 3 });
    for (const [writer, file] of Object.entries(files)) {
      const pf = await openParquet(file);
      assert.deepEqual(integerColumnRanges(pf, 'user_id'), [{ min: -(2n ** 63n), max: 2n ** 63n - 1n }, { min: -3n, max: -3n }], writer);
      assert.deepEqual(integerColumnRanges(pf, 'n'), [{ min: -2n, max: 3n }, { min: 7n, max: 7n }], writer);
      for (const other of ['day', 'x', 'none', 'absent']) assert.deepEqual(integerColumnRanges(pf, other), [undefined, undefined], `${writer} ${other}`);
    }
    const plain = path.join(dir, 'p.parquet');
    const typed: StructType = { type: 'struct', fields: [field('user_id', 'long')] };
    await writeParquetFilePlain(plain, typed, 4, { user_id: BigInt64Array.from(ids) }, { rowGroupRows: 2 });
    assert.deepEqual(integerColumnRanges(await openParquet(plain), 'user_id'), [{ min: -(2n ** 63n), max: 5n }, { min: -3n, max: 2n ** 63n - 1n }]);
  });

  it('a file from another writer (pyarrow): unsigned and unstated columns get no range', async function () {
    const file = path.join(dir, 'arrow.parquet');
    execFileSync(PYTHON, ['-c', [
      'import sys, pyarrow as pa, pyarrow.parquet as pq',
      "t = pa.table({'user_id': pa.array([3, 1], pa.int64()), 'unsigned': pa.array([2**64 - 1, 0], pa.uint64()), 'quiet': pa.array([1, 2], pa.int64())})",
      "pq.write_table(t, sys.argv[1], write_statistics=['user_id', 'unsigned'])",
    ].join('\n'), file]);
    const pf = await openParquet(file);
    assert.deepEqual(integerColumnRanges(pf, 'user_id'), [{ min: 1n, max: 3n }]);
    assert.deepEqual(integerColumnRanges(pf, 'unsigned'), [undefined]);
    assert.deepEqual(integerColumnRanges(pf, 'quiet'), [undefined]);
  });
});
