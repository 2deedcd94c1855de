/**
 * The library adapters (delta/parquet/*-adapter.ts) hold everything the Delta layer takes from hyparquet,
 * hyparquet-writer and @duckdb/node-api, including internals that are not public API. An upgrade that changes
 * one of them must fail here, naming what changed, before it can misread a file: versions pinned exactly and
 * installed, every internal present with the arity it is called with, and a known small file decoding to known
 * values through each library.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConstantColumn, StructType } from '../../../delta';
import * as duckdb from '../../../delta/parquet/duckdb-adapter';
import { readRowGroupDuckdb } from '../../../delta/parquet/duckdb-reader';
import { writeParquetFileDuckdb } from '../../../delta/parquet/duckdb-writer';
import { openParquet } from '../../../delta/parquet/file';
import * as hyparquet from '../../../delta/parquet/hyparquet-adapter';
import * as hyparquetWriter from '../../../delta/parquet/hyparquet-writer-adapter';
import { readLeafRows } from '../../../delta/parquet/leaf-reader';
import { writeParquetFilePlain } from '../../../delta/parquet/plain-writer';
import { readRowGroup } from '../../../delta/parquet/row-group-reader';
import { writeParquetFile } from '../../../delta/parquet/writer';
import { REPO_ROOT, tempDir } from '../../support/processes';

/** Each library: the version its adapter pins, and the functions taken from it with the arity they have. */
const LIBRARIES = [
  {
    name: 'hyparquet',
    pinned: hyparquet.HYPARQUET_VERSION,
    adapter: hyparquet as unknown as Record<string, unknown>,
    functions: {
      parquetMetadataAsync: 1, parquetRead: 1, parquetHeader: 1, convert: 2, convertWithDictionary: 4, decompressPage: 4,
      readDataPage: 3, readDataPageV2: 3, readRleBitPackedHybrid: 4, readPlain: 4, getMaxDefinitionLevel: 1,
      getMaxRepetitionLevel: 1, getSchemaPath: 2, hyparquetSnappyUncompress: 2,
    },
  },
  {
    name: 'hyparquet-writer',
    pinned: hyparquetWriter.HYPARQUET_WRITER_VERSION,
    adapter: hyparquetWriter as unknown as Record<string, unknown>,
    functions: { fileWriter: 1, parquetWrite: 1, ByteWriter: 0, writePageHeader: 2, writeMetadata: 3, snappyCompress: 1 },
  },
  {
    name: '@duckdb/node-api',
    pinned: duckdb.DUCKDB_VERSION,
    adapter: duckdb as unknown as Record<string, unknown>,
    functions: {},
  },
];

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'p', type: 'double', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
  ],
};
const ROWS = { id: [1n, 2n, 3n], p: [0.25, null, 1.5], name: ['a', null, 'ccc'], day: ['2026-01-02', '1970-01-01', null] };

function plainRows(col: ArrayLike<unknown>): unknown[] {
  return Array.from(col);
}

describe('library adapters: what an upgrade of hyparquet, hyparquet-writer or DuckDB must not change', function () {
  this.timeout(60_000);

  for (const lib of LIBRARIES) {
    it(`${lib.name}: package.json pins exactly the version the adapter was written for, and it is installed`, async () => {
      const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'package.json'), 'utf8'));
      assert.equal(pkg.dependencies[lib.name], lib.pinned, `package.json: ${lib.name} must be pinned exactly to ${lib.pinned} (the adapter relies on its internals); got ${pkg.dependencies[lib.name]}`);
      const installed = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'node_modules', ...lib.name.split('/'), 'package.json'), 'utf8'));
      assert.equal(installed.version, lib.pinned, `node_modules/${lib.name} is ${installed.version}, the adapter was written for ${lib.pinned}: check what the adapter relies on, then update the pin and this test`);
    });

    if (Object.keys(lib.functions).length > 0) {
      it(`${lib.name}: every function the adapter takes exists with the arity it is called with`, () => {
        const changed: string[] = [];
        for (const [fn, arity] of Object.entries(lib.functions)) {
          const f = lib.adapter[fn];
          if (typeof f !== 'function') changed.push(`${fn} is missing (${typeof f})`);
          else if (f.length !== arity) changed.push(`${fn} takes ${f.length} parameters, the adapter expects ${arity}`);
        }
        assert.deepEqual(changed, [], `${lib.name} changed what its adapter relies on: ${changed.join('; ')}`);
      });
    }
  }

  it('hyparquet: DEFAULT_PARSERS has the parsers the leaf reader overrides', () => {
    for (const p of ['timestampFromMilliseconds', 'timestampFromMicroseconds', 'timestampFromNanoseconds', 'dateFromDays']) {
      assert.equal(typeof (hyparquet.DEFAULT_PARSERS as unknown as Record<string, unknown>)[p], 'function', `hyparquet DEFAULT_PARSERS.${p} is gone`);
    }
  });

  it('a known small file decodes to known values through each writer and reader', async () => {
    const dir = await tempDir('adapters');
    const files = {
      'hyparquet-writer': path.join(dir, 'hyparquet.parquet'),
      duckdb: path.join(dir, 'duckdb.parquet'),
    };
    await writeParquetFile(files['hyparquet-writer'], SCHEMA, 3, ROWS);
    await writeParquetFileDuckdb(files.duckdb, SCHEMA, 3, ROWS);
    const want = { id: [1n, 2n, 3n], p: [0.25, null, 1.5], name: ['a', null, 'ccc'], day: ['2026-01-02', '1970-01-01', null] };
    for (const [writer, file] of Object.entries(files)) {
      const pf = await openParquet(file);
      assert.deepEqual(pf.rowGroupRows, [3], `${writer}: footer read through hyparquet`);
      for (const [reader, read] of [['hyparquet', readRowGroup], ['duckdb', readRowGroupDuckdb]] as const) {
        const got = await read(pf, 0, SCHEMA.fields);
        for (const [name, values] of Object.entries(want)) assert.deepEqual(plainRows(got[name]), values, `${writer} file, ${reader} reader, column ${name}`);
      }
      // The checkpoint leaf reader decodes pages with hyparquet's internals (page header, levels, dictionary, plain).
      const whole = await openParquet(file, { inMemory: true });
      assert.deepEqual(plainRows(await readLeafRows(whole, 0, ['name'])), ['a', null, 'ccc'], `${writer} file, leaf reader, strings`);
      assert.deepEqual(plainRows(await readLeafRows(whole, 0, ['id'])), [1n, 2n, 3n], `${writer} file, leaf reader, longs`);
    }
    // The plain writer encodes pages and footer with hyparquet-writer's internals (byte writer, page header, metadata).
    const plain = path.join(dir, 'plain.parquet');
    const schema: StructType = { type: 'struct', fields: [SCHEMA.fields[0], { name: 'c', type: 'string', nullable: true, metadata: {} }] };
    await writeParquetFilePlain(plain, schema, 3, { id: new BigInt64Array([5n, 6n, 7n]), c: new ConstantColumn('k', 3) });
    const pf = await openParquet(plain);
    for (const [reader, read] of [['hyparquet', readRowGroup], ['duckdb', readRowGroupDuckdb]] as const) {
      const got = await read(pf, 0, schema.fields);
      assert.deepEqual(plainRows(got.id), [5n, 6n, 7n], `plain file, ${reader} reader, id`);
      assert.deepEqual(plainRows(got.c), ['k', 'k', 'k'], `plain file, ${reader} reader, constant`);
    }
  });

  it('DuckDB: vectors still expose the typed views, validity bits and boolean bytes the fast paths read', async () => {
    await duckdb.withConnection(async (con) => {
      const result = await con.stream('SELECT * FROM (VALUES (1::BIGINT, 2.5::DOUBLE, TRUE), (NULL, 3.5, FALSE)) t(a, b, c)');
      const chunk = await result.fetchChunk();
      assert.ok(chunk && chunk.rowCount === 2, 'DuckDB returned no chunk');
      const a = chunk.getColumnVector(0);
      assert.ok(duckdb.itemsOf(a) instanceof BigInt64Array, 'DuckDBVector.items (BIGINT) is no longer a BigInt64Array: itemsOf falls back to getItem, 2× slower');
      assert.ok(duckdb.itemsOf(chunk.getColumnVector(1)) instanceof Float64Array, 'DuckDBVector.items (DOUBLE) is no longer a Float64Array');
      const bits = duckdb.validityBits(a, 2);
      assert.ok(bits !== null && (bits[0] & 1) === 1 && (bits[0] & 2) === 0, 'validity bits of a BIGINT vector with a null: row 0 valid, row 1 null');
      assert.equal(duckdb.validityBits(chunk.getColumnVector(1), 2), null, 'validity of a vector without nulls: null (all valid)');
      const c = duckdb.booleanBytes(chunk.getColumnVector(2));
      assert.ok(c !== undefined, 'DuckDBVector.dataView (BOOLEAN) is gone: booleans fall back to getItem');
      assert.deepEqual([c[0], c[1]], [1, 0], 'boolean bytes');
    });
  });
});
