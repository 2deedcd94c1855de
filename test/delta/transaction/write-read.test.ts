/**
 * The writer contract the pipeline codes against: create, replacePartition per partition with txn
 * idempotence, stats, and tables that delta-rs reads back row for row (Gold- and Silver-like schemas).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  AddFile, ColumnBatch, DeltaError, DeltaTimestamp, appendFiles, createTable, dataFileRowGroups, openTable, overwriteTable, readDataFile,
  replacePartition, scanTable, tableExists, writeDataFile,
} from '../../../delta';
import { GOLD_SCHEMA, SILVER_FEATURES, SILVER_SCHEMA, deltaRsRows, ourRows, rowDiff, runPython, tempDir } from '../helpers';

function goldBatch(n: number, seed: number, runId: string): ColumnBatch {
  const user_id = new BigInt64Array(n);
  const p: (number | null)[] = [];
  const buyer: (boolean | null)[] = [];
  const scored: (Date | bigint | null)[] = [];
  for (let i = 0; i < n; i++) {
    user_id[i] = BigInt(seed * 1_000_000 + i);
    const prob = ((i * 7919 + seed) % 1000) / 1000;
    p.push(i % 17 === 5 ? null : prob);
    buyer.push(i % 17 === 5 ? null : prob >= 0.5);
    // microsecond-exact timestamps, a Date and one null
    scored.push(i % 23 === 3 ? null : i % 2 === 0 ? 1_795_700_000_000_000n + BigInt(i) * 1_000_001n : new Date(Date.UTC(2026, 10, 23, 6, 0, 0, i)));
  }
  return {
    numRows: n,
    columns: {
      user_id, purchase_probability: p, predicted_buyer: buyer,
      model_name: new Array(n).fill('purchase_propensity'), model_version: new Array(n).fill('3'), run_id: new Array(n).fill(runId),
      scored_at: scored,
    },
  };
}

async function writeGold(table: string, date: string, n: number, seed: number, runId: string, fileName?: string): Promise<AddFile> {
  return writeDataFile(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'], partitionValues: { score_date: date }, batch: goldBatch(n, seed, runId), fileName });
}

async function countRows(table: string, partition?: Record<string, string>): Promise<number> {
  let n = 0;
  for await (const b of scanTable(await openTable(table), { partition })) n += b.numRows;
  return n;
}

describe('delta writer: create, replacePartition, txn', function () {
  let table: string;
  beforeEach(async () => {
    table = path.join(await tempDir(), 'purchase_predictions');
  });

  it('creates version 0 with protocol 1/2 and the schema', async () => {
    assert.equal(await tableExists(table), false);
    const s = await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'], name: 'purchase_predictions' });
    assert.equal(s.version, 0);
    assert.deepEqual(s.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
    assert.deepEqual(s.partitionColumns, ['score_date']);
    assert.deepEqual(s.schema, GOLD_SCHEMA);
    assert.equal(s.files().length, 0);
    assert.equal(await tableExists(table), true);
    const log = await fs.readFile(path.join(table, '_delta_log', '00000000000000000000.json'), 'utf8');
    const kinds = log.trim().split('\n').map((l) => Object.keys(JSON.parse(l))[0]);
    assert.deepEqual(kinds, ['commitInfo', 'protocol', 'metaData']);
    assert.equal(JSON.parse(log.split('\n')[0]).commitInfo.operation, 'CREATE TABLE');
    // creating again with the same definition returns the table; a different one is refused
    assert.equal((await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] })).version, 0);
    await assert.rejects(createTable(table, { schema: GOLD_SCHEMA, partitionColumns: [] }), (e: DeltaError) => e.code === 'SchemaMismatch' && !e.retryable);
  });

  it('replaces one partition per commit, leaves the other partition untouched, versions 0,1,2,3', async () => {
    await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] });
    const a1 = await writeGold(table, '2026-11-16', 500, 1, 'run-a');
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-16' }, [a1]), { version: 1, skipped: false });
    const b1 = await writeGold(table, '2026-11-23', 300, 2, 'run-b');
    const b2 = await writeGold(table, '2026-11-23', 200, 3, 'run-b');
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-23' }, [b1, b2]), { version: 2, skipped: false });
    const c1 = await writeGold(table, '2026-11-23', 123, 4, 'run-c');
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-23' }, [c1]), { version: 3, skipped: false });

    const s = await openTable(table);
    assert.equal(s.version, 3);
    assert.deepEqual(s.files({ score_date: '2026-11-23' }).map((f) => f.path), [c1.path]);
    assert.deepEqual(s.files({ score_date: '2026-11-16' }).map((f) => f.path), [a1.path]);
    assert.equal(s.numRecords({ score_date: '2026-11-23' }), 123);
    assert.equal(s.numRecords({ score_date: '2026-11-16' }), 500);
    assert.equal(s.numRecords(), 623);
    assert.equal(await countRows(table, { score_date: '2026-11-23' }), 123);
    assert.equal(await countRows(table), 623);
    // the replaced files are still there for time travel: version 2 had 500 rows in the partition
    assert.equal((await openTable(table, { version: 2 })).numRecords({ score_date: '2026-11-23' }), 500);

    const commit3 = (await fs.readFile(path.join(table, '_delta_log', '00000000000000000003.json'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const info = commit3[0].commitInfo;
    assert.equal(info.operation, 'WRITE');
    assert.deepEqual(info.operationParameters, { mode: 'Overwrite', partitionBy: '["score_date"]', predicate: "score_date = '2026-11-23'" });
    assert.equal(info.readVersion, 2);
    assert.equal(info.isolationLevel, 'Serializable');
    assert.equal(info.isBlindAppend, false);
    assert.match(info.engineInfo, /^batch-score\/\d+\.\d+\.\d+/);
    assert.equal(info.operationMetrics.numOutputRows, '123');
    assert.equal(commit3.filter((a) => a.remove).length, 2);
    assert.equal(commit3.filter((a) => a.add).length, 1);
  });

  it('txn makes a repeated commit a no-op', async () => {
    const add = await writeGold(table, '2026-11-23', 50, 1, 'run-1', 'part-00000-run-1.snappy.parquet');
    const opts = { txn: { appId: 'score-users-2026-11-23', version: 7 }, createWith: { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] }, commitInfo: { runId: 'run-1', model: { name: 'purchase_propensity', version: '3' } } };
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-23' }, [add], opts), { version: 1, skipped: false });
    // a retried unit rewrites its staged file under the same name; the retried commit is a no-op
    const again = await writeGold(table, '2026-11-23', 50, 1, 'run-1', 'part-00000-run-1.snappy.parquet');
    assert.equal(again.path, add.path);
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-23' }, [again], opts), { version: 1, skipped: true });
    const s = await openTable(table);
    assert.equal(s.version, 1);
    assert.equal(s.txnVersion('score-users-2026-11-23'), 7);
    assert.equal(s.txnVersion('other'), undefined);
    assert.equal(s.files().length, 1);
    const info = JSON.parse((await fs.readFile(path.join(table, '_delta_log', '00000000000000000001.json'), 'utf8')).split('\n')[0]).commitInfo;
    assert.equal(info.runId, 'run-1');
    assert.deepEqual(info.model, { name: 'purchase_propensity', version: '3' });
    // a newer txn version for the same app commits
    const add2 = await writeGold(table, '2026-11-23', 40, 2, 'run-2');
    assert.deepEqual(await replacePartition(table, { score_date: '2026-11-23' }, [add2], { txn: { appId: 'score-users-2026-11-23', version: 8 } }), { version: 2, skipped: false });
    assert.equal((await openTable(table)).numRecords(), 40);
  });

  it('writes exact stats: numRecords, min, max, nullCount', async () => {
    await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] });
    const batch: ColumnBatch = {
      numRows: 4,
      columns: {
        user_id: [10n, -3n, 9007199254740993n, 7n],
        purchase_probability: [0.25, null, 0.75, 0.5],
        predicted_buyer: [false, true, null, true],
        model_name: ['b', 'a', 'c', null],
        model_version: ['1', '1', '1', '1'],
        run_id: [null, null, null, null],
        scored_at: [1_795_700_000_123_456n, new Date('2026-01-01T00:00:00.999Z'), null, 1_795_700_000_123_999n],
      },
    };
    const add = await writeDataFile(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'], partitionValues: { score_date: '2026-11-23' }, batch });
    assert.ok(add.stats);
    // raw text: longs beyond 2^53 must be exact in the JSON
    assert.match(add.stats!, /"user_id":9007199254740993/);
    const stats = JSON.parse(add.stats!);
    assert.equal(stats.numRecords, 4);
    assert.deepEqual(stats.minValues, { user_id: -3, purchase_probability: 0.25, model_name: 'a', model_version: '1', scored_at: '2026-01-01T00:00:00.999Z' });
    assert.equal(stats.maxValues.purchase_probability, 0.75);
    assert.equal(stats.maxValues.model_name, 'c');
    assert.equal(stats.maxValues.scored_at, '2026-11-26T13:33:20.123Z'); // truncated to ms as Spark does
    assert.deepEqual(stats.nullCount, { user_id: 0, purchase_probability: 1, predicted_buyer: 1, model_name: 1, model_version: 0, run_id: 4, scored_at: 1 });
    assert.equal(add.partitionValues.score_date, '2026-11-23');
    assert.match(add.path, /^score_date=2026-11-23\/part-[0-9a-f-]{36}\.snappy\.parquet$/);
    assert.equal(add.size, (await fs.stat(path.join(table, add.path))).size);
    // staged, not committed: invisible
    assert.equal((await openTable(table)).files().length, 0);
  });

  it('orders string stats by code point, as Parquet and Spark do', async () => {
    await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] });
    const names = ['\u{1F600}', '\uFB00', 'z'];
    const batch: ColumnBatch = {
      numRows: 3,
      columns: {
        user_id: [1n, 2n, 3n], purchase_probability: [0, 0, 0], predicted_buyer: [true, true, true], model_name: names,
        model_version: ['1', '1', '1'], run_id: ['r', 'r', 'r'], scored_at: [null, null, null],
      },
    };
    const add = await writeDataFile(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'], partitionValues: { score_date: '2026-11-23' }, batch });
    const stats = JSON.parse(add.stats!);
    assert.equal(stats.minValues.model_name, 'z');
    assert.equal(stats.maxValues.model_name, '\u{1F600}');
  });

  it('reads back one batch per row group with the values written (exact longs and microseconds)', async () => {
    const add = await writeDataFile(table, {
      schema: GOLD_SCHEMA, partitionColumns: ['score_date'], partitionValues: { score_date: '2026-11-23' }, batch: goldBatch(25_000, 9, 'r'), rowGroupRows: 10_000,
    });
    assert.deepEqual(await dataFileRowGroups(table, add), [10_000, 10_000, 5_000]);
    const sizes: number[] = [];
    const expected = goldBatch(25_000, 9, 'r');
    let offset = 0;
    for await (const b of readDataFile(table, add, { schema: GOLD_SCHEMA })) {
      sizes.push(b.numRows);
      for (const i of [0, 1, 3, 5, b.numRows - 1]) {
        const r = offset + i;
        assert.equal(b.columns.user_id[i], (expected.columns.user_id as BigInt64Array)[r]);
        assert.equal(b.columns.purchase_probability[i], expected.columns.purchase_probability[r]);
        assert.equal(b.columns.predicted_buyer[i], expected.columns.predicted_buyer[r]);
        assert.equal(b.columns.score_date[i], '2026-11-23');
        const want = expected.columns.scored_at[r] as Date | bigint | null;
        const got = b.columns.scored_at[i] as DeltaTimestamp | null;
        if (want === null) assert.equal(got, null);
        else assert.equal(got!.micros, typeof want === 'bigint' ? want : BigInt(want.getTime()) * 1000n);
      }
      offset += b.numRows;
    }
    assert.deepEqual(sizes, [10_000, 10_000, 5_000]);
    // projection and a single row group
    const only: string[][] = [];
    for await (const b of readDataFile(table, add, { schema: GOLD_SCHEMA, columns: ['user_id', 'score_date'], rowGroups: [2] })) only.push(Object.keys(b.columns));
    assert.deepEqual(only, [['user_id', 'score_date']]);
  });

  it('delta-rs reads the Gold table written here with the same rows, and agrees on the timestamp encoding', async () => {
    await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] });
    await appendFiles(table, [await writeGold(table, '2026-11-16', 700, 1, 'run-a')]);
    await replacePartition(table, { score_date: '2026-11-23' }, [await writeGold(table, '2026-11-23', 900, 2, 'run-b'), await writeGold(table, '2026-11-23', 11, 3, 'run-b')]);
    const ours = await ourRows(table);
    const theirs = deltaRsRows(table);
    assert.equal(theirs.error, undefined);
    assert.equal(ours.rows!.length, 1611);
    assert.equal(rowDiff(ours.rows!, theirs.rows!), undefined);
    // the file schema as pyarrow sees it: INT64 TIMESTAMP(MICROS, UTC)
    const schema = runPython('parquet_schema.py', [path.join(table, (await openTable(table)).files()[0].path)]).stdout;
    assert.match(schema, /scored_at: timestamp\[us, tz=UTC\]/);
    // DuckDB writes every Parquet column OPTIONAL; NOT NULL lives in the Delta schema, which delta-rs honours.
    assert.match(schema, /user_id: int64/);
  });

  it('delta-rs reads a Silver-like table (long + 10 features + snapshot_date) written here', async () => {
    const silver = path.join(path.dirname(table), 'user_features');
    const adds: AddFile[] = [];
    for (const [d, date] of ['2026-11-16', '2026-11-23'].entries()) {
      const n = 1000 + d;
      const columns: Record<string, unknown[] | ArrayLike<unknown>> = { user_id: Array.from({ length: n }, (_, i) => BigInt(i + 1)) };
      SILVER_FEATURES.forEach((f, j) => {
        columns[f] = Array.from({ length: n }, (_, i) => (j % 3 === 1 ? (i * (j + 1)) % 97 : i % 29 === j ? null : (i * 0.37 + j) / 3));
      });
      adds.push(await writeDataFile(silver, { schema: SILVER_SCHEMA, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: date }, batch: { numRows: n, columns } }));
    }
    await overwriteTable(silver, adds, { createWith: { schema: SILVER_SCHEMA, partitionColumns: ['snapshot_date'] } });
    const s = await openTable(silver);
    assert.equal(s.version, 1);
    assert.equal(s.numRecords({ snapshot_date: '2026-11-23' }), 1001);
    const theirs = deltaRsRows(silver);
    assert.equal(theirs.error, undefined);
    assert.equal(theirs.rows!.length, 2001);
    assert.equal(rowDiff((await ourRows(silver)).rows!, theirs.rows!), undefined);
  });

  it('refuses files outside the replaced partition and unknown partition columns, non-retryable', async () => {
    await createTable(table, { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] });
    const add = await writeGold(table, '2026-11-16', 5, 1, 'r');
    await assert.rejects(replacePartition(table, { score_date: '2026-11-23' }, [add]), (e: DeltaError) => e.code === 'InvalidArgument' && !e.retryable && /outside the replaced partition/.test(e.message));
    await assert.rejects(replacePartition(table, { model_name: 'x' }, [add]), (e: DeltaError) => e.code === 'InvalidArgument' && /model_name is not a partition column/.test(e.message));
    await assert.rejects(openTable(path.join(table, 'nope')), (e: DeltaError) => e.code === 'TableNotFound' && !e.retryable);
    assert.equal((await openTable(table)).version, 0);
  });
});
