/**
 * The pipeline's own looks at table folders, on tables in an S3 bucket (MinIO): the duplicate-user check, where
 * DuckDB cannot read the files (the Delta reader feeds user_id into DuckDB instead) and must find exactly what the
 * local check finds, deletion vectors included; the Gold target checks; the staged-file checks and cleanup; and
 * undoing a Gold commit. Everything goes through the table's store, so each refuses or names what it does locally.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createTable, objectAt, openTable, StructType } from '../../delta';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { PREDICTIONS_TABLE } from '../../pipeline/gold-schemas';
import { restoreGoldPartition } from '../../pipeline/gold-restore';
import { checkGoldTarget } from '../../pipeline/gold-targets';
import { checkStagedFiles, removeUnpublishedStaged } from '../../pipeline/staged-files';
import { MinioServer, startMinio, uploadFolder } from '../../devkit';
import { findDuplicateUsers } from '../../pipeline/silver-duplicates';
import { planUnits } from '../../pipeline/silver-plan';
import { GOLDEN_ROOT } from '../support/processes';
import { PARTITIONED, silverOf, users, withIds } from '../support/silver-tables';

const DAY = '2026-11-23';

describe('pipeline checks on tables in S3 (MinIO)', function () {
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

  const MODEL = { uri: 's3://models/m.onnx', name: 'm', version: 'sha256:abcdef012345', sha256: 'ab'.repeat(32) };
  const stage = (goldTable: string, runId: string, unitIndex: number, attempt = 1) => stagePredictions({
    goldTable, scoreDate: DAY, runId, unitIndex, attempt, model: MODEL, scoredAt: new Date(), threshold: 0.5,
    scored: { userIds: BigInt64Array.from({ length: 10 }, (_, k) => BigInt(unitIndex * 10 + k)), probabilities: Float64Array.from({ length: 10 }, (_, k) => k / 10) },
  });
  const coded = (code: string, message: RegExp) => (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    assert.match(err.message, message);
    return true;
  };

  it('Gold targets: an absent prefix and a Delta table pass; an object at the location or foreign keys are TargetNotDelta', async () => {
    const base = `s3://${minio.bucket}/targets`;
    await checkGoldTarget(`${base}/absent`, PREDICTIONS_TABLE, DAY);
    await createTable(`${base}/ours`, PREDICTIONS_TABLE);
    await checkGoldTarget(`${base}/ours`, PREDICTIONS_TABLE, DAY);
    const file = objectAt(`${base}/a-file`);
    await file.store.put(file.key, new TextEncoder().encode('id,rank\n'));
    await assert.rejects(checkGoldTarget(`${base}/a-file`, PREDICTIONS_TABLE, DAY), coded('TargetNotDelta', new RegExp(`path ${base}/a-file is a file`)));
    const foreign = objectAt(`${base}/foreign/export/part-0.csv`);
    await foreign.store.put(foreign.key, new TextEncoder().encode('x'));
    await assert.rejects(checkGoldTarget(`${base}/foreign`, PREDICTIONS_TABLE, DAY), coded('TargetNotDelta', new RegExp(`path ${base}/foreign is a folder .* it has export/`)));
  });

  it('staged files: checked on the bucket before the commit; the run\'s unpublished ones removed after it', async () => {
    const gold = `s3://${minio.bucket}/staged/gold`;
    const [a, b] = [await stage(gold, 'run-1', 0), await stage(gold, 'run-1', 1)];
    const retried = await stage(gold, 'run-1', 1, 2); // a second attempt of unit 1: only one of them is published
    const other = await stage(gold, 'run-2', 0);
    await checkStagedFiles(gold, 'run-1', [{ unitIndex: 0, add: a, rows: 10 }, { unitIndex: 1, add: retried, rows: 10 }]);
    await assert.rejects(checkStagedFiles(gold, 'run-1', [{ unitIndex: 0, add: a, rows: 11 }]), coded('StagedFileInvalid', /holds 10 rows \(Parquet footer\), the unit scored 11/));
    await assert.rejects(checkStagedFiles(gold, 'run-1', [{ unitIndex: 0, add: { ...a, size: a.size + 1 }, rows: 10 }]), coded('StagedFileInvalid', /bytes on storage/));
    // Two attempts of one unit handed to the commit: only one may be published, so the commit is refused.
    await assert.rejects(checkStagedFiles(gold, 'run-1', [{ unitIndex: 1, add: b, rows: 10 }, { unitIndex: 1, add: retried, rows: 10 }]), coded('DuplicateUnit', /unit 1 appears twice in run run-1/));
    const gone = objectAt(`${gold}/${a.path}`);
    await commitPredictions({ goldTable: gold, scoreDate: DAY, workflowId: 'w', runId: 'run-1', adds: [a, retried], txn: { appId: 'w', version: 1 }, commitInfo: {} });
    assert.deepEqual(await removeUnpublishedStaged(gold, DAY, 'run-1'), [b.path]);
    const keys = await objectAt(`${gold}/x`).store.listKeys(`score_date=${DAY}/`);
    assert.deepEqual(keys.sort(), [a.path, retried.path, other.path].sort());
    await gone.store.delete(gone.key);
    await assert.rejects(checkStagedFiles(gold, 'run-1', [{ unitIndex: 0, add: a, rows: 10 }]), coded('StagedFileInvalid', new RegExp(`is missing from ${gold}`)));
  });

  it('undoing a Gold commit on S3: the partition gets its previous files back; refused once they were vacuumed', async () => {
    const gold = `s3://${minio.bucket}/restore/gold`;
    const first = [await stage(gold, 'r1', 0)];
    const v1 = await commitPredictions({ goldTable: gold, scoreDate: DAY, workflowId: 'w', runId: 'r1', adds: first, txn: { appId: 'w', version: 1 }, commitInfo: {} });
    const v2 = await commitPredictions({ goldTable: gold, scoreDate: DAY, workflowId: 'w', runId: 'r2', adds: [await stage(gold, 'r2', 0)], txn: { appId: 'w', version: 2 }, commitInfo: {} });
    const restored = await restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: { appId: 'w', version: 2 }, goldVersion: v2.version, commitInfo: {} });
    assert.equal(restored.undone, v2.version);
    assert.deepEqual((await openTable(gold)).files({ score_date: DAY }).map((f) => f.path), first.map((f) => f.path));
    assert.equal(v1.version + 1, v2.version);
    // A later run replaces the partition; its undo would need the first run's file, deleted (as a vacuum would).
    const third = await commitPredictions({ goldTable: gold, scoreDate: DAY, workflowId: 'w', runId: 'r3', adds: [await stage(gold, 'r3', 0)], txn: { appId: 'w', version: 3 }, commitInfo: {} });
    const firstKey = objectAt(`${gold}/${first[0].path}`);
    await firstKey.store.delete(firstKey.key);
    await assert.rejects(
      restoreGoldPartition({ goldTable: gold, scoreDate: DAY, txn: { appId: 'w', version: 3 }, goldVersion: third.version, commitInfo: {} }),
      coded('GoldNotRestored', /were deleted \(vacuumed\?\)/),
    );
  });
});
