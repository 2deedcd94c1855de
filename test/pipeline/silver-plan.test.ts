/**
 * Planning a run over Silver (no server needed): which data a date means for partitioned and unpartitioned
 * tables, how units cut row groups, and the errors a person sees when the date has no data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appendFiles, createTable, dataFileRowGroupRanges, openTable, readDataFile, StructType, writeDataFile } from '../../delta';
import { GOLDEN_ROOT, python } from '../support/processes';
import { FLAT, PARTITIONED, silverOf, users, withIds } from '../support/silver-tables';
import { planUnits } from '../../pipeline/silver-plan';
import { findDuplicateUsers } from '../../pipeline/silver-duplicates';

/** Set a commit's time (its log file's modification time), as if it had been written then. */
function commitAt(table: string, version: number, iso: string): void {
  const t = new Date(iso);
  fs.utimesSync(path.join(table, '_delta_log', `${String(version).padStart(20, '0')}.json`), t, t);
}

describe('planUnits', function () {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-plan-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('takes partition snapshot_date = D of a partitioned table and cuts whole row groups into units', async function () {
    const table = path.join(dir, 'silver');
    await createTable(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'] });
    const adds = [];
    for (const [i, day] of ['2026-11-16', '2026-11-23', '2026-11-23'].entries()) {
      adds.push(await writeDataFile(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: day }, batch: users(i * 1000, 1000), rowGroupRows: 300 }));
    }
    await appendFiles(table, adds);
    const plan = await planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 500 });
    assert.equal(plan.silverVersion, 1);
    assert.equal(plan.totalRows, 2000);
    // Row groups of 300, 300, 300, 100 per file; a unit takes row groups until it holds >= 500 rows.
    assert.deepEqual(plan.units.map((u) => u.rows), [600, 700, 600, 100]);
    assert.deepEqual(plan.units.map((u) => u.index), [0, 1, 2, 3]);
    assert.equal(plan.units.flatMap((u) => u.segments).every((s) => s.file.partitionValues.snapshot_date === '2026-11-23'), true);
    assert.equal(JSON.stringify(plan).includes('numRecords'), false, 'units carry no stats through workflow history');
  });

  it('reads an unpartitioned table as it was at the end of the score date (time travel)', async function () {
    const table = path.join(dir, 'silver');
    await createTable(table, { schema: FLAT, partitionColumns: [] });
    await appendFiles(table, [await writeDataFile(table, { schema: FLAT, partitionColumns: [], partitionValues: {}, batch: users(0, 100) })]);
    await appendFiles(table, [await writeDataFile(table, { schema: FLAT, partitionColumns: [], partitionValues: {}, batch: users(100, 50) })]);
    commitAt(table, 0, '2026-11-20T10:00:00Z');
    commitAt(table, 1, '2026-11-22T23:00:00Z');
    commitAt(table, 2, '2026-11-24T01:00:00Z');
    const plan = await planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000 });
    assert.equal(plan.silverVersion, 1);
    assert.equal(plan.totalRows, 100);
    const later = await planUnits({ silverTable: table, scoreDate: '2026-11-24', unitRows: 1000 });
    assert.equal(later.silverVersion, 2);
    assert.equal(later.totalRows, 150);
    const pinned = await planUnits({ silverTable: table, scoreDate: '2026-11-24', unitRows: 1000, silverVersion: 1 });
    assert.equal(pinned.totalRows, 100);
  });

  it('returns the schema of the Silver version it pinned, not the latest (a column added later)', async function () {
    const table = path.join(dir, 'silver');
    await createTable(table, { schema: FLAT, partitionColumns: [] });
    await appendFiles(table, [await writeDataFile(table, { schema: FLAT, partitionColumns: [], partitionValues: {}, batch: users(0, 10) })]);
    // Version 2 adds a nullable column (schema evolution), as a metaData action of its own.
    const log = path.join(table, '_delta_log');
    const first = fs.readFileSync(path.join(log, `${'0'.padStart(20, '0')}.json`), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const metaData = JSON.parse(first.find((l) => l.includes('"metaData"'))!).metaData;
    const evolved: StructType = { ...FLAT, fields: [...FLAT.fields, { name: 'visits', type: 'long', nullable: true, metadata: {} }] };
    fs.writeFileSync(path.join(log, `${'2'.padStart(20, '0')}.json`), JSON.stringify({ metaData: { ...metaData, schemaString: JSON.stringify(evolved) } }) + '\n');
    assert.deepEqual((await openTable(table)).schema, evolved);
    const plan = await planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000, silverVersion: 1 });
    assert.equal(plan.silverVersion, 1);
    assert.deepEqual(plan.silverSchema, FLAT);
  });

  it('units carry deletion vectors: reading a unit yields only the live rows (Spark-written table)', async function () {
    // Golden table: one 50-row file whose deletion vector was replaced twice; ids 0, 7 and 14 end deleted.
    const table = path.join(GOLDEN_ROOT, 'log-replay-dv-key-cases');
    const snapshot = await openTable(table);
    const plan = await planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000, silverVersion: snapshot.version });
    assert.equal(plan.totalRows, 47);
    let read = 0;
    for (const unit of plan.units) {
      for (const segment of unit.segments) {
        for await (const batch of readDataFile(table, segment.file, { schema: plan.silverSchema, rowGroups: segment.rowGroups })) read += batch.numRows;
      }
    }
    assert.equal(read, 47);
  });

  it('a date without Silver data fails naming the table, the date and the dates it has', async function () {
    const table = path.join(dir, 'silver');
    await createTable(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'] });
    await appendFiles(table, [await writeDataFile(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: '2026-11-16' }, batch: users(0, 10) })]);
    await assert.rejects(planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000 }), (err: Error & { retryable?: boolean }) => {
      assert.equal(err.name, 'SilverNoData');
      assert.equal(err.retryable, false);
      assert.match(err.message, new RegExp(`Silver table ${table} \\(version 1\\) has no data for snapshot_date=2026-11-23; it has 1 snapshot date\\(s\\), latest: 2026-11-16`));
      return true;
    });
  });

  it('a date whose data files hold no rows fails with SilverEmptySnapshot, naming table, version and date', async function () {
    const table = path.join(dir, 'silver');
    await silverOf(table, '2026-11-23', [withIds([]), withIds([])]);
    await assert.rejects(planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000 }), (err: Error & { code?: string; retryable?: boolean }) => {
      assert.equal(err.name, 'SilverEmptySnapshot');
      assert.equal(err.retryable, false);
      assert.equal(
        err.message,
        `Silver table ${table} (version 1), snapshot_date=2026-11-23: 2 data file(s) but no rows (written empty, or every row deleted); ` +
          'scoring it would replace the Gold partition of that date with zero rows',
      );
      return true;
    });
  });

  it('allowEmptySnapshot plans an empty date: zero rows, zero units', async function () {
    const table = path.join(dir, 'silver');
    await silverOf(table, '2026-11-23', [withIds([])]);
    const plan = await planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000, allowEmptySnapshot: true });
    assert.equal(plan.silverVersion, 1);
    assert.equal(plan.totalRows, 0);
    assert.deepEqual(plan.units, []);
  });

  it('a user_id on more than one row fails with SilverDuplicateUser: how many users, and the first ones with their files', async function () {
    const table = path.join(dir, 'silver');
    // File a: users 0..999 with user 3 twice; file b: users 990..1499 (990..999 overlap a); file c: user 2000 three times.
    const a = [...Array.from({ length: 1000 }, (_, i) => i), 3];
    const [fa, fb, fc] = await silverOf(table, '2026-11-23', [withIds(a), users(990, 510), withIds([2000, 2000, 2000])]);
    const [first, second] = [fa, fb].sort();
    await assert.rejects(planUnits({ silverTable: table, scoreDate: '2026-11-23', unitRows: 1000 }), (err: Error & { retryable?: boolean }) => {
      assert.equal(err.name, 'SilverDuplicateUser');
      assert.equal(err.retryable, false);
      assert.equal(
        err.message,
        `Silver table ${table} (version 1), snapshot_date=2026-11-23: 12 user(s) have more than one row: ` +
          `user_id 3 (2 rows in ${fa}); user_id 990 (2 rows in ${first}, ${second}); user_id 991 (2 rows in ${first}, ${second}); ` +
          `user_id 992 (2 rows in ${first}, ${second}); user_id 993 (2 rows in ${first}, ${second}); and 7 more`,
      );
      return true;
    });
    const found = await findDuplicateUsers(table, PARTITIONED, (await openTable(table)).files());
    assert.deepEqual(found.examples.map((e) => e.userId), [3n, 990n, 991n, 992n, 993n]);
    const all = await findDuplicateUsers(table, PARTITIONED, (await openTable(table)).files().filter((f) => f.path === fc));
    assert.deepEqual(all, { count: 1, examples: [{ userId: 2000n, rows: 3, files: [fc] }] });
  });

  it('rows a deletion vector deletes are not duplicates (Spark-written file; user_id by its physical column name)', async function () {
    // Golden table: one 50-row file of ids 0..49 whose deletion vector deletes 0, 7 and 14. A second file holds
    // 0, 7 and 20: 0 and 7 are live once only; 20 is live in both files.
    const table = path.join(dir, 'dv');
    fs.cpSync(path.join(GOLDEN_ROOT, 'log-replay-dv-key-cases'), table, { recursive: true });
    const golden = (await openTable(table)).files()[0];
    assert.ok(golden.deletionVector);
    const idOnly: StructType = { type: 'struct', fields: [{ name: 'id', type: 'long', nullable: true, metadata: {} }] };
    const ours = await writeDataFile(table, { schema: idOnly, partitionColumns: [], partitionValues: {}, batch: { numRows: 3, columns: { id: BigInt64Array.from([0n, 7n, 20n]) } } });
    // The model-facing name is user_id; the files call the column id (Delta column mapping's physical name).
    const mapped: StructType = { type: 'struct', fields: [{ name: 'user_id', type: 'long', nullable: true, metadata: { 'delta.columnMapping.physicalName': 'id' } }] };
    const found = await findDuplicateUsers(table, mapped, [golden, ours]);
    assert.deepEqual(found, { count: 1, examples: [{ userId: 20n, rows: 2, files: [golden.path, ours.path].sort() }] });
  });

  describe('where duplicate user_ids are checked: footers decide (docs/decisions/duplicate-users.md)', function () {
    const DAY = '2026-11-23';

    it("row groups with disjoint user_id ranges: 'units'", async function () {
      const table = path.join(dir, 'silver');
      await createTable(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'] });
      // Row groups of 300 across three files whose paths do not follow their ids (1000.., 0.., 2000..).
      const adds = [];
      for (const first of [1000, 0, 2000]) {
        adds.push(await writeDataFile(table, { schema: PARTITIONED, partitionColumns: ['snapshot_date'], partitionValues: { snapshot_date: DAY }, batch: users(first, 1000), rowGroupRows: 300 }));
      }
      await appendFiles(table, adds);
      const ranges = await dataFileRowGroupRanges(table, adds[1], PARTITIONED.fields[0]);
      assert.deepEqual(ranges, { rows: [300, 300, 300, 100], ranges: [{ min: 0n, max: 299n }, { min: 300n, max: 599n }, { min: 600n, max: 899n }, { min: 900n, max: 999n }] });
      const plan = await planUnits({ silverTable: table, scoreDate: DAY, unitRows: 500 });
      assert.equal(plan.duplicateCheck, 'units');
      assert.equal(plan.totalRows, 3000);
    });

    it("overlapping ranges without a duplicate (even and odd ids): 'plan', the GROUP BY finds none", async function () {
      const table = path.join(dir, 'silver');
      const ids = Array.from({ length: 500 }, (_, i) => 2 * i);
      await silverOf(table, DAY, [withIds(ids), withIds(ids.map((i) => i + 1))]);
      const plan = await planUnits({ silverTable: table, scoreDate: DAY, unitRows: 500 });
      assert.equal(plan.duplicateCheck, 'plan');
      assert.equal(plan.totalRows, 1000);
    });

    it("a file written without statistics (delta-rs): 'plan', and the GROUP BY still catches a duplicate at planning", async function () {
      const table = path.join(dir, 'delta-rs');
      // Version 0: users 0..4 without statistics; version 1: users 5..9 with; version 2: user 4 again, with.
      await python('delta/write_table.py', [table, '--start', '0', '--count', '5', '--id-column', 'user_id', '--no-statistics']);
      await python('delta/write_table.py', [table, '--start', '5', '--count', '5', '--id-column', 'user_id']);
      await python('delta/write_table.py', [table, '--start', '4', '--count', '1', '--id-column', 'user_id']);
      const noStats = await planUnits({ silverTable: table, scoreDate: DAY, unitRows: 100, silverVersion: 1 });
      assert.equal(noStats.duplicateCheck, 'plan');
      assert.equal(noStats.totalRows, 10);
      const files = (await openTable(table, { version: 2 })).files();
      const withStats = files.filter((f) => JSON.parse(f.stats!).minValues.user_id !== undefined);
      assert.equal(withStats.length, 2);
      // The files with statistics state their ranges (4..4 and 5..9); the one without makes the plan check.
      const stated = await Promise.all(withStats.map(async (f) => (await dataFileRowGroupRanges(table, f, PARTITIONED.fields[0])).ranges[0]!));
      assert.deepEqual(stated.sort((x, y) => Number(x.min - y.min)), [{ min: 4n, max: 4n }, { min: 5n, max: 9n }]);
      await assert.rejects(planUnits({ silverTable: table, scoreDate: DAY, unitRows: 100, silverVersion: 2 }), (err: Error) => {
        assert.equal(err.name, 'SilverDuplicateUser');
        assert.match(err.message, new RegExp(`^Silver table ${table} \\(version 2\\), as of ${DAY}: 1 user\\(s\\) have more than one row: user_id 4 \\(2 rows in part-`));
        return true;
      });
    });

    it('a Spark-written file states its id range; a deletion vector leaves the range as written (a superset: still sound)', async function () {
      const table = path.join(GOLDEN_ROOT, 'log-replay-dv-key-cases');
      const [golden] = (await openTable(table)).files();
      assert.ok(golden.deletionVector);
      const mapped = { name: 'user_id', type: 'long', nullable: true, metadata: { 'delta.columnMapping.physicalName': 'id' } };
      assert.deepEqual(await dataFileRowGroupRanges(table, golden, mapped), { rows: [50], ranges: [{ min: 0n, max: 49n }] });
    });
  });
});
