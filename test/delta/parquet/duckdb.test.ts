/**
 * The DuckDB Parquet path (delta/parquet/duckdb-*.ts) against the hyparquet path (row-group-reader.ts, writer.ts): round trips
 * of every supported type both ways, row-group selection, validation errors, concurrent calls, pyarrow and
 * delta-rs reading a file we wrote, and every flat column of every golden table read alike by both paths.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DeltaError, DeltaTimestamp, StructField, StructType, appendFiles, computeStats, createTable, dataFilePath, openTable, physicalField, storeFor } from '../../../delta';
import { openParquet, openParquetObject, readRowGroup, readRowGroups, readsWithDuckdb, writeParquetFile, ParquetFile } from '../../../delta/parquet';
import { readRowGroupDuckdb, readRowGroupsDuckdb } from '../../../delta/parquet/duckdb-reader';
import { duckdbSupports } from '../../../delta/parquet/duckdb-sql';
import { writeParquetFileDuckdb } from '../../../delta/parquet/duckdb-writer';
import { canonValue, goldenRoot, python, repoRoot, tempDir } from '../helpers';

const field = (name: string, type: string, nullable = true): StructField => ({ name, type, nullable, metadata: {} });

const canonColumn = (c: ArrayLike<unknown>) => Array.from(c, canonValue);

/** What the router reads for one row group (the reader the pipeline gets). */
async function routed(pf: ParquetFile, g: number, fields: StructField[]): Promise<Record<string, ArrayLike<unknown>>> {
  for await (const r of readRowGroups(pf, [g], fields)) return r;
  throw new Error('no row group read');
}

/** The DuckDB reader refuses a file it would read inexactly, naming the reason, and the router sends it to hyparquet. */
async function assertRoutedToHyparquet(pf: ParquetFile, fields: StructField[], reason: RegExp): Promise<void> {
  assert.equal(readsWithDuckdb(pf, fields), false, 'the router picks hyparquet');
  await assert.rejects(readRowGroupDuckdb(pf, 0, fields), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && reason.test(e.message) && e.message.includes(pf.filePath));
  await assert.rejects(readRowGroupsDuckdb(pf, [0], fields).next(), (e: DeltaError) => e.code === 'UnsupportedReaderFeature' && reason.test(e.message));
}

function assertSameColumns(actual: Record<string, ArrayLike<unknown>>, expected: Record<string, ArrayLike<unknown>>, label: string): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${label}: columns`);
  for (const k of Object.keys(expected)) assert.deepEqual(canonColumn(actual[k]), canonColumn(expected[k]), `${label}: column ${k}`);
}

async function readAll(file: string, fields: StructField[], reader: typeof readRowGroup): Promise<Record<string, unknown[]>> {
  const pf = await openParquet(file);
  const out: Record<string, unknown[]> = Object.fromEntries(fields.map((f) => [f.name, []]));
  for (let g = 0; g < pf.rowGroupRows.length; g++) {
    const r = await reader(pf, g, fields);
    for (const f of fields) out[f.name].push(...Array.from(r[f.name]));
  }
  return out;
}

// Every supported type, nulls, extremes, before-1970 dates and timestamps, microseconds, unicode.
const ALL_TYPES: StructType = {
  type: 'struct',
  fields: [
    field('l', 'long'), field('i', 'integer'), field('s', 'short'), field('b', 'byte'), field('f', 'float'), field('d', 'double'),
    field('bo', 'boolean'), field('st', 'string'), field('bi', 'binary'), field('dt', 'date'), field('ts', 'timestamp'),
    field('dec', 'decimal(10,2)'), field('dec38', 'decimal(38,6)'), field('dec4', 'decimal(4,1)'),
    field('nn_l', 'long', false), field('nn_st', 'string', false),
    field('c_st', 'string'), field('c_ts', 'timestamp'), field('c_null', 'double'), field('typed_l', 'long', false), field('typed_d', 'double', false),
  ],
};
const ts = (iso: string, extraMicros = 0n) => new DeltaTimestamp(BigInt(Date.parse(iso)) * 1000n + extraMicros);
const N = 9;
function allTypesBatch(): Record<string, ArrayLike<unknown>> {
  return {
    l: [0n, 1n, -1n, 9223372036854775807n, -9223372036854775808n, 9223372036854775806n, null, 123456789012345678n, -42n],
    i: [0, 2147483647, -2147483648, null, 7, -7, 1, 0, 100],
    s: [0, 32767, -32768, null, 1, -1, 2, 3, 4],
    b: [0, 127, -128, null, 1, -1, 2, 3, 4],
    f: [0, Math.fround(1.1), -Math.fround(3.4e38), NaN, Infinity, -Infinity, null, Math.fround(1e-40), -0],
    d: [0, 1.1, -1.7976931348623157e308, NaN, Infinity, -Infinity, null, 5e-324, -0],
    bo: [true, false, null, true, true, false, false, null, true],
    st: ['', 'a', 'ünïcødé ✓ 漢字 🎉', null, "quote ' and \" and \\", 'x'.repeat(300), 'tab\tnew\nline', 'a', 'b'],
    bi: [new Uint8Array([]), new Uint8Array([0, 255, 1]), null, new Uint8Array([0xc3]), new Uint8Array([1]), new Uint8Array([2]), new Uint8Array([3]), new Uint8Array([4]), new Uint8Array([5])],
    dt: ['1970-01-01', '1969-12-31', '1900-02-28', '0001-01-01', '9999-12-31', null, '2026-11-23', '1582-10-04', '2000-02-29'],
    ts: [ts('1970-01-01T00:00:00Z'), ts('1969-12-31T23:59:59.999Z', 999n), ts('1900-01-01T00:00:00Z', 1n), null, ts('2026-11-23T12:34:56.789Z', 123n), new DeltaTimestamp(-1n), new DeltaTimestamp(1n), ts('2262-04-11T23:47:16Z'), ts('1677-09-21T00:12:44Z')],
    dec: ['0.00', '12.30', '-99999999.99', null, '0.01', '-0.01', '1.00', '99999999.99', '5.50'],
    dec38: ['0.000000', '99999999999999999999999999999999.999999', '-99999999999999999999999999999999.999999', null, '0.000001', '-1.500000', '3.141593', '1.000000', '2.000000'],
    dec4: ['0.0', '999.9', '-999.9', null, '0.1', '1.0', '2.0', '3.0', '4.0'],
    nn_l: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n],
    nn_st: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'],
    c_st: new Array(N).fill('model-v1 ✓'),
    c_ts: new Array(N).fill(ts('2026-11-23T08:00:00.123Z', 456n)),
    c_null: new Array(N).fill(null),
    typed_l: BigInt64Array.from([9223372036854775807n, -9223372036854775808n, 0n, 1n, -1n, 2n, 3n, 4n, 5n]),
    typed_d: Float64Array.from([NaN, -0, Infinity, -Infinity, 1.5, 2, 3, 4, 5]),
  };
}

describe('parquet-duckdb: the DuckDB Parquet path', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => { dir = await tempDir('parquet-duckdb-'); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('duckdbSupports: flat primitives yes; nested, timestamp_ntz, wide decimals no', () => {
    assert.equal(duckdbSupports(ALL_TYPES.fields), true);
    assert.equal(duckdbSupports([]), true);
    assert.equal(duckdbSupports([field('t', 'timestamp_ntz')]), false);
    assert.equal(duckdbSupports([field('v', 'variant')]), false);
    assert.equal(duckdbSupports([field('x', 'toString')]), false);
    assert.equal(duckdbSupports([field('d', 'decimal(39,2)')]), false);
    assert.equal(duckdbSupports([{ name: 'a', type: { type: 'array', elementType: 'long', containsNull: true }, nullable: true, metadata: {} }]), false);
    assert.equal(duckdbSupports([field('l', 'long'), { name: 's', type: { type: 'struct', fields: [field('x', 'long')] }, nullable: true, metadata: {} }]), false);
  });

  it('round trip of every supported type: DuckDB-written file reads the same with hyparquet and DuckDB', async () => {
    const file = path.join(dir, 'all-duck.parquet');
    const batch = allTypesBatch();
    await writeParquetFileDuckdb(file, ALL_TYPES, N, batch);
    const viaHyparquet = await readAll(file, ALL_TYPES.fields, readRowGroup);
    const viaDuck = await readAll(file, ALL_TYPES.fields, readRowGroupDuckdb);
    assertSameColumns(viaHyparquet, batch, 'hyparquet reads DuckDB file');
    assertSameColumns(viaDuck, batch, 'DuckDB reads DuckDB file');
  });

  it('round trip the other way: hyparquet-written file reads the same with DuckDB as with hyparquet', async () => {
    // Not short/byte: hyparquet-writer 0.17 encodes the INTEGER(16/8) logical type's bitWidth with the wrong
    // thrift type, and strict readers (DuckDB, pyarrow) refuse the whole footer of such a file.
    const schema: StructType = { type: 'struct', fields: ALL_TYPES.fields.filter((f) => f.type !== 'short' && f.type !== 'byte') };
    const file = path.join(dir, 'all-hyp.parquet');
    const batch = allTypesBatch();
    delete batch.s;
    delete batch.b;
    await writeParquetFile(file, schema, N, batch);
    const pf = await openParquet(file);
    const hyp = await readRowGroup(pf, 0, schema.fields);
    const duck = await readRowGroupDuckdb(pf, 0, schema.fields);
    assertSameColumns(duck, hyp, 'DuckDB vs hyparquet');
    assertSameColumns(duck, batch, 'DuckDB vs written');
  });

  it('returns typed arrays for number/long columns without nulls, arrays with null otherwise; absent fields are all null', async () => {
    const file = path.join(dir, 'all-duck.parquet');
    const pf = await openParquet(file);
    const r = await readRowGroupDuckdb(pf, 0, [...ALL_TYPES.fields, field('added_later', 'string'), field('added_long', 'long')]);
    assert.ok(r.typed_l instanceof BigInt64Array);
    assert.ok(r.nn_l instanceof BigInt64Array);
    assert.ok(r.typed_d instanceof Float64Array);
    assert.ok(Array.isArray(r.l) && r.l[6] === null);
    assert.deepEqual(Array.from(r.added_later), new Array(N).fill(null));
    assert.deepEqual(Array.from(r.added_long), new Array(N).fill(null));
    assert.ok(r.ts[0] instanceof DeltaTimestamp);
    // projection and order of fields as asked
    assert.deepEqual(Object.keys(await readRowGroupDuckdb(pf, 0, [field('st', 'string'), field('l', 'long')])), ['st', 'l']);
  });

  it('writes the physical types Spark and delta-rs expect', async () => {
    const file = path.join(dir, 'all-duck.parquet');
    const pf = await openParquet(file);
    const el = Object.fromEntries(pf.meta.schema.slice(1).map((e) => [e.name, e]));
    assert.equal(el.l.type, 'INT64');
    assert.equal(el.i.type, 'INT32');
    assert.equal(el.s.type, 'INT32');
    assert.equal(el.s.converted_type, 'INT_16');
    assert.equal(el.b.converted_type, 'INT_8');
    assert.equal(el.f.type, 'FLOAT');
    assert.equal(el.d.type, 'DOUBLE');
    assert.equal(el.bo.type, 'BOOLEAN');
    assert.equal(el.st.type, 'BYTE_ARRAY');
    assert.equal(el.st.converted_type, 'UTF8');
    assert.equal(el.bi.type, 'BYTE_ARRAY');
    assert.equal(el.dt.converted_type, 'DATE');
    assert.equal(el.ts.type, 'INT64');
    assert.deepEqual(el.ts.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    assert.equal(el.c_ts.type, 'INT64'); // the literal column too
    assert.equal(el.dec.type, 'INT64');
    for (const g of pf.meta.row_groups) for (const c of g.columns) assert.equal(c.meta_data?.codec, 'SNAPPY');
  });

  for (const rowGroupRows of [3000, 4096]) {
    it(`row groups of exactly ${rowGroupRows} rows; each read alone equals its slice (both readers, both writers)`, async () => {
      const schema: StructType = { type: 'struct', fields: [field('user_id', 'long', false), field('p', 'double'), field('name', 'string'), field('day', 'date'), field('run', 'string')] };
      const n = 10_000;
      const batch = {
        user_id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 7n - 3n),
        p: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i / 3)),
        name: Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `user ${i}`)),
        day: Array.from({ length: n }, (_, i) => ['2026-11-23', '1969-07-20', null][i % 3]),
        run: new Array(n).fill('run-1'),
      };
      const want = [rowGroupRows, rowGroupRows, n - 2 * rowGroupRows].flatMap((x) => (x > rowGroupRows ? [rowGroupRows, x - rowGroupRows] : [x]));
      for (const writer of [writeParquetFileDuckdb, writeParquetFile]) {
        const file = path.join(dir, `groups-${rowGroupRows}-${writer.name}.parquet`);
        await writer(file, schema, n, batch, { rowGroupRows });
        const pf = await openParquet(file);
        assert.deepEqual(pf.rowGroupRows, want, `${writer.name}: row groups`);
        let start = 0;
        for (let g = 0; g < pf.rowGroupRows.length; g++) {
          const end = start + pf.rowGroupRows[g];
          const slice = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, Array.prototype.slice.call(v, start, end)]));
          assertSameColumns(await readRowGroupDuckdb(pf, g, schema.fields), slice, `${writer.name} group ${g} via DuckDB`);
          assertSameColumns(await readRowGroup(pf, g, schema.fields), slice, `${writer.name} group ${g} via hyparquet`);
          start = end;
        }
      }
    });
  }

  it('readRowGroupsDuckdb streams runs of row groups in one query, split exactly at row-group boundaries', async () => {
    // 3000-row groups: DuckDB's 2048-row chunks straddle every boundary.
    const schema: StructType = {
      type: 'struct',
      fields: [field('user_id', 'long', false), field('p', 'double'), field('flag', 'boolean'), field('day', 'date'), field('at', 'timestamp'), field('amount', 'decimal(10,2)')],
    };
    const n = 10_000;
    const batch = {
      user_id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i) * 7n - 3n),
      p: Array.from({ length: n }, (_, i) => (i % 11 === 0 ? null : i / 3)),
      flag: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i % 2 === 0)),
      day: Array.from({ length: n }, (_, i) => ['2026-11-23', '1969-07-20', null][i % 3]),
      at: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : new DeltaTimestamp(BigInt(i) * 1_000_001n - 5n))),
      amount: Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : `${i}.${String(i % 100).padStart(2, '0')}`)),
    };
    const file = path.join(dir, 'stream.parquet');
    await writeParquetFileDuckdb(file, schema, n, batch, { rowGroupRows: 3000 });
    const pf = await openParquet(file);
    assert.deepEqual(pf.rowGroupRows, [3000, 3000, 3000, 1000]);
    const sliceOf = (g: number) => {
      const start = g * 3000;
      return Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, Array.prototype.slice.call(v, start, start + pf.rowGroupRows[g])]));
    };
    for (const groups of [[0, 1, 2, 3], [1, 2], [0, 2, 3], [3], [2, 1]]) {
      const got: Record<string, ArrayLike<unknown>>[] = [];
      for await (const r of readRowGroupsDuckdb(pf, groups, schema.fields)) got.push(r);
      assert.equal(got.length, groups.length, `groups ${groups}`);
      groups.forEach((g, k) => assertSameColumns(got[k], sliceOf(g), `groups ${groups}: row group ${g}`));
    }
    // A consumer that stops early, then reads again.
    const partial = readRowGroupsDuckdb(pf, [0, 1, 2], schema.fields);
    assertSameColumns((await partial.next()).value!, sliceOf(0), 'first of a stopped stream');
    await partial.return(undefined);
    const again: Record<string, ArrayLike<unknown>>[] = [];
    for await (const r of readRowGroupsDuckdb(pf, [2, 3], [field('user_id', 'long', false), field('missing', 'long')])) again.push(r);
    assert.deepEqual(Array.from(again[1].user_id), Array.from(batch.user_id.subarray(9000)));
    assert.deepEqual(Array.from(again[1].missing), new Array(1000).fill(null));
    await assert.rejects(readRowGroupsDuckdb(pf, [0, 4], schema.fields).next(), /no row group 4 \(file has 4\)/);
    // With several DuckDB threads the scan still comes back in file order (a process's DuckDB is made once, so
    // in a process of its own).
    const script = `const { openParquet } = require(${JSON.stringify(path.join(repoRoot, 'dist/delta/parquet'))});
      const { readRowGroupsDuckdb } = require(${JSON.stringify(path.join(repoRoot, 'dist/delta/parquet/duckdb-reader'))});
      (async () => { const ids = []; const pf = await openParquet(process.argv[1]);
        for await (const r of readRowGroupsDuckdb(pf, [0, 1, 2, 3], [{ name: 'user_id', type: 'long', nullable: false, metadata: {} }])) ids.push(...Array.from(r.user_id, String));
        console.log(JSON.stringify(ids)); })();`;
    const threaded = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8', env: { ...process.env, BATCH_SCORE_DUCKDB_THREADS: '4' }, maxBuffer: 1 << 24 });
    assert.equal(threaded.status, 0, threaded.stderr);
    assert.deepEqual(JSON.parse(threaded.stdout), Array.from(batch.user_id, String));
  });

  it('writes an empty file and a file whose columns are all constants', async () => {
    const schema: StructType = { type: 'struct', fields: [field('a', 'long'), field('b', 'string')] };
    const empty = path.join(dir, 'empty.parquet');
    await writeParquetFileDuckdb(empty, schema, 0, { a: [], b: [] });
    const pf = await openParquet(empty);
    assert.equal(pf.numRows, 0);
    const consts = path.join(dir, 'consts.parquet');
    await writeParquetFileDuckdb(consts, schema, 5000, { a: new Array(5000).fill(3n), b: new Array(5000).fill('k') }, { rowGroupRows: 3000 });
    const pc = await openParquet(consts);
    assert.deepEqual(pc.rowGroupRows, [3000, 2000]);
    const r = await readRowGroupDuckdb(pc, 1, schema.fields);
    assert.deepEqual(Array.from(r.a), new Array(2000).fill(3n));
    assert.deepEqual(Array.from(r.b), new Array(2000).fill('k'));
  });

  it('refuses bad batches as writeParquetFile does (SchemaMismatch naming column and row, not retryable)', async () => {
    const schema: StructType = { type: 'struct', fields: [field('a', 'long', false), field('b', 'string', false)] };
    const file = path.join(dir, 'bad.parquet');
    const cases: [Record<string, ArrayLike<unknown>>, RegExp][] = [
      [{ a: [1n] }, /batch has no column b/],
      [{ a: [1n, 2n], b: ['x'] }, /column a has 2 values, batch numRows is 1/],
      [{ a: [1n], b: [null] }, /column b is not nullable but row 0 is null/],
      [{ a: [1n], b: ['x', 'y'] }, /column b has 2 values/],
    ];
    for (const [columns, message] of cases) {
      for (const writer of [writeParquetFileDuckdb, writeParquetFile]) {
        await assert.rejects(writer(file, schema, 1, columns), (e: unknown) => e instanceof DeltaError && e.code === 'SchemaMismatch' && !e.retryable && message.test(e.message), `${writer.name} ${message}`);
      }
    }
    await assert.rejects(writeParquetFileDuckdb(file, schema, 2, { a: [1n, null], b: ['x', 'y'] }), /column a is not nullable but row 1 is null/);
    await assert.rejects(writeParquetFileDuckdb(file, schema, 1, { a: ['nope'], b: ['x'] }), (e: unknown) => e instanceof DeltaError && !e.retryable && /column a/.test(e.message));
    await assert.rejects(writeParquetFileDuckdb(file, { type: 'struct', fields: [{ ...field('s', 'long'), type: { type: 'struct', fields: [] } }] }, 0, { s: [] }), /flat primitives/);
  });

  it('reports an unwritable path as a retryable Io error naming the file', async () => {
    const file = path.join(dir, 'no-such-dir', 'x.parquet');
    await assert.rejects(writeParquetFileDuckdb(file, { type: 'struct', fields: [field('a', 'long')] }, 1, { a: [1n] }), (e: unknown) => e instanceof DeltaError && e.code === 'Io' && e.retryable && e.message.includes(file));
  });

  it('concurrent writes and reads in one process do not interfere', async () => {
    const schema: StructType = { type: 'struct', fields: [field('user_id', 'long', false), field('p', 'double'), field('run', 'string')] };
    const jobs = Array.from({ length: 6 }, async (_, k) => {
      const n = 5000 + k * 1000;
      const batch = { user_id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i + k * 1_000_000)), p: Float64Array.from({ length: n }, (_, i) => i * k), run: Array.from({ length: n }, (_, i) => `run-${k}-${i % 3}`) };
      const file = path.join(dir, `concurrent-${k}.parquet`);
      await writeParquetFileDuckdb(file, schema, n, batch, { rowGroupRows: 2048 });
      assertSameColumns(await readAll(file, schema.fields, readRowGroupDuckdb), batch, `job ${k}`);
    });
    await Promise.all(jobs);
  });

  it('pyarrow reads the values and types written, and delta-rs reads a Delta table of such a file', async function () {
    const table = path.join(dir, 'delta-table');
    const schema: StructType = {
      type: 'struct',
      fields: ALL_TYPES.fields,
    };
    await createTable(table, { schema, partitionColumns: [] });
    const batch = allTypesBatch();
    const fileName = 'part-00000-duckdb.snappy.parquet';
    await writeParquetFileDuckdb(path.join(table, fileName), schema, N, batch);
    const st = await fs.stat(path.join(table, fileName));
    await appendFiles(table, [{ path: fileName, partitionValues: {}, size: st.size, modificationTime: Math.floor(st.mtimeMs), dataChange: true, stats: computeStats(schema, N, batch) }]);
    const script = `
import json, sys, math, decimal
import pyarrow.parquet as pq
from deltalake import DeltaTable
def canon(v, wide):
    if v is None: return 'null'
    if isinstance(v, bool): return 'boolean:' + ('true' if v else 'false')
    if isinstance(v, int): return str(v) + ('n' if wide else '')
    if isinstance(v, float):
        if math.isnan(v): return 'NaN'
        if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0: return '-0'
        r = repr(v)
        return r[:-2] if r.endswith('.0') else r
    if isinstance(v, bytes): return 'bytes:' + v.hex()
    return 'string:' + str(v)
def cols(t):
    out = {}
    for name in t.column_names:
        c = t.column(name)
        if str(c.type).startswith('timestamp'): out[name] = ['null' if x is None else 'ts:' + str(x) for x in c.cast('int64').to_pylist()]
        elif str(c.type) == 'date32[day]': out[name] = ['null' if x is None else 'string:' + x.isoformat() for x in c.to_pylist()]
        else: out[name] = [canon(x, str(c.type) == 'int64') for x in c.to_pylist()]
    return out
f = pq.ParquetFile(sys.argv[1])
md = f.metadata
physical = {md.schema.column(i).name: [md.schema.column(i).physical_type, str(md.schema.column(i).logical_type)] for i in range(md.num_columns)}
print(json.dumps({'physical': physical, 'arrow': {n: str(t) for n, t in zip(f.schema_arrow.names, f.schema_arrow.types)}, 'pyarrow': cols(f.read()), 'deltars': cols(DeltaTable(sys.argv[2]).to_pyarrow_table())}))
# deltalake's runtime threads sometimes abort the interpreter at exit: leave without teardown
import os
sys.stdout.flush()
os._exit(0)
`;
    const r = spawnSync(python, ['-c', script, path.join(dir, 'all-duck.parquet'), table], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { physical: Record<string, [string, string]>; arrow: Record<string, string>; pyarrow: Record<string, string[]>; deltars: Record<string, string[]> };
    assert.equal(out.arrow.ts, 'timestamp[us, tz=UTC]');
    assert.equal(out.arrow.s, 'int16');
    assert.equal(out.arrow.b, 'int8');
    assert.equal(out.arrow.dt, 'date32[day]');
    assert.equal(out.arrow.st, 'string');
    assert.equal(out.arrow.dec, 'decimal128(10, 2)');
    assert.deepEqual(out.physical.ts, ['INT64', 'Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)']);
    const expected = allTypesBatch();
    for (const f of ALL_TYPES.fields) {
      assert.deepEqual(out.pyarrow[f.name], canonColumn(expected[f.name]), `pyarrow column ${f.name}`);
      if (schema.fields.includes(f)) assert.deepEqual(out.deltars[f.name], canonColumn(expected[f.name]), `delta-rs column ${f.name}`);
    }
  });

  it('timestamps written by pyarrow as NANOS, MILLIS, MICROS and INT96 come back as the same exact microseconds', async () => {
    const script = `
import sys, pyarrow as pa, pyarrow.parquet as pq
ns = [-1, -1001, -86_400_000_000_001, 0, 1_999, 1_700_000_000_123_456_789, None]
t = pa.table({'ns': pa.array(ns, pa.timestamp('ns', tz='UTC')), 'ms': pa.array([None if x is None else x // 1_000_000 for x in ns], pa.timestamp('ms', tz='UTC')),
              'us': pa.array([None if x is None else x // 1000 for x in ns], pa.timestamp('us', tz='UTC'))})
pq.write_table(t, sys.argv[1] + '/ts-units.parquet', version='2.6', coerce_timestamps=None)
pq.write_table(t.select(['ns']), sys.argv[1] + '/ts-int96.parquet', use_deprecated_int96_timestamps=True)
`;
    const r = spawnSync(python, ['-c', script, dir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const fields = [field('ns', 'timestamp'), field('ms', 'timestamp'), field('us', 'timestamp')];
    const units = await openParquet(path.join(dir, 'ts-units.parquet'));
    assert.deepEqual(units.meta.schema.slice(1).map((e) => (e.logical_type as { unit?: string } | undefined)?.unit), ['NANOS', 'MILLIS', 'MICROS']);
    // MILLIS and MICROS go through DuckDB; the router sends a NANOS column to hyparquet (DuckDB truncates it).
    assert.equal(readsWithDuckdb(units, fields.slice(1)), true);
    assertSameColumns(await readRowGroupDuckdb(units, 0, fields.slice(1)), await readRowGroup(units, 0, fields.slice(1)), 'pyarrow MILLIS, MICROS');
    await assertRoutedToHyparquet(units, fields, /NANOS timestamps/);
    const read = await routed(units, 0, fields);
    assertSameColumns(read, await readRowGroup(units, 0, fields), 'pyarrow units');
    assert.deepEqual(canonColumn(read.ns), ['ts:-1', 'ts:-2', 'ts:-86400000001', 'ts:0', 'ts:1', 'ts:1700000000123456', 'null']); // floored, as hyparquet
    const int96 = await openParquet(path.join(dir, 'ts-int96.parquet'));
    assert.equal(int96.meta.schema[1].type, 'INT96');
    assertSameColumns(await readRowGroupDuckdb(int96, 0, [fields[0]]), await readRowGroup(int96, 0, [fields[0]]), 'pyarrow INT96');
  });

  it('reads and writes paths with glob characters as plain file names', async () => {
    const weird = path.join(dir, 'we[ir]d {x}?*');
    await fs.mkdir(weird, { recursive: true });
    const file = path.join(weird, 'a?.parquet');
    const schema: StructType = { type: 'struct', fields: [field('a', 'long'), field('b', 'string')] };
    await writeParquetFileDuckdb(file, schema, 3, { a: [1n, null, 3n], b: ['x', 'y', null] });
    const pf = await openParquet(file);
    await assertRoutedToHyparquet(pf, schema.fields, /glob characters/);
    assertSameColumns(await routed(pf, 0, schema.fields), { a: [1n, null, 3n], b: ['x', 'y', null] }, 'glob path');
  });

  it('reads files whose column names DuckDB would resolve differently exactly (case-only duplicates, file_row_number)', async () => {
    const schema: StructType = { type: 'struct', fields: [field('a', 'long'), field('A', 'string'), field('file_row_number', 'long')] };
    const file = path.join(dir, 'names.parquet');
    const batch = { a: [1n, 2n], A: ['x', null], file_row_number: [7n, 8n] };
    await writeParquetFile(file, schema, 2, batch);
    const pf = await openParquet(file);
    await assertRoutedToHyparquet(pf, schema.fields, /differ only in case/);
    assertSameColumns(await routed(pf, 0, schema.fields), batch, 'names');
    const rowNumber = path.join(dir, 'row-number.parquet');
    await writeParquetFile(rowNumber, { type: 'struct', fields: [schema.fields[0], schema.fields[2]] }, 2, { a: batch.a, file_row_number: batch.file_row_number });
    const pr = await openParquet(rowNumber);
    await assertRoutedToHyparquet(pr, [schema.fields[0], schema.fields[2]], /file_row_number/);
    assertSameColumns(await routed(pr, 0, [schema.fields[0], schema.fields[2]]), { a: batch.a, file_row_number: batch.file_row_number }, 'file_row_number');
  });

  it('every flat column of every golden data file reads the same through DuckDB as through hyparquet', async function () {
    this.timeout(20 * 60_000);
    const tables = (await fs.readdir(goldenRoot, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    let files = 0;
    let groups = 0;
    let routedAway = 0;
    let copied = 0;
    const tablesCompared = new Set<string>();
    for (const name of tables) {
      const tablePath = path.join(goldenRoot, name);
      let snapshot;
      try {
        snapshot = await openTable(tablePath);
      } catch {
        continue; // tables we refuse (or that have no log) have no schema to read by
      }
      // widened columns (delta.typeChanges) never take the DuckDB path: readDataFile routes them to hyparquet
      const fields = snapshot.schema.fields.filter((f) => !snapshot.partitionColumns.includes(f.name) && f.metadata?.['delta.typeChanges'] === undefined).map(physicalField).filter((f) => duckdbSupports([f]));
      if (fields.length === 0) continue;
      for (const add of snapshot.files()) {
        const pf = await openParquet(dataFilePath(tablePath, add.path)).catch(() => undefined);
        if (!pf) continue;
        if (!readsWithDuckdb(pf, fields)) {
          // a file DuckDB would read inexactly (NANOS timestamps, names differing in case): the router reads it
          // with hyparquet, and the DuckDB reader refuses it rather than return other values
          await assert.rejects(readRowGroupDuckdb(pf, 0, fields), (e: DeltaError) => e.code === 'UnsupportedReaderFeature', `${name}/${add.path}`);
          routedAway++;
          continue;
        }
        const all: Record<string, ArrayLike<unknown>>[] = [];
        for (let g = 0; g < pf.rowGroupRows.length; g++) {
          let hyp: Record<string, ArrayLike<unknown>> | Error;
          try {
            hyp = await readRowGroup(pf, g, fields);
          } catch (err) {
            hyp = err as Error;
          }
          if (hyp instanceof Error) {
            await assert.rejects(readRowGroupDuckdb(pf, g, fields), DeltaError, `${name}/${add.path}: hyparquet refused (${hyp.message}), DuckDB must too`);
            continue;
          }
          assertSameColumns(await readRowGroupDuckdb(pf, g, fields), hyp, `${name}/${add.path} row group ${g}`);
          all.push(hyp);
          groups++;
        }
        if (all.length === pf.rowGroupRows.length) {
          // and the whole file as one stream (one query for the run, where the columns allow it)
          let g = 0;
          for await (const r of readRowGroupsDuckdb(pf, pf.rowGroupRows.map((_, i) => i), fields)) assertSameColumns(r, all[g], `${name}/${add.path} streamed row group ${g++}`);
          assert.equal(g, all.length);
          // The same file as an object store's (ranged gets): DuckDB on a sparse local copy holding only the
          // ranges of the row groups asked for, one row group at a time, then all of them in one read.
          const key = path.relative(tablePath, dataFilePath(tablePath, add.path)).split(path.sep).join('/');
          const remote = await openParquetObject(storeFor(tablePath), key, `remote://${name}/${key}`);
          assert.equal(readsWithDuckdb(remote, fields), true, `${name}/${add.path} on a store reads through DuckDB`);
          for (let k = 0; k < all.length; k++) {
            for await (const r of readRowGroups(remote, [k], fields)) assertSameColumns(r, all[k], `${name}/${add.path} copied row group ${k}`);
          }
          let c = 0;
          for await (const r of readRowGroups(remote, all.map((_, i) => i), fields)) assertSameColumns(r, all[c], `${name}/${add.path} copied, streamed row group ${c++}`);
          assert.equal(c, all.length);
          copied++;
        }
        files++;
        tablesCompared.add(name);
      }
    }
    console.log(`      compared ${groups} row groups of ${files} files in ${tablesCompared.size} golden tables (${copied} also as objects, through a local copy); ${routedAway} files routed to hyparquet`);
    assert.ok(copied >= 40, `only ${copied} files compared as objects`);
    assert.ok(tablesCompared.size >= 40, `only ${tablesCompared.size} tables compared`);
    for (const t of ['kernel-timestamp-INT96', 'kernel-timestamp-TIMESTAMP_MILLIS', 'kernel-timestamp-TIMESTAMP_MICROS', 'kernel-timestamp-PST', 'data-reader-primitives', 'data-reader-partition-values', 'parquet-all-types']) {
      assert.ok(tablesCompared.has(t), `golden table ${t} compared`);
    }
  });
});
