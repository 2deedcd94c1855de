/**
 * A table folder belongs to its table only for what a Delta writer makes there: a new table is never created in
 * a folder holding other files (TargetNotDelta), a writer's definition (createWith) must match an existing
 * table, and vacuum deletes Parquet data files and deletion vectors only, never a notes.txt or a CSV.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DeltaError, createTable, foreignEntries, openTable, replacePartition, tableExists, vacuumTable, writeDataFile } from '../../../delta';
import { StructType } from '../../../delta';
import { cli, tempDir } from '../helpers';

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
  ],
};
const DEF = { schema: SCHEMA, partitionColumns: ['day'] };
const OTHER: StructType = { type: 'struct', fields: [{ name: 'name', type: 'string', nullable: true, metadata: {} }, SCHEMA.fields[1]] };

function stage(table: string, day: string, ids: number[]) {
  return writeDataFile(table, { schema: SCHEMA, partitionColumns: ['day'], partitionValues: { day }, batch: { numRows: ids.length, columns: { id: ids.map(BigInt) } } });
}

async function listAll(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(path.relative(dir, path.join(e.parentPath, e.name)));
  }
  return out.sort();
}

const notDelta = (table: string, ...named: string[]) => (err: unknown) => {
  assert.ok(err instanceof DeltaError, String(err));
  assert.equal(err.code, 'TargetNotDelta');
  assert.equal(err.retryable, false);
  assert.ok(err.message.includes(table), err.message);
  for (const n of named) assert.ok(err.message.includes(n), `${n} not named in: ${err.message}`);
  return true;
};

describe('delta table folders: creation guard, createWith, vacuum scope', function () {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir('table-folder');
  });

  it('refuses to create a table in a folder holding other files, naming them, and touches nothing', async () => {
    const table = path.join(dir, 'reports');
    // a folder is named by what it holds (on S3 a folder is only a prefix of keys: an empty one is nothing)
    await fs.mkdir(path.join(table, 'q3'), { recursive: true });
    await fs.writeFile(path.join(table, 'q3', 'summary.txt'), 'q3');
    await fs.writeFile(path.join(table, 'notes.txt'), 'keep me');
    await fs.writeFile(path.join(table, 'sales.csv'), 'a,b\n1,2\n');
    const before = await listAll(table);
    await assert.rejects(createTable(table, DEF), notDelta(table, 'notes.txt', 'sales.csv', 'q3/'));
    // the create path of every writer goes through the same guard, even with staged files of its own
    const add = await stage(table, '2026-11-23', [1, 2]);
    await assert.rejects(replacePartition(table, { day: '2026-11-23' }, [add], { createWith: DEF }), notDelta(table, 'notes.txt'));
    assert.equal(await tableExists(table), false);
    assert.equal(await fs.stat(path.join(table, '_delta_log')).catch(() => undefined), undefined);
    assert.deepEqual((await listAll(table)).filter((f) => !f.endsWith('.parquet')), before);
    assert.equal(await fs.readFile(path.join(table, 'notes.txt'), 'utf8'), 'keep me');
  });

  it('refuses a regular file as a table path', async () => {
    const file = path.join(dir, 'gold.parquet.bak');
    await fs.writeFile(file, 'x');
    await assert.rejects(createTable(file, DEF), notDelta(file, 'is a file'));
    assert.equal(await fs.readFile(file, 'utf8'), 'x');
  });

  it('Parquet files staged before the first commit (in the partition folders) do not make a folder foreign', async () => {
    const table = path.join(dir, 't');
    const a = await stage(table, '2026-11-23', [1, 2, 3]);
    const b = await stage(table, '2026-11-24', [4]); // staged by another writer, committed later
    assert.deepEqual(await foreignEntries(table, ['day']), []);
    const r = await replacePartition(table, { day: '2026-11-23' }, [a], { createWith: DEF });
    assert.equal(r.version, 1);
    assert.equal((await openTable(table)).numRecords(), 3);
    await replacePartition(table, { day: '2026-11-24' }, [b], { createWith: DEF });
    assert.equal((await openTable(table)).numRecords(), 4);
    // a Parquet file outside a partition folder of the table is not a writer's
    await fs.mkdir(path.join(dir, 'u', 'region=eu'), { recursive: true });
    await fs.writeFile(path.join(dir, 'u', 'region=eu', 'x.parquet'), 'x');
    await fs.writeFile(path.join(dir, 'u', 'top.parquet'), 'x');
    assert.deepEqual(await foreignEntries(path.join(dir, 'u'), ['day']), ['region=eu/', 'top.parquet']);
  });

  it('a write whose createWith differs from the existing table is refused (SchemaMismatch), version unchanged', async () => {
    const table = path.join(dir, 't');
    await createTable(table, { schema: OTHER, partitionColumns: ['day'] });
    const add = await stage(table, '2026-11-23', [1]);
    await assert.rejects(replacePartition(table, { day: '2026-11-23' }, [add], { createWith: DEF }), (err: DeltaError) => {
      assert.equal(err.code, 'SchemaMismatch');
      assert.match(err.message, /table exists with a different definition: schema struct<name:string,day:date>/);
      return true;
    });
    assert.equal((await openTable(table)).version, 0);
  });

  it('vacuum deletes unreferenced Parquet and deletion vector files, never other files; --dry-run says so', async () => {
    const table = path.join(dir, 't');
    const kept = await stage(table, '2026-11-23', [1]);
    await replacePartition(table, { day: '2026-11-23' }, [kept], { createWith: DEF });
    const orphan = await stage(table, '2026-11-23', [2]);
    const foreign = ['notes.txt', 'export.csv', 'day=2026-11-23/readme.md', 'day=2026-11-23/data.json', '_SUCCESS'];
    for (const f of foreign) await fs.writeFile(path.join(table, f), 'not the table\'s');
    const dv = path.join(table, 'deletion_vector_0b6a6f1e-3f3c-4a37-9d4c-6c8e1f0a2b3c.bin');
    await fs.writeFile(dv, 'dv');
    const old = new Date(Date.now() - 48 * 3600_000);
    for (const f of [...foreign, orphan.path, 'deletion_vector_0b6a6f1e-3f3c-4a37-9d4c-6c8e1f0a2b3c.bin']) {
      await fs.utimes(path.join(table, decodeURIComponent(f)), old, old);
    }
    const dry = await cli(['vacuum', table, '--retain-hours', '0', '--dry-run']);
    assert.equal(dry.code, 0, dry.err);
    assert.match(dry.out, /2 files \(\d+ bytes\) would delete/);
    assert.match(dry.out, /Vacuum deletes only files a Delta writer makes: Parquet data files, deletion vector files/);
    assert.match(dry.out, /Other files in the table folder are kept/);
    const r = await vacuumTable(table, { retainHours: 0 });
    assert.deepEqual(r.deleted, [path.join(table, decodeURIComponent(orphan.path)), dv].sort());
    for (const f of foreign) assert.equal(await fs.readFile(path.join(table, f), 'utf8'), 'not the table\'s', f);
    assert.equal((await openTable(table)).numRecords(), 1);
    assert.match((await cli(['vacuum', '--help'])).out, /Other files in the table folder are kept/);
  });
});
