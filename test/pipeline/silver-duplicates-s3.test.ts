/**
 * The duplicate-user check on a Silver table in an S3 bucket (MinIO), where DuckDB cannot read the files: the
 * Delta reader feeds user_id into DuckDB instead. It must find exactly what the local (DuckDB-read) check finds,
 * deletion vectors included, and planning must refuse the table naming its s3:// location.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openTable, StructType } from '../../delta';
import { MinioServer, startMinio, uploadFolder } from '../../devkit';
import { findDuplicateUsers } from '../../pipeline/silver-duplicates';
import { planUnits } from '../../pipeline/silver-plan';
import { GOLDEN_ROOT } from '../support/processes';
import { PARTITIONED, silverOf, users, withIds } from '../support/silver-tables';

const DAY = '2026-11-23';

describe('duplicate users in a Silver table on S3 (MinIO)', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes)
  let minio: MinioServer;
  let dir: string;
  let saved: Record<string, string | undefined>;

  before(async () => {
    minio = await startMinio();
    saved = Object.fromEntries(Object.keys(minio.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, minio.env);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-dups-s3-'));
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await minio?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds the same duplicated users and files as the local check, and planning refuses the s3:// table', async () => {
    // File a: users 0..999 with user 3 twice; file b: users 990..1499; file c: user 2000 three times.
    const local = path.join(dir, 'silver');
    const [fa, fb, fc] = await silverOf(local, DAY, [withIds([...Array.from({ length: 1000 }, (_, i) => i), 3]), users(990, 510), withIds([2000, 2000, 2000])]);
    const remote = `s3://${minio.bucket}/lake/silver`;
    await uploadFolder(local, remote);
    const files = (await openTable(remote)).files();
    const found = await findDuplicateUsers(remote, PARTITIONED, files);
    assert.deepEqual(found, await findDuplicateUsers(local, PARTITIONED, (await openTable(local)).files()));
    const [first, second] = [fa, fb].sort();
    assert.equal(found.count, 12);
    assert.deepEqual(found.examples.slice(0, 2), [{ userId: 3n, rows: 2, files: [fa] }, { userId: 990n, rows: 2, files: [first, second] }]);
    assert.deepEqual(await findDuplicateUsers(remote, PARTITIONED, files.filter((f) => f.path === fc)), { count: 1, examples: [{ userId: 2000n, rows: 3, files: [fc] }] });
    await assert.rejects(planUnits({ silverTable: remote, scoreDate: DAY, unitRows: 1000 }), (err: Error) => {
      assert.equal(err.name, 'SilverDuplicateUser');
      assert.match(err.message, new RegExp(`^Silver table ${remote} \\(version 1\\), snapshot_date=${DAY}: 12 user\\(s\\) have more than one row: user_id 3 \\(2 rows in ${fa}\\)`));
      return true;
    });
  });

  it('leaves out rows a deletion vector deletes, as the local check does (Spark-written table copied to the bucket)', async () => {
    const remote = `s3://${minio.bucket}/lake/dv`;
    await uploadFolder(path.join(GOLDEN_ROOT, 'log-replay-dv-key-cases'), remote);
    const [golden] = (await openTable(remote)).files();
    assert.ok(golden.deletionVector);
    // The 50-row file's ids are 0..49 with 0, 7 and 14 deleted: listed twice, 7 and 14 would be duplicates.
    const mapped: StructType = { type: 'struct', fields: [{ name: 'user_id', type: 'long', nullable: true, metadata: { 'delta.columnMapping.physicalName': 'id' } }] };
    const twice = await findDuplicateUsers(remote, mapped, [golden, golden]);
    assert.equal(twice.count, 47);
    assert.deepEqual(twice.examples.map((e) => e.userId), [1n, 2n, 3n, 4n, 5n]);
  });
});
