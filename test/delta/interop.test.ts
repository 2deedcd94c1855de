/**
 * Interop both ways with delta-rs (Python deltalake): tables it writes (append, overwrite, partitioned,
 * checkpointed, predicate overwrite) read identically here; tables we write on top of them (including
 * after our checkpoint) read identically there. Spark: interop-spark.test.ts (opt-in, INTEROP_SPARK=1).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StructType, appendFiles, openTable, replacePartition, scanTable, writeDataFile } from '../../delta';
import { deltaRsRows, engineRows, ourRows, rowDiff, runPython, tempDir } from './helpers';

function rsWrite(table: string, args: string[]): number {
  return Number(runPython('write_table.py', [table, ...args]).stdout.trim());
}

async function sameAsDeltaRs(table: string, expectedRows: number, version?: number): Promise<void> {
  const theirs = deltaRsRows(table, version);
  assert.equal(theirs.error, undefined, theirs.error);
  const ours = await ourRows(table, version);
  assert.equal(ours.error, undefined, ours.error);
  assert.equal(ours.rows!.length, expectedRows);
  assert.equal(rowDiff(ours.rows!, theirs.rows!), undefined);
}

describe('interop with delta-rs', function () {
  this.timeout(300_000);

  it('reads delta-rs appends and overwrites (unpartitioned), at every version', async () => {
    const t = path.join(await tempDir(), 'rs');
    assert.equal(rsWrite(t, ['--mode', 'append', '--start', '0', '--count', '50']), 0);
    assert.equal(rsWrite(t, ['--mode', 'append', '--start', '50', '--count', '30']), 1);
    assert.equal(rsWrite(t, ['--mode', 'overwrite', '--start', '1000', '--count', '7']), 2);
    await sameAsDeltaRs(t, 7);
    await sameAsDeltaRs(t, 80, 1);
    await sameAsDeltaRs(t, 50, 0);
    const s = await openTable(t);
    assert.equal(s.version, 2);
    assert.deepEqual(s.schema.fields.map((f) => `${f.name}:${f.type}`), ['id:long', 'value:double', 'name:string', 'ts:timestamp', 'day:date']);
  });

  it('reads a partitioned delta-rs table with a predicate overwrite and a checkpoint, then appends and replaces partitions that delta-rs reads back', async () => {
    const t = path.join(await tempDir(), 'rs-part');
    rsWrite(t, ['--mode', 'append', '--partitioned', '--day', '2026-01-01', '--start', '0', '--count', '40']);
    rsWrite(t, ['--mode', 'append', '--partitioned', '--day', '2026-01-02', '--start', '40', '--count', '40']);
    const v = rsWrite(t, ['--mode', 'overwrite', '--partitioned', '--day', '2026-01-02', '--start', '500', '--count', '5', '--predicate', "day = '2026-01-02'", '--checkpoint']);
    assert.equal(v, 2);
    assert.ok((await fs.readdir(path.join(t, '_delta_log'))).includes('00000000000000000002.checkpoint.parquet'));
    await sameAsDeltaRs(t, 45);
    const s = await openTable(t);
    assert.deepEqual(s.partitionColumns, ['day']);
    assert.equal(s.files({ day: '2026-01-02' }).length, 1);

    // our writes on top: an append to a new day, a replace of day 1
    const schema: StructType = s.schema;
    const add3 = await writeDataFile(t, { schema, partitionColumns: ['day'], partitionValues: { day: '2026-01-03' }, batch: engineRows(900, 12) });
    assert.equal((await appendFiles(t, [add3])).version, 3);
    const add1 = await writeDataFile(t, { schema, partitionColumns: ['day'], partitionValues: { day: '2026-01-01' }, batch: engineRows(700, 3) });
    assert.equal((await replacePartition(t, { day: '2026-01-01' }, [add1])).version, 4);
    await sameAsDeltaRs(t, 5 + 12 + 3);
    // and delta-rs continues on top of ours
    assert.equal(rsWrite(t, ['--mode', 'append', '--partitioned', '--day', '2026-01-03', '--start', '2000', '--count', '4']), 5);
    await sameAsDeltaRs(t, 24);
  });

  it('delta-rs reads our table across our checkpoint (commits before it removed) and writes on top of it', async () => {
    const t = path.join(await tempDir(), 'ours');
    const schemaDef = { schema: { type: 'struct', fields: [
      { name: 'id', type: 'long', nullable: true, metadata: {} }, { name: 'value', type: 'double', nullable: true, metadata: {} },
      { name: 'name', type: 'string', nullable: true, metadata: {} }, { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
      { name: 'day', type: 'date', nullable: true, metadata: {} }] } as StructType, partitionColumns: ['day'] };
    for (let v = 1; v <= 12; v++) {
      const day = `2026-01-0${(v % 2) + 1}`;
      const add = await writeDataFile(t, { ...schemaDef, partitionValues: { day }, batch: engineRows(v * 100, 5) });
      if (v % 4 === 0) await replacePartition(t, { day }, [add], { createWith: schemaDef });
      else await appendFiles(t, [add], { createWith: schemaDef });
    }
    const expected = (await openTable(t)).numRecords()!;
    for (let v = 0; v < 10; v++) await fs.rm(path.join(t, '_delta_log', `${String(v).padStart(20, '0')}.json`));
    await sameAsDeltaRs(t, expected);
    assert.equal(rsWrite(t, ['--mode', 'append', '--partitioned', '--day', '2026-01-05', '--start', '5000', '--count', '3']), 13);
    await sameAsDeltaRs(t, expected + 3);
    let n = 0;
    for await (const b of scanTable(await openTable(t), { partition: { day: '2026-01-05' } })) n += b.numRows;
    assert.equal(n, 3);
  });
});
