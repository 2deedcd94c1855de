/**
 * Reader depth: checkpoints (ours, multi-part, incomplete sets, _last_checkpoint missing/stale/corrupt),
 * time travel by version and timestamp, partition values of every primitive type, nested schemas, and
 * protocol gating that refuses by name.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  AddFile, ColumnBatch, DeltaError, StructType, appendFiles, checkpointAt, createTable, dataFileRowGroups, logStore, openTable, readDeletionVector, replacePartition, scanTable, vacuumTable, writeDataFile,
} from '../../../delta';
import { deltaRsRows, goldenRoot, ourRows, rowDiff, runPython, tempDir } from '../helpers';

const f = (name: string, type: StructType['fields'][number]['type'], nullable = true) => ({ name, type, nullable, metadata: {} });
const SMALL: StructType = { type: 'struct', fields: [f('id', 'long', false), f('v', 'double'), f('day', 'date')] };
const logFile = (table: string, name: string) => path.join(table, '_delta_log', name);
const commitName = (v: number) => `${String(v).padStart(20, '0')}.json`;
const cpName = (v: number) => `${String(v).padStart(20, '0')}.checkpoint.parquet`;

async function smallFile(table: string, day: string, ids: number[]): Promise<AddFile> {
  const batch: ColumnBatch = { numRows: ids.length, columns: { id: ids.map(BigInt), v: ids.map((i) => i / 2) } };
  return writeDataFile(table, { schema: SMALL, partitionColumns: ['day'], partitionValues: { day }, batch });
}

async function ids(table: string, at?: { version?: number; timestamp?: number }): Promise<number[]> {
  const out: number[] = [];
  for await (const b of scanTable(await openTable(table, at), { columns: ['id'] })) for (const x of Array.from(b.columns.id)) out.push(Number(x));
  return out.sort((a, b) => a - b);
}

/** 25 commits: version v (1..25) appends id v on day 2026-01-(v % 3 + 1); every 5th replaces day 1. */
async function table25(): Promise<string> {
  const table = path.join(await tempDir(), 't');
  await createTable(table, { schema: SMALL, partitionColumns: ['day'] });
  for (let v = 1; v <= 25; v++) {
    const day = `2026-01-0${(v % 3) + 1}`;
    const add = await smallFile(table, day, [v]);
    if (v % 5 === 0) await replacePartition(table, { day }, [add]);
    else await appendFiles(table, [add]);
  }
  return table;
}

function expectedIds(version: number): number[] {
  const byDay = new Map<string, number[]>();
  for (let v = 1; v <= version; v++) {
    const day = `2026-01-0${(v % 3) + 1}`;
    if (v % 5 === 0) byDay.set(day, [v]);
    else byDay.set(day, [...(byDay.get(day) ?? []), v]);
  }
  return [...byDay.values()].flat().sort((a, b) => a - b);
}

describe('delta reader: checkpoints', function () {
  this.timeout(120_000);
  let table: string;
  before(async () => {
    table = await table25();
  });

  it('writes a checkpoint every 10 commits and _last_checkpoint', async () => {
    const log = await fs.readdir(path.join(table, '_delta_log'));
    assert.deepEqual(log.filter((n) => n.includes('checkpoint')).sort(), [cpName(10), cpName(20), '_last_checkpoint']);
    const last = JSON.parse(await fs.readFile(logFile(table, '_last_checkpoint'), 'utf8'));
    assert.equal(last.version, 20);
    assert.deepEqual(await ids(table), expectedIds(25));
  });

  it('reads from the checkpoint alone when older commits are gone, and delta-rs agrees', async () => {
    const copy = path.join(await tempDir(), 'copy');
    await fs.cp(table, copy, { recursive: true });
    for (let v = 0; v <= 20; v++) await fs.rm(logFile(copy, commitName(v)));
    const s = await openTable(copy);
    assert.equal(s.version, 25);
    assert.deepEqual(await ids(copy), expectedIds(25));
    assert.deepEqual(await ids(copy, { version: 20 }), expectedIds(20));
    await assert.rejects(openTable(copy, { version: 19 }), (e: DeltaError) => e.code === 'CorruptLog' && /commit 0 is missing/.test(e.message));
    const theirs = deltaRsRows(copy);
    assert.equal(theirs.error, undefined);
    assert.equal(rowDiff((await ourRows(copy)).rows!, theirs.rows!), undefined);
    assert.equal(deltaRsRows(copy, 20).rows!.length, expectedIds(20).length);
  });

  it('ignores a missing, stale or corrupt _last_checkpoint', async () => {
    for (const content of [undefined, '{"version":10,"size":5}', 'not json {{{', '']) {
      const copy = path.join(await tempDir(), 'copy');
      await fs.cp(table, copy, { recursive: true });
      if (content === undefined) await fs.rm(logFile(copy, '_last_checkpoint'));
      else await fs.writeFile(logFile(copy, '_last_checkpoint'), content);
      for (let v = 0; v <= 20; v++) await fs.rm(logFile(copy, commitName(v)));
      assert.equal((await openTable(copy)).version, 25);
      assert.deepEqual(await ids(copy), expectedIds(25), `_last_checkpoint ${JSON.stringify(content)}`);
    }
  });

  it('refuses a table whose newest checkpoint is unreadable (as delta-rs does), and ignores incomplete multi-part sets', async () => {
    const copy = path.join(await tempDir(), 'copy');
    await fs.cp(table, copy, { recursive: true });
    // one part of a two-part checkpoint at 24: incomplete, must be ignored (its content would be wrong)
    await fs.copyFile(logFile(table, cpName(10)), logFile(copy, `${String(24).padStart(20, '0')}.checkpoint.0000000001.0000000002.parquet`));
    for (let v = 0; v <= 10; v++) await fs.rm(logFile(copy, commitName(v)));
    assert.equal((await openTable(copy)).version, 25);
    assert.deepEqual(await ids(copy), expectedIds(25));
    // The newest complete checkpoint (20) unreadable: no silent replay from checkpoint 10, though it would work.
    await fs.writeFile(logFile(copy, cpName(20)), 'PAR1 truncated');
    await assert.rejects(openTable(copy), (e: DeltaError) => e.code === 'CorruptCheckpoint' && e.message.includes(logFile(copy, cpName(20))));
    assert.deepEqual(await ids(copy, { version: 19 }), expectedIds(19)); // a version before it is read from checkpoint 10
    assert.ok(deltaRsRows(copy).error, 'delta-rs refuses the table too');
  });

  it('reads v2 checkpoints (JSON and Parquet, with sidecars) when the commits they cover are gone', async () => {
    for (const name of ['v2-checkpoint-json', 'v2-checkpoint-parquet']) {
      const full = await ourRows(path.join(goldenRoot, name));
      const copy = path.join(await tempDir(), name);
      await fs.cp(path.join(goldenRoot, name), copy, { recursive: true });
      for (let v = 0; v <= 2; v++) await fs.rm(logFile(copy, commitName(v)));
      const s = await openTable(copy);
      assert.equal(s.version, 2);
      assert.equal(s.files().length, 4, name);
      const fromCheckpoint = await ourRows(copy);
      assert.equal(fromCheckpoint.rows!.length, 10, name);
      assert.equal(rowDiff(fromCheckpoint.rows!, full.rows!), undefined, name);
      const oracle = runPython('replay_oracle.py', [copy]).stdout.trim().split('\n');
      assert.equal(rowDiff(fromCheckpoint.rows!, oracle, 'oracle'), undefined, name);
    }
  });

  it('reads Spark multi-part checkpoints (golden multi-part-checkpoint) and only-checkpoint tables', async () => {
    const mp = await openTable(path.join(goldenRoot, 'multi-part-checkpoint'));
    assert.ok((await fs.readdir(path.join(goldenRoot, 'multi-part-checkpoint', '_delta_log'))).some((n) => /checkpoint\.\d{10}\.\d{10}\.parquet$/.test(n)));
    assert.equal(mp.numRecords(), 31);
    const oc = await openTable(path.join(goldenRoot, 'only-checkpoint-files'));
    let n = 0;
    for await (const b of scanTable(oc)) n += b.numRows;
    assert.equal(n, 25);
  });
});

describe('delta reader: time travel', function () {
  this.timeout(120_000);

  it('opens every version by number and by timestamp', async () => {
    const table = await table25();
    for (const v of [0, 1, 4, 5, 10, 11, 19, 20, 21, 25]) assert.deepEqual(await ids(table, { version: v }), expectedIds(v), `version ${v}`);
    await assert.rejects(openTable(table, { version: 26 }), (e: DeltaError) => e.code === 'VersionNotFound' && /latest is 25/.test(e.message));
    // commit v happened at T0 + v minutes
    const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    for (let v = 0; v <= 25; v++) await fs.utimes(logFile(table, commitName(v)), new Date(T0 + v * 60_000), new Date(T0 + v * 60_000));
    assert.deepEqual(await ids(table, { timestamp: T0 + 7 * 60_000 }), expectedIds(7));
    assert.deepEqual(await ids(table, { timestamp: T0 + 7 * 60_000 + 59_000 }), expectedIds(7));
    assert.equal((await openTable(table, { timestamp: new Date(T0 + 23 * 60_000 + 1) })).version, 23);
    assert.equal((await openTable(table, { timestamp: T0 + 99 * 60_000 })).version, 25);
    assert.equal((await openTable(table, { version: 7 })).timestamp, T0 + 7 * 60_000);
    await assert.rejects(openTable(table, { timestamp: T0 - 1 }), (e: DeltaError) => e.code === 'VersionNotFound' && /before the earliest/.test(e.message));
  });

  it('reads the golden time-travel tables at each version as delta-rs does', async () => {
    for (const name of ['time-travel-start-start20-start40', 'time-travel-partition-changes-b', 'time-travel-schema-changes-b']) {
      const table = path.join(goldenRoot, name);
      const latest = (await openTable(table)).version;
      for (let v = 0; v <= latest; v++) {
        const theirs = deltaRsRows(table, v);
        assert.equal(theirs.error, undefined, `${name}@${v}`);
        assert.equal(rowDiff((await ourRows(table, v)).rows!, theirs.rows!), undefined, `${name}@${v}`);
      }
    }
  });
});

describe('delta reader: partition values and schemas', function () {
  this.timeout(120_000);

  it('writes and reads partition values of every primitive type, null and special characters, as delta-rs does', async () => {
    const schema: StructType = {
      type: 'struct',
      fields: [f('id', 'integer', false), f('p_string', 'string'), f('p_long', 'long'), f('p_int', 'integer'), f('p_short', 'short'), f('p_byte', 'byte'),
        f('p_double', 'double'), f('p_float', 'float'), f('p_bool', 'boolean'), f('p_date', 'date'), f('p_ts', 'timestamp'), f('p_dec', 'decimal(9,3)')],
    };
    const parts = schema.fields.slice(1).map((x) => x.name);
    const table = path.join(await tempDir(), 'all types');
    await createTable(table, { schema, partitionColumns: parts });
    const rows: Record<string, string | null>[] = [
      { p_string: 'a b/c=d%e#f?g:h\\i{j}[k]^\'"*é', p_long: '-9007199254740993', p_int: '-5', p_short: '7', p_byte: '-8', p_double: '1.5', p_float: '-0.25', p_bool: 'true', p_date: '2026-11-23', p_ts: '2026-11-23T01:02:03.456789Z', p_dec: '12.345' },
      { p_string: null, p_long: null, p_int: null, p_short: null, p_byte: null, p_double: null, p_float: null, p_bool: null, p_date: null, p_ts: null, p_dec: null },
      { p_string: '%25 already encoded', p_long: '0', p_int: '0', p_short: '0', p_byte: '0', p_double: '0', p_float: '0', p_bool: 'false', p_date: '1970-01-01', p_ts: '1970-01-01T00:00:00.000000Z', p_dec: '0.000' },
    ];
    const adds: AddFile[] = [];
    for (const [i, pv] of rows.entries()) {
      adds.push(await writeDataFile(table, { schema, partitionColumns: parts, partitionValues: pv, batch: { numRows: 2, columns: { id: [i * 2, i * 2 + 1] } } }));
    }
    await appendFiles(table, adds);
    assert.match(adds[0].path, /^p_string=a%20b%252Fc%253Dd%2525e%2523f%253Fg%253Ah%255Ci%257Bj%7D%255Bk%255D%255E%2527%2522%252A/);
    assert.match(adds[1].path, /^p_string=__HIVE_DEFAULT_PARTITION__\/p_long=__HIVE_DEFAULT_PARTITION__/);
    const s = await openTable(table);
    assert.equal(s.files({ p_string: null }).length, 1);
    assert.equal(s.files({ p_long: '-9007199254740993' }).length, 1);
    assert.equal(s.files({ p_ts: '2026-11-23 01:02:03.456789' }).length, 1, 'timestamps compare by value, not spelling');
    const batches = [];
    for await (const b of scanTable(s)) batches.push(b);
    const first = batches.find((b) => b.columns.id[0] === 0)!;
    assert.equal(first.columns.p_string[0], rows[0].p_string);
    assert.equal(first.columns.p_long[0], -9007199254740993n);
    assert.equal(first.columns.p_bool[0], true);
    assert.equal(first.columns.p_dec[0], '12.345'); // positive: delta-rs 1.6.6 misparses negative decimal partition values
    const theirs = deltaRsRows(table);
    assert.equal(theirs.error, undefined);
    assert.equal(theirs.rows!.length, 6);
    assert.equal(rowDiff((await ourRows(table)).rows!, theirs.rows!), undefined);
  });

  it('writes and reads nested struct, array, map, decimal and binary columns as delta-rs does', async () => {
    const schema: StructType = {
      type: 'struct',
      fields: [
        f('id', 'long', false),
        f('s', { type: 'struct', fields: [f('a', 'integer'), f('b', { type: 'struct', fields: [f('c', 'string'), f('t', 'timestamp')] })] }),
        f('arr', { type: 'array', elementType: 'double', containsNull: true }),
        f('arr_s', { type: 'array', elementType: { type: 'struct', fields: [f('x', 'long')] }, containsNull: true }),
        f('m', { type: 'map', keyType: 'string', valueType: 'long', valueContainsNull: true }),
        f('d38', 'decimal(38,10)'),
        f('d18', 'decimal(18,4)'),
        f('bin', 'binary'),
      ],
    };
    const table = path.join(await tempDir(), 'nested');
    await createTable(table, { schema, partitionColumns: [] });
    const batch: ColumnBatch = {
      numRows: 3,
      columns: {
        id: [1n, 2n, 3n],
        s: [{ a: 1, b: { c: 'x', t: 1_700_000_000_000_001n } }, null, { a: null, b: null }],
        arr: [[1.5, null, -2], [], null],
        arr_s: [[{ x: 5n }, null], null, [{ x: -1n }]],
        m: [{ k1: 1n, k2: null }, {}, null],
        d38: ['1234567890123456789012345678.0123456789', '-0.0000000001', null],
        d18: ['99999999999999.9999', '-1.5', '0'],
        bin: [new Uint8Array([0, 255, 7]), new Uint8Array([]), null],
      },
    };
    await appendFiles(table, [await writeDataFile(table, { schema, partitionColumns: [], partitionValues: {}, batch })]);
    const s = await openTable(table);
    assert.deepEqual(s.schema, schema);
    const theirs = deltaRsRows(table);
    assert.equal(theirs.error, undefined);
    assert.equal(rowDiff((await ourRows(table)).rows!, theirs.rows!), undefined);
    const [b] = await (async () => { const out = []; for await (const x of scanTable(s)) out.push(x); return out; })();
    assert.equal(b.columns.d38[0], '1234567890123456789012345678.0123456789');
    assert.equal(b.columns.d18[1], '-1.5000');
    assert.deepEqual(b.columns.m[0], { k1: 1n, k2: null });
  });

  it('keeps {a: null}, [null] and {} distinct from null when the footer says every leaf is null', async () => {
    const schema: StructType = {
      type: 'struct',
      fields: [
        f('id', 'long', false),
        f('s', { type: 'struct', fields: [f('a', 'integer')] }),
        f('l', { type: 'array', elementType: 'string', containsNull: true }),
        f('m', { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true }),
        f('n', 'double'),
      ],
    };
    const table = path.join(await tempDir(), 'nulls');
    await createTable(table, { schema, partitionColumns: [] });
    const batch: ColumnBatch = { numRows: 2, columns: { id: [1n, 2n], s: [{ a: null }, { a: null }], l: [[null], [null]], m: [{}, {}], n: [null, null] } };
    await appendFiles(table, [await writeDataFile(table, { schema, partitionColumns: [], partitionValues: {}, batch })]);
    const out = [];
    for await (const b of scanTable(await openTable(table))) out.push(b);
    assert.deepEqual(Array.from(out[0].columns.s), [{ a: null }, { a: null }]);
    assert.deepEqual(Array.from(out[0].columns.l), [[null], [null]]);
    assert.deepEqual(Array.from(out[0].columns.m), [{}, {}]);
    assert.deepEqual(Array.from(out[0].columns.n), [null, null]);
    assert.equal(rowDiff((await ourRows(table)).rows!, deltaRsRows(table).rows!), undefined);
  });

  it('reads INT96, TIMESTAMP_MILLIS and TIMESTAMP_MICROS timestamps identically (golden kernel-timestamp-*)', async () => {
    const seen: string[][] = [];
    for (const enc of ['INT96', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS']) {
      const r = await ourRows(path.join(goldenRoot, `kernel-timestamp-${enc}`));
      assert.equal(r.error, undefined);
      seen.push(r.rows!.slice().sort());
    }
    assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(seen[1], seen[2]);
  });
});

describe('delta protocol gating', function () {
  async function tableWith(protocol: object, configuration: Record<string, string> = {}, schema: StructType = SMALL): Promise<string> {
    const table = path.join(await tempDir(), 'gated');
    await fs.mkdir(path.join(table, '_delta_log'), { recursive: true });
    const metaData = { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify(schema), partitionColumns: ['day'], configuration, createdTime: 0 };
    await fs.writeFile(logFile(table, commitName(0)), JSON.stringify({ protocol }) + '\n' + JSON.stringify({ metaData }) + '\n');
    return table;
  }

  for (const feature of ['variantShredding-preview', 'rowTracking', 'someFutureFeature']) {
    it(`refuses to read a table with reader feature ${feature}, naming it`, async () => {
      const table = await tableWith({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [feature], writerFeatures: [feature] });
      await assert.rejects(openTable(table), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && !e.retryable && e.message.includes(feature) && e.message.includes(table));
      const r = await ourRows(table);
      assert.match(r.error!, new RegExp(`${feature}.*\\[UnsupportedReaderFeature\\]`));
    });
  }

  it('reads deletion vectors: deleted rows dropped, (path, dv) keys in replay, dv files kept by vacuum, writes refused', async () => {
    // log-replay-dv-key-cases: one 50-row file whose deletion vector is replaced twice; ids 0, 7, 14 end deleted
    const table = path.join(goldenRoot, 'log-replay-dv-key-cases');
    const s = await openTable(table);
    assert.equal(s.files().length, 1);
    assert.equal(s.numRecords(), 47);
    assert.deepEqual(await dataFileRowGroups(table, s.files()[0]), [50]); // physical rows
    const got = (await ids(table)).join(',');
    assert.equal(got, Array.from({ length: 50 }, (_, i) => i).filter((i) => ![0, 7, 14].includes(i)).join(','));
    // a checkpoint we write keeps the deletion vector: read from it alone, the same 47 rows
    const cpCopy = path.join(await tempDir(), 'dv-cp');
    await fs.cp(table, cpCopy, { recursive: true });
    await checkpointAt(logStore(cpCopy), 3);
    for (let v = 0; v <= 3; v++) await fs.rm(logFile(cpCopy, commitName(v)));
    assert.equal((await ids(cpCopy)).join(','), got);
    // vacuum keeps the live file's deletion vector (and drops those only old tombstones refer to)
    const copy = path.join(await tempDir(), 'dv');
    await fs.cp(path.join(goldenRoot, 'dv-partitioned-with-checkpoint'), copy, { recursive: true });
    const before = (await ourRows(copy)).rows!;
    assert.equal(before.length, 35);
    await vacuumTable(copy, { retainHours: 0 });
    assert.equal(rowDiff((await ourRows(copy)).rows!, before), undefined);
    await assert.rejects(appendFiles(copy, []), (e: DeltaError) => e.code === 'UnsupportedWriterFeature' && /deletionVectors/.test(e.message));
  });

  it('reads widened columns (golden type-widening): integers, floats, decimals of smaller scale, dates', async () => {
    const r = await ourRows(path.join(goldenRoot, 'type-widening'));
    const first = r.rows!.map((l) => JSON.parse(l)).find((x) => x.byte_long === 1);
    assert.deepEqual(first, {
      byte_long: 1, int_long: 2, float_double: 3.4000000953674316, byte_double: 5, short_double: 6, int_double: 7,
      decimal_decimal_same_scale: '123.45', decimal_decimal_greater_scale: '67.89000', byte_decimal: '1.0', short_decimal: '2.0',
      int_decimal: '3.0', long_decimal: '4.0', date_timestamp_ntz: '2024-09-09T00:00:00.000000',
    });
    // a widening the reader cannot apply (a decimal inside a struct) is refused by name
    const schema = { type: 'struct', fields: [f('s', { type: 'struct', fields: [{ ...f('d', 'decimal(10,4)'), metadata: { 'delta.typeChanges': [{ fromType: 'decimal(5,2)', toType: 'decimal(10,4)', tableVersion: 1 }] } }] }), f('day', 'date')] } as StructType;
    const table = await tableWith({ minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['typeWidening'], writerFeatures: ['typeWidening'] }, {}, schema);
    await assert.rejects(openTable(table), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && /typeWidening: column s\.d widened from decimal\(5,2\) to decimal\(10,4\)/.test(e.message));
  });

  it('refuses unknown reader versions and unknown column types', async () => {
    await assert.rejects(openTable(await tableWith({ minReaderVersion: 4, minWriterVersion: 7 })), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && /version 4/.test(e.message));
    const odd: StructType = { type: 'struct', fields: [f('v', 'interval'), f('day', 'date')] };
    await assert.rejects(openTable(await tableWith({ minReaderVersion: 1, minWriterVersion: 2 }, {}, odd)), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && /column v has type interval/.test(e.message));
  });

  it('reads variant columns in their binary encoding (golden spark-variant-checkpoint), refuses to write them', async () => {
    const table = path.join(goldenRoot, 'spark-variant-checkpoint');
    const s = await openTable(table);
    const [b] = await (async () => { const out = []; for await (const x of scanTable(s, { columns: ['id', 'v'] })) { out.push(x); break; } return out; })();
    const v = b.columns.v[0] as { metadata: Uint8Array; value: Uint8Array };
    assert.ok(v.metadata instanceof Uint8Array && v.value instanceof Uint8Array);
    assert.equal(v.metadata[0], 1); // Variant metadata header: version 1
    assert.equal(rowDiff((await ourRows(table)).rows!, deltaRsRows(table).rows!), undefined);
    const out = path.join(await tempDir(), 'variant');
    const schema: StructType = { type: 'struct', fields: [f('id', 'long'), f('v', 'variant')] };
    await assert.rejects(writeDataFile(out, { schema, partitionColumns: [], partitionValues: {}, batch: { numRows: 1, columns: { id: [1n], v: [v] } } }),
      (e: DeltaError) => e.code === 'SchemaMismatch' && /cannot write type variant/.test(e.message));
  });

  it('reads but refuses to write tables with unknown writer features, CHECK constraints or column mapping', async () => {
    const cases: [object, Record<string, string>, RegExp][] = [
      [{ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['generatedColumns'] }, {}, /generatedColumns/],
      [{ minReaderVersion: 1, minWriterVersion: 4 }, {}, /writer protocol version 4/],
      [{ minReaderVersion: 1, minWriterVersion: 3 }, { 'delta.constraints.positive': 'v > 0' }, /writer protocol version 3|CHECK constraint/],
      [{ minReaderVersion: 2, minWriterVersion: 5 }, { 'delta.columnMapping.mode': 'name' }, /columnMapping/],
    ];
    for (const [protocol, conf, re] of cases) {
      const table = await tableWith(protocol, conf);
      assert.equal((await openTable(table)).version, 0);
      const add = await smallFile(table, '2026-01-01', [1]);
      await assert.rejects(appendFiles(table, [add]), (e: DeltaError) => e.code === 'UnsupportedWriterFeature' && !e.retryable && re.test(e.message), JSON.stringify(protocol));
      assert.equal((await openTable(table)).version, 0);
    }
  });

  it('honours delta.appendOnly: appends commit, replacing a partition with files is refused', async () => {
    const table = await tableWith({ minReaderVersion: 1, minWriterVersion: 2 }, { 'delta.appendOnly': 'true' });
    assert.equal((await appendFiles(table, [await smallFile(table, '2026-01-01', [1])])).version, 1);
    await assert.rejects(replacePartition(table, { day: '2026-01-01' }, [await smallFile(table, '2026-01-01', [2])]), (e: DeltaError) => e.code === 'AppendOnly' && !e.retryable);
    assert.deepEqual(await ids(table), [1]);
  });
});

describe('delta deletion vectors: formats written by CRoaring (pyroaring)', function () {
  it('decodes inline descriptors with array, bitmap and run containers', async () => {
    const lines = runPython('dv_fixture.py', []).stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const c of lines) {
      const rows = await readDeletionVector('/nowhere', 'f.parquet', c.descriptor);
      assert.deepEqual([...rows].sort((a, b) => a - b), c.rows, c.name);
    }
    // a descriptor whose cardinality disagrees with its bitmap is refused, naming the file
    const bad = { ...lines[0].descriptor, cardinality: 99 };
    await assert.rejects(readDeletionVector('/t', 'f.parquet', bad), (e: DeltaError) => e.code === 'CorruptDataFile' && /f\.parquet.*cardinality 99/.test(e.message));
  });
});
