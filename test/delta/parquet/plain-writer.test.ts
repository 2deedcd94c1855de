/**
 * The plain Parquet writer (delta/parquet/plain-writer.ts), the path every scoring unit's Gold file takes:
 * typed arrays and constants of every type it takes, read back by both of our readers and by pyarrow (values
 * and footer statistics), a Delta table of such files read by delta-rs, its add.stats equal to the generic
 * path's, and the routing and refusals.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  ConstantColumn, DeltaError, DeltaTimestamp, StructField, StructType, WriteColumn, appendFiles, computeStats, createTable, openTable,
  scanTable, writeDataFile,
} from '../../../delta';
import { rowValues } from '../../../delta/parquet';
import { openParquet, readRowGroup } from '../../../delta/parquet';
import { readRowGroupDuckdb } from '../../../delta/parquet';
import { plainWritable, writeParquetFilePlain } from '../../../delta/parquet/plain-writer';
import { canonValue, python, tempDir } from '../helpers';

const field = (name: string, type: string, nullable = true): StructField => ({ name, type, nullable, metadata: {} });

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('id', 'long', false), field('i', 'integer'), field('f', 'float'), field('d', 'double'), field('flag', 'boolean'),
    field('c_long', 'long'), field('c_int', 'integer'), field('c_short', 'short'), field('c_byte', 'byte'), field('c_float', 'float'),
    field('c_double', 'double'), field('c_bool', 'boolean'), field('c_str', 'string', false), field('c_long_str', 'string'),
    field('c_bin', 'binary'), field('c_date', 'date'), field('c_ts', 'timestamp'), field('c_null', 'double'), field('c_zero', 'double'),
  ],
};
const N = 8;
const LONG_STRING = 'modèle ✓ 漢字 🎉 '.repeat(4); // over 32 characters: stats keep a prefix as min and no max
const TS = new DeltaTimestamp(1_795_427_696_789_123n);

function batch(): Record<string, WriteColumn> {
  return {
    id: BigInt64Array.from([9223372036854775807n, -9223372036854775808n, 0n, 1n, -1n, 42n, 7n, 8n]),
    i: Int32Array.from([2147483647, -2147483648, 0, -0, 5, 6, 7, 8]),
    f: Float32Array.from([Math.fround(1.1), -Math.fround(3.4e38), NaN, Infinity, -Infinity, Math.fround(1e-40), -0, 0]),
    d: Float64Array.from([NaN, -0, 5e-324, -1.7976931348623157e308, 0.5, 1, 0.25, 1e300]),
    flag: Uint8Array.from([1, 0, 0, 1, 1, 0, 2, 0]),
    c_long: new ConstantColumn(-5n, N),
    c_int: new ConstantColumn(-7, N),
    c_short: new ConstantColumn(-32768, N),
    c_byte: new ConstantColumn(127, N),
    c_float: new ConstantColumn(Math.fround(2.5), N),
    c_double: new ConstantColumn(0.1, N),
    c_bool: new ConstantColumn(false, N),
    c_str: new ConstantColumn('purchase_propensity', N),
    c_long_str: new ConstantColumn(LONG_STRING, N),
    c_bin: new ConstantColumn(new Uint8Array([0, 255, 7]), N),
    c_date: new ConstantColumn('1969-07-20', N),
    c_ts: new ConstantColumn(TS, N),
    c_null: new ConstantColumn(null, N),
    c_zero: new ConstantColumn(0, N),
  };
}

/** The values our readers return for the batch: booleans for flag bytes, constants repeated. */
function expectedRows(): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [name, col] of Object.entries(batch())) {
    const values = Array.from(rowValues(col));
    out[name] = name === 'flag' ? values.map((b) => b !== 0) : values;
  }
  return out;
}

async function readAll(file: string, reader: typeof readRowGroup): Promise<Record<string, string[]>> {
  const pf = await openParquet(file);
  const out: Record<string, string[]> = Object.fromEntries(SCHEMA.fields.map((f) => [f.name, []]));
  for (let g = 0; g < pf.rowGroupRows.length; g++) {
    const r = await reader(pf, g, SCHEMA.fields);
    for (const f of SCHEMA.fields) out[f.name].push(...Array.from(r[f.name], canonValue));
  }
  return out;
}

const PYARROW_SCRIPT = `
import json, sys, math
import pyarrow.parquet as pq
def canon(v):
    if v is None: return 'null'
    if isinstance(v, bool): return 'boolean:' + ('true' if v else 'false')
    if isinstance(v, int): return str(v)
    if isinstance(v, float):
        if math.isnan(v): return 'NaN'
        if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0: return '-0'
        return repr(v)
    if isinstance(v, bytes): return 'bytes:' + v.hex()
    return 'string:' + str(v)
f = pq.ParquetFile(sys.argv[1])
md = f.metadata
groups = []
for g in range(md.num_row_groups):
    rg = md.row_group(g)
    cols = {}
    for c in range(rg.num_columns):
        col = rg.column(c)
        s = col.statistics
        raw = s.physical_type == 'INT64'  # timestamps as their microseconds
        lo, hi = (s.min_raw, s.max_raw) if raw else (s.min, s.max)
        cols[col.path_in_schema] = {'codec': col.compression, 'nulls': s.null_count, 'min': canon(lo) if s.has_min_max else None, 'max': canon(hi) if s.has_min_max else None}
    groups.append({'rows': rg.num_rows, 'columns': cols})
t = f.read()
values = {n: [canon(x) for x in (t.column(n).cast('int64') if str(t.column(n).type).startswith('timestamp') else t.column(n)).to_pylist()] for n in t.column_names}
print(json.dumps({'groups': groups, 'values': values, 'types': {n: str(t.schema.field(n).type) for n in t.column_names}}))
`;

describe('parquet-plain-writer: typed arrays and constants, written as they are', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => { dir = await tempDir('parquet-plain-'); });
  after(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('plainWritable: only when every column is a typed array of its type or a constant of a flat type', () => {
    assert.equal(plainWritable(SCHEMA.fields, batch()), true);
    const f = [field('a', 'long')];
    assert.equal(plainWritable(f, { a: [1n, 2n] }), false, 'a plain array');
    assert.equal(plainWritable(f, { a: Float64Array.from([1]) }), false, 'a typed array of another kind');
    assert.equal(plainWritable([field('s', 'string')], { s: ['x'] }), false);
    assert.equal(plainWritable([field('x', 'decimal(10,2)')], { x: new ConstantColumn('1.00', 1) }), false);
    assert.equal(plainWritable([field('t', 'timestamp_ntz')], { t: new ConstantColumn(TS, 1) }), false);
    assert.equal(plainWritable([], {}), false);
  });

  it('both our readers read back every value, across row groups of 3, 3 and 2 rows', async () => {
    const file = path.join(dir, 'all.parquet');
    await writeParquetFilePlain(file, SCHEMA, N, batch(), { rowGroupRows: 3 });
    const pf = await openParquet(file);
    assert.deepEqual(pf.rowGroupRows, [3, 3, 2]);
    const want = Object.fromEntries(Object.entries(expectedRows()).map(([k, v]) => [k, v.map(canonValue)]));
    assert.deepEqual(await readAll(file, readRowGroup), want, 'hyparquet');
    assert.deepEqual(await readAll(file, readRowGroupDuckdb), want, 'DuckDB');
  });

  it('pyarrow reads the same values and types, uncompressed, with exact footer statistics per row group', async () => {
    const file = path.join(dir, 'all.parquet');
    const r = spawnSync(python, ['-c', PYARROW_SCRIPT, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      groups: { rows: number; columns: Record<string, { codec: string; nulls: number; min: string | null; max: string | null }> }[];
      values: Record<string, string[]>;
      types: Record<string, string>;
    };
    assert.deepEqual(out.types, {
      id: 'int64', i: 'int32', f: 'float', d: 'double', flag: 'bool', c_long: 'int64', c_int: 'int32', c_short: 'int16', c_byte: 'int8',
      c_float: 'float', c_double: 'double', c_bool: 'bool', c_str: 'string', c_long_str: 'string', c_bin: 'binary', c_date: 'date32[day]',
      c_ts: 'timestamp[us, tz=UTC]', c_null: 'double', c_zero: 'double',
    });
    assert.deepEqual(out.values.id, ['9223372036854775807', '-9223372036854775808', '0', '1', '-1', '42', '7', '8']);
    assert.deepEqual(out.values.flag, ['true', 'false', 'false', 'true', 'true', 'false', 'true', 'false'].map((b) => `boolean:${b}`));
    assert.deepEqual(out.values.f.slice(2, 5), ['NaN', 'Infinity', '-Infinity']);
    assert.deepEqual(out.values.c_ts, new Array(N).fill(String(TS.micros)));
    assert.deepEqual(out.values.c_date, new Array(N).fill('string:1969-07-20'));
    assert.deepEqual(out.values.c_long_str, new Array(N).fill(`string:${LONG_STRING}`));
    assert.deepEqual(out.values.c_bin, new Array(N).fill('bytes:00ff07'));
    assert.deepEqual(out.values.c_null, new Array(N).fill('null'));
    assert.deepEqual(out.groups.map((g) => g.rows), [3, 3, 2]);
    for (const g of out.groups) for (const c of Object.values(g.columns)) assert.equal(c.codec, 'UNCOMPRESSED');
    const [g0, g1, g2] = out.groups.map((g) => g.columns);
    assert.deepEqual(g0.id, { codec: 'UNCOMPRESSED', nulls: 0, min: '-9223372036854775808', max: '9223372036854775807' });
    assert.deepEqual(g1.id, { codec: 'UNCOMPRESSED', nulls: 0, min: '-1', max: '42' });
    assert.deepEqual([g0.d.min, g0.d.max], ['-0', '5e-324']); // NaN left out; a zero min is -0
    assert.deepEqual([g1.d.min, g1.d.max], ['-1.7976931348623157e+308', '1.0']);
    assert.deepEqual([g2.f.min, g2.f.max], ['-0', '0.0']); // -0 and 0: min -0, max +0
    assert.deepEqual([g0.flag.min, g0.flag.max], ['boolean:false', 'boolean:true']);
    assert.deepEqual([g2.flag.min, g2.flag.max], ['boolean:false', 'boolean:true']);
    assert.deepEqual([g0.c_str.min, g0.c_str.max], ['string:purchase_propensity', 'string:purchase_propensity']);
    assert.deepEqual([g0.c_ts.min, g0.c_ts.max], [String(TS.micros), String(TS.micros)]);
    assert.deepEqual(g0.c_null, { codec: 'UNCOMPRESSED', nulls: 3, min: null, max: null });
    assert.deepEqual([g0.c_zero.min, g0.c_zero.max], ['-0', '0.0']);
  });

  it('an empty file has no row groups and reads as zero rows everywhere', async () => {
    const file = path.join(dir, 'empty.parquet');
    const schema: StructType = { type: 'struct', fields: [field('id', 'long', false), field('run', 'string')] };
    await writeParquetFilePlain(file, schema, 0, { id: new BigInt64Array(0), run: new ConstantColumn('r', 0) });
    const pf = await openParquet(file);
    assert.equal(pf.numRows, 0);
    assert.deepEqual(pf.rowGroupRows, []);
    const r = spawnSync(python, ['-c', 'import sys, pyarrow.parquet as pq; print(pq.read_table(sys.argv[1]).num_rows)', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0');
  });

  it('refuses columns of the wrong length and a null constant in a non-nullable column, naming the column', async () => {
    const file = path.join(dir, 'bad.parquet');
    const schema: StructType = { type: 'struct', fields: [field('id', 'long', false), field('run', 'string', false)] };
    const refuses = (columns: Record<string, WriteColumn>, numRows: number, message: RegExp) =>
      assert.rejects(writeParquetFilePlain(file, schema, numRows, columns), (e: unknown) => e instanceof DeltaError && e.code === 'SchemaMismatch' && !e.retryable && message.test(e.message));
    await refuses({ id: new BigInt64Array(2), run: new ConstantColumn('r', 3) }, 2, /column run has 3 values, batch numRows is 2/);
    await refuses({ id: new BigInt64Array(2), run: new ConstantColumn(null, 2) }, 2, /column run is not nullable but row 0 is null/);
    await assert.rejects(writeParquetFilePlain(file, schema, 1, { id: [1n], run: new ConstantColumn('r', 1) }), /not all typed arrays or constants/);
  });

  it('writeDataFile takes this path for typed arrays and constants: add.stats equal the generic path, delta-rs reads the rows', async () => {
    const table = path.join(dir, 'table');
    const schema: StructType = { type: 'struct', fields: [...SCHEMA.fields, field('day', 'date')] };
    await createTable(table, { schema, partitionColumns: ['day'] });
    const add = await writeDataFile(table, { schema, partitionColumns: ['day'], partitionValues: { day: '2026-11-23' }, batch: { numRows: N, columns: batch() }, rowGroupRows: 3 });
    assert.match(add.path, /^day=2026-11-23\/part-[0-9a-f-]+\.parquet$/, 'uncompressed: no .snappy in the name');
    const rows = Object.fromEntries(Object.entries(batch()).map(([k, c]) => [k, Array.from(rowValues(c))]));
    const dataSchema: StructType = { type: 'struct', fields: SCHEMA.fields };
    assert.equal(add.stats, computeStats(dataSchema, N, rows), 'fast stats = stats of the same values as plain arrays');
    const stats = JSON.parse(add.stats!);
    assert.equal(stats.minValues.id, -9223372036854775808);
    assert.equal(stats.maxValues.d, 1e300);
    assert.equal(stats.nullCount.c_null, N);
    assert.equal(stats.minValues.c_long_str, [...LONG_STRING].slice(0, 32).join(''));
    assert.equal(stats.maxValues.c_long_str, undefined);
    await appendFiles(table, [add]);
    // ours, through the table
    const snapshot = await openTable(table);
    let count = 0;
    for await (const b of scanTable(snapshot)) count += b.numRows;
    assert.equal(count, N);
    const script = `
import json, sys, os
from deltalake import DeltaTable
t = DeltaTable(sys.argv[1]).to_pyarrow_table()
print(json.dumps({'rows': t.num_rows, 'id': [str(x) for x in t.column('id').to_pylist()], 'flag': t.column('flag').to_pylist(), 'c_str': t.column('c_str').to_pylist(), 'c_ts': [str(x) for x in t.column('c_ts').cast('int64').to_pylist()]}))
sys.stdout.flush()
os._exit(0)
`;
    const r = spawnSync(python, ['-c', script, table], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.rows, N);
    assert.deepEqual(out.id, ['9223372036854775807', '-9223372036854775808', '0', '1', '-1', '42', '7', '8']);
    assert.deepEqual(out.flag, [true, false, false, true, true, false, true, false]);
    assert.deepEqual(out.c_str, new Array(N).fill('purchase_propensity'));
    assert.deepEqual(out.c_ts, new Array(N).fill(String(TS.micros)));
  });
});
