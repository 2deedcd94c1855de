/**
 * The Parquet router (delta/parquet/router.ts) is the one place that picks a data file's writer and reader: a
 * scoring unit's typed arrays and constants take the plain writer, other flat columns DuckDB, nested columns
 * (and a file of no columns) hyparquet-writer; widened columns are read by hyparquet, and flat columns of a file
 * on an object store by DuckDB on a sparse local copy of the ranges it reads. What it picks is seen in the file:
 * its name suffix, and the writer named in the footer; and for reads, in the gets and the temp folder.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConstantColumn, StructField, StructType } from '../../../delta';
import { ByteRange, ObjectStore, storeFor } from '../../../delta';
import { openParquet, openParquetObject, parquetWriterFor, readRowGroups, readsWithDuckdb } from '../../../delta/parquet';
import { tempDir } from '../helpers';

const field = (name: string, type: StructField['type'], nullable = true, metadata: Record<string, unknown> = {}): StructField => ({ name, type, nullable, metadata });

async function writtenBy(choice: ReturnType<typeof parquetWriterFor>, schema: StructType, numRows: number, columns: Record<string, unknown>): Promise<string> {
  const file = path.join(await tempDir('router-'), `f${choice.suffix}.parquet`);
  await choice.write(file, schema, numRows, columns as never, {});
  return String((await openParquet(file)).meta.created_by ?? '');
}

describe('parquet router: which writer and reader a data file gets', function () {
  this.timeout(30_000);

  it('typed arrays and constants (a scoring unit) take the plain writer, uncompressed, no .snappy suffix', async () => {
    const schema: StructType = { type: 'struct', fields: [field('id', 'long', false), field('p', 'double'), field('m', 'string')] };
    const columns = { id: new BigInt64Array([1n, 2n]), p: new Float64Array([0.5, 0.25]), m: new ConstantColumn('lr', 2) };
    const choice = parquetWriterFor(schema.fields, columns);
    assert.equal(choice.suffix, '');
    assert.match(await writtenBy(choice, schema, 2, columns), /plain writer/);
  });

  it('other flat primitive columns take DuckDB (snappy)', async () => {
    const schema: StructType = { type: 'struct', fields: [field('id', 'long', false), field('name', 'string')] };
    const columns = { id: [1n, 2n], name: ['a', null] };
    const choice = parquetWriterFor(schema.fields, columns);
    assert.equal(choice.suffix, '.snappy');
    assert.match(await writtenBy(choice, schema, 2, columns), /DuckDB/i);
  });

  it('nested columns, and a file with no data columns, take hyparquet-writer (snappy)', async () => {
    const nested: StructType = { type: 'struct', fields: [field('tags', { type: 'array', elementType: 'string', containsNull: true })] };
    const choice = parquetWriterFor(nested.fields, { tags: [['x'], null] });
    assert.equal(choice.suffix, '.snappy');
    assert.match(await writtenBy(choice, nested, 2, { tags: [['x'], null] }), /hyparquet-writer/);
    const empty: StructType = { type: 'struct', fields: [] };
    assert.match(await writtenBy(parquetWriterFor([], {}), empty, 3, {}), /hyparquet-writer/);
  });

  it('widened columns are read by hyparquet, which rescales stored decimals to the table type', async () => {
    const stored: StructType = { type: 'struct', fields: [field('d', 'decimal(5,1)')] };
    const file = path.join(await tempDir('router-'), 'widened.parquet');
    await parquetWriterFor(stored.fields, { d: ['1.5', '-2.0'] }).write(file, stored, 2, { d: ['1.5', '-2.0'] }, {});
    const widened = field('d', 'decimal(7,3)', true, { 'delta.typeChanges': [{ fromType: 'decimal(5,1)', toType: 'decimal(7,3)' }] });
    const [batch] = await toArray(readRowGroups(await openParquet(file), [0], [widened]));
    assert.deepEqual(Array.from(batch.d), ['1.500', '-2.000']);
  });

  it('a file on an object store is read by ranged gets of only the asked row groups\' chunks, through DuckDB on a local copy removed after the read', async () => {
    const schema: StructType = { type: 'struct', fields: [field('id', 'long', false), field('name', 'string'), field('score', 'double')] };
    // Row groups of 50,000 rows: each chunk is larger than the gap below which ranges are fetched as one, and the
    // file larger than the tail kept from the footer read.
    const rows = 150_000;
    const columns = {
      id: Array.from({ length: rows }, (_, i) => BigInt(i) * 2654435761n % 1099511627776n),
      name: Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : `user ${i}`)),
      score: Array.from({ length: rows }, (_, i) => Math.sin(i)),
    };
    const dir = await tempDir('router-');
    await parquetWriterFor(schema.fields, columns).write(path.join(dir, 'flat.snappy.parquet'), schema, rows, columns, { rowGroupRows: 50_000 });
    // The same folder seen as a remote store: not the local store, so no path DuckDB could open.
    const local = storeFor(dir);
    const gets: (ByteRange | undefined)[] = [];
    const remote: ObjectStore = {
      location: 'remote://bucket/t',
      list: (p) => local.list(p),
      listKeys: (p) => local.listKeys(p),
      head: (k) => local.head(k),
      get: (k, r) => (gets.push(r), local.get(k, r)),
      put: (k, b) => local.put(k, b),
      putIfAbsent: (k, b) => local.putIfAbsent(k, b),
      putFile: (k, f) => local.putFile(k, f),
      delete: (k) => local.delete(k),
    };
    const pf = await openParquetObject(remote, 'flat.snappy.parquet', 'remote://bucket/t/flat.snappy.parquet');
    assert.equal(pf.local, false);
    assert.deepEqual(pf.rowGroupRows, [50_000, 50_000, 50_000]);
    const fields = [schema.fields[0], schema.fields[1]];
    assert.equal(readsWithDuckdb(pf, fields), true);
    const copies = async () => (await fs.readdir(os.tmpdir())).filter((n) => n.startsWith('batch-score-read-')).sort();
    const before = await copies();
    gets.length = 0;
    const batches = await toArray(readRowGroups(pf, [1, 2], fields));
    assert.deepEqual(batches.flatMap((b) => Array.from(b.id)), columns.id.slice(50_000));
    assert.deepEqual(batches.flatMap((b) => Array.from(b.name)), columns.name.slice(50_000));
    assert.ok(gets.length > 0 && gets.every((r) => r !== undefined), 'every read is a ranged get, never the whole object');
    // Only row groups 1 and 2 of id and name were fetched (besides the magic and the footer): never row group 0,
    // never the score column.
    const chunk = (g: number, c: number) => {
      const m = pf.meta.row_groups[g].columns[c].meta_data!;
      const start = Number(m.dictionary_page_offset || m.data_page_offset);
      return [start, start + Number(m.total_compressed_size)];
    };
    const fetched = (a: number, b: number) => gets.some((r) => r!.offset < b && a < r!.offset + r!.length);
    for (const c of [0, 1, 2]) assert.equal(fetched(...(chunk(0, c) as [number, number])), false, `row group 0 column ${c} not fetched`);
    for (const g of [1, 2]) assert.equal(fetched(...(chunk(g, 2) as [number, number])), false, `row group ${g} score not fetched`);
    assert.deepEqual(await copies(), before, 'the local copy is removed after the read');
    // A consumer that stops after the first row group removes the copy too.
    for await (const b of readRowGroups(pf, [0, 1], fields)) {
      assert.equal(b.id.length, 50_000);
      break;
    }
    assert.deepEqual(await copies(), before, 'the local copy is removed when the reader stops early');
    // Widened columns on a store still read through hyparquet.
    const widened = field('id', 'long', false, { 'delta.typeChanges': [{ fromType: 'integer', toType: 'long' }] });
    assert.equal(readsWithDuckdb(pf, [widened]), false);
  });
});

async function toArray<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}
