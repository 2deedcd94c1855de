/**
 * Delta tables at s3:// locations, against a real S3-compatible server (MinIO, one per run of this file): the whole
 * write path (create, append, replacePartition, overwrite) read back row for row at every version; checkpoints and
 * `_last_checkpoint` on the bucket and used on reload; vacuum deleting only unreferenced files; lost commit races
 * (one winner per version, the loser retried through the conflict check); failed writes leaving the version and
 * the readers' view unchanged, no temp file and no multipart upload behind; createTable refusing a foreign prefix;
 * delta-rs reading and appending on our S3 tables; Spark-written tables copied into the bucket reading as from disk.
 * Credentials reach everything (us, delta-rs) the way users give them: the standard AWS_* variables.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { MinioServer, startMinio } from '../../devkit';
import {
  AddFile, ConstantColumn, DeltaError, appendFiles, createTable, openTable, overwriteTable, replacePartition, scanTable, storeFor,
  tableHistory, vacuumTable, writeDataFile,
} from '../../delta';
import { S3Store } from '../../delta/storage/s3-store';
import { SCHEMA as WRITER_SCHEMA } from './fixtures/writer';
import { GOLD_SCHEMA, cli, deltaRsRows, goldenRoot, ourRows, rowDiff, runPython } from './helpers';

const DEF = { schema: GOLD_SCHEMA, partitionColumns: ['score_date'] };
const WRITER = path.join(__dirname, 'fixtures', 'writer.js');

/** A Gold-like data file of users start…start+n-1 (typed columns and constants, as a scoring unit writes). */
function stage(table: string, date: string, start: number, n: number, fileName?: string): Promise<AddFile> {
  const ids = new BigInt64Array(n).map((_, i) => BigInt(start + i));
  const p = new Float64Array(n).map((_, i) => ((start + i) % 1000) / 1000);
  return writeDataFile(table, {
    ...DEF, partitionValues: { score_date: date }, fileName,
    batch: {
      numRows: n,
      columns: {
        user_id: ids, purchase_probability: p, predicted_buyer: Uint8Array.from(p, (x) => (x >= 0.5 ? 1 : 0)),
        model_name: new ConstantColumn('purchase_propensity', n), model_version: new ConstantColumn('3', n),
        run_id: new ConstantColumn('run-1', n), scored_at: new ConstantColumn(new Date(Date.UTC(2026, 10, 23, 6)), n),
      },
    },
  });
}

const range = (start: number, n: number) => Array.from({ length: n }, (_, i) => start + i);

/** User ids by score_date at a version (default latest), each list sorted. */
async function idsByDate(table: string, version?: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for await (const b of scanTable(await openTable(table, { version }), { columns: ['user_id', 'score_date'] })) {
    for (let i = 0; i < b.numRows; i++) (out[b.columns.score_date[i] as string] ??= []).push(Number(b.columns.user_id[i]));
  }
  for (const ids of Object.values(out)) ids.sort((a, b) => a - b);
  return out;
}

async function sameAsDeltaRs(table: string, expectedRows: number): Promise<void> {
  const theirs = deltaRsRows(table);
  assert.equal(theirs.error, undefined, theirs.error);
  const ours = await ourRows(table);
  assert.equal(ours.error, undefined, ours.error);
  assert.equal(ours.rows!.length, expectedRows);
  assert.equal(rowDiff(ours.rows!, theirs.rows!), undefined);
}

const commitVersions = (keys: string[]) => keys.filter((k) => /^_delta_log\/\d{20}\.json$/.test(k)).map((k) => Number(k.slice(11, 31)));

describe('Delta tables on S3 (MinIO)', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes); later runs start it in about a second
  let server: MinioServer;
  let oldEnv: Record<string, string | undefined> = {};
  let tmp: string;
  /** A fresh table location in the test bucket. */
  const loc = (name: string) => `s3://${server.bucket}/${name}-${randomBytes(3).toString('hex')}`;
  const stagingLeft = async () => fs.readdir(tmp);

  before(async () => {
    server = await startMinio();
    // Our temp files go to a folder of this test (os.tmpdir() follows TMPDIR), so a leftover is seen.
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 's3-table-tmp-'));
    // delta-rs reads the same variables, plus plain HTTP allowed and commits by conditional put.
    const env = { ...server.env, AWS_ALLOW_HTTP: 'true', AWS_CONDITIONAL_PUT: 'etag', TMPDIR: tmp };
    oldEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
  });

  after(async () => {
    for (const [k, v] of Object.entries(oldEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('create → append → replacePartition → overwrite: exact rows at every version, data files under the prefix, no temp file left', async () => {
    const t = loc('gold');
    assert.equal((await createTable(t, { ...DEF, name: 'purchase_predictions' })).version, 0);
    assert.equal((await appendFiles(t, [await stage(t, '2026-11-23', 0, 100)])).version, 1);
    assert.equal((await appendFiles(t, [await stage(t, '2026-11-24', 1000, 50)])).version, 2);
    assert.equal((await replacePartition(t, { score_date: '2026-11-23' }, [await stage(t, '2026-11-23', 2000, 30)])).version, 3);
    assert.deepEqual(await idsByDate(t), { '2026-11-23': range(2000, 30), '2026-11-24': range(1000, 50) });
    assert.equal((await overwriteTable(t, [await stage(t, '2026-11-25', 5000, 7)])).version, 4);

    const s = await openTable(t);
    assert.equal(s.tablePath, t);
    assert.equal(s.version, 4);
    assert.deepEqual(await idsByDate(t), { '2026-11-25': range(5000, 7) });
    assert.deepEqual(await idsByDate(t, 2), { '2026-11-23': range(0, 100), '2026-11-24': range(1000, 50) });
    assert.deepEqual(await idsByDate(t, 3), { '2026-11-23': range(2000, 30), '2026-11-24': range(1000, 50) });
    assert.deepEqual(await idsByDate(t, 0), {});
    assert.deepEqual((await tableHistory(t)).map((h) => [h.version, h.operation, h.operationParameters?.mode]),
      [[4, 'WRITE', 'Overwrite'], [3, 'WRITE', 'Overwrite'], [2, 'WRITE', 'Append'], [1, 'WRITE', 'Append'], [0, 'CREATE TABLE', undefined]]);

    const keys = await storeFor(t).listKeys('');
    assert.deepEqual(commitVersions(keys), [0, 1, 2, 3, 4]);
    const dataKeys = keys.filter((k) => k.endsWith('.parquet'));
    assert.equal(dataKeys.length, 4);
    assert.ok(dataKeys.every((k) => /^score_date=2026-11-2[345]\/part-[0-9a-f-]+\.parquet$/.test(k)), dataKeys.join(', '));
    for (const f of s.files()) assert.equal((await storeFor(t).head(f.path))?.size, f.size);
    assert.deepEqual(keys.filter((k) => k.includes('.tmp') || k.includes('_conditional_put_probe')), []);
    assert.deepEqual(await stagingLeft(), []);
    // every store of the bucket shares one SDK client (connections, credentials), whatever the table
    const clientOf = (location: string) => (storeFor(location) as unknown as { client: unknown }).client;
    assert.equal(clientOf(t), clientOf(loc('other')));
  });

  it('a staged file of a fixed name is never replaced on S3 (noReplace: a conditional upload)', async () => {
    const t = loc('fixed-name');
    const first = await stage(t, '2026-11-23', 0, 5, 'part-00000-run-attempt-1.c000.parquet');
    await assert.rejects(
      writeDataFile(t, { ...DEF, partitionValues: { score_date: '2026-11-23' }, fileName: first.path.split('/')[1], noReplace: true, batch: { numRows: 1, columns: { user_id: new BigInt64Array(1), purchase_probability: new Float64Array(1), predicted_buyer: new Uint8Array(1), model_name: new ConstantColumn('m', 1), model_version: new ConstantColumn('1', 1), run_id: new ConstantColumn('r', 1), scored_at: new ConstantColumn(new Date(0), 1) } } }),
      (err: DeltaError) => err.code === 'InvalidArgument' && err.message.includes(`${t}: data file ${first.path} already exists`),
    );
    assert.equal((await storeFor(t).head(first.path))?.size, first.size, 'the first file is untouched');
    assert.deepEqual(await stagingLeft(), []);
  });

  it('writes a checkpoint and _last_checkpoint to the bucket at version 10 and loads from it when the commits before are gone', async () => {
    const t = loc('checkpointed');
    for (let v = 1; v <= 12; v++) {
      await appendFiles(t, [await stage(t, `2026-11-${20 + (v % 3)}`, v * 100, 3)], { createWith: DEF });
    }
    const store = storeFor(t);
    const last = JSON.parse(new TextDecoder().decode(await store.get('_delta_log/_last_checkpoint')));
    assert.deepEqual(last, { version: 10, size: 12, numOfAddFiles: 10 }); // protocol, metaData and 10 adds
    assert.ok(await store.head('_delta_log/00000000000000000010.checkpoint.parquet'));
    const before = await idsByDate(t);
    for (let v = 0; v < 10; v++) await store.delete(`_delta_log/${String(v).padStart(20, '0')}.json`);
    const s = await openTable(t);
    assert.equal(s.version, 12);
    assert.equal(s.numRecords(), 36);
    assert.deepEqual(await idsByDate(t), before);
    await sameAsDeltaRs(t, 36); // delta-rs starts from the same checkpoint
  });

  it('vacuum deletes only unreferenced old files (a replaced file, a staged orphan), never live or foreign ones', async () => {
    const t = loc('vacuum');
    const a = await stage(t, '2026-11-23', 0, 10);
    await appendFiles(t, [a], { createWith: DEF });
    const b = await stage(t, '2026-11-23', 100, 10);
    await replacePartition(t, { score_date: '2026-11-23' }, [b]);
    const orphan = await stage(t, '2026-11-23', 900, 3); // a failed run's staged file: never committed
    const store = storeFor(t);
    await store.put('notes.txt', new TextEncoder().encode('not the table\'s'));
    const later = Date.now() + 60_000;
    const expected = [a.path, orphan.path].map((p) => `${t}/${p}`).sort();

    const recent = await vacuumTable(t, { retainHours: 1 });
    assert.deepEqual(recent.deleted, [], 'a file removed or staged within the retention stays');
    const dry = await vacuumTable(t, { retainHours: 0, now: later, dryRun: true });
    assert.deepEqual(dry.deleted, expected);
    assert.ok(await store.head(a.path), 'dry run deletes nothing');
    const done = await vacuumTable(t, { retainHours: 0, now: later });
    assert.deepEqual(done.deleted, expected);
    assert.equal(done.bytes, a.size + orphan.size);
    assert.equal(await store.head(a.path), undefined);
    assert.equal(await store.head(orphan.path), undefined);
    assert.ok(await store.head(b.path));
    assert.ok(await store.head('notes.txt'));
    assert.deepEqual(await idsByDate(t), { '2026-11-23': range(100, 10) });
  });

  describe('lost commit races', () => {
    it('the loser of a put-if-absent race re-reads, passes the conflict check and commits next; a conflicting loser fails retryably', async () => {
      const t = loc('race');
      await createTable(t, DEF);
      const mine = await stage(t, '2026-11-23', 0, 5);
      const theirs = await stage(t, '2026-11-24', 100, 5);
      let raced = 0;
      // Between our read of version 0 and our put of version 1, another writer commits version 1.
      const r = await appendFiles(t, [mine], { check: async () => { if (raced++ === 0) assert.equal((await appendFiles(t, [theirs])).version, 1); } });
      assert.equal(r.version, 2);
      assert.equal(raced, 2, 'our write was attempted twice');
      assert.deepEqual(await idsByDate(t), { '2026-11-23': range(0, 5), '2026-11-24': range(100, 5) });

      // A winner that replaced the very partition we replace: a conflict, nothing of ours committed.
      const ours = await stage(t, '2026-11-23', 500, 5);
      const winner = await stage(t, '2026-11-23', 700, 5);
      let first = true;
      await assert.rejects(
        replacePartition(t, { score_date: '2026-11-23' }, [ours], { check: async () => { if (first) { first = false; await replacePartition(t, { score_date: '2026-11-23' }, [winner]); } } }),
        (err: DeltaError) => err.code === 'ConcurrentModification' && err.retryable && err.message.includes(t),
      );
      assert.equal((await openTable(t)).version, 3);
      assert.deepEqual(await idsByDate(t), { '2026-11-23': range(700, 5), '2026-11-24': range(100, 5) });
    });

    it('two writer processes appending at once: every commit lands, one commit per version, no row lost', async () => {
      const t = loc('race-processes');
      await createTable(t, { schema: WRITER_SCHEMA, partitionColumns: ['day'] });
      const startAt = Date.now() + 1500;
      const run = (writer: number) => new Promise<Array<{ version?: number; code?: string }>>((resolve, reject) => {
        const ops = range(0, 4).map((i) => ({ kind: 'append', day: `2026-01-0${writer}`, ids: range(writer * 1000 + i * 10, 10) }));
        const child = spawn(process.execPath, [WRITER, JSON.stringify({ table: t, writer, ops, startAt })], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { err += d; });
        child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').map((l) => JSON.parse(l))) : reject(new Error(`writer ${writer} exited ${code}: ${err}`))));
      });
      const results = (await Promise.all([run(1), run(2)])).flat();
      assert.deepEqual(results.filter((r) => r.code), [], 'no write failed');
      assert.deepEqual(results.map((r) => r.version).sort((a, b) => a! - b!), range(1, 8));
      assert.deepEqual(commitVersions(await storeFor(t).listKeys('_delta_log/')), range(0, 9));
      const ids: number[] = [];
      for await (const b of scanTable(await openTable(t))) for (let i = 0; i < b.numRows; i++) ids.push(Number(b.columns.id[i]));
      assert.deepEqual(ids.sort((a, b) => a - b), [...range(1000, 40), ...range(2000, 40)]);
    });
  });

  describe('failed writes', () => {
    it('a commit refused by its precondition leaves the version and the rows readers see unchanged; its staged file is invisible', async () => {
      const t = loc('refused');
      await appendFiles(t, [await stage(t, '2026-11-23', 0, 10)], { createWith: DEF });
      const staged = await stage(t, '2026-11-23', 50, 10);
      await assert.rejects(
        replacePartition(t, { score_date: '2026-11-23' }, [staged], { check: async () => { throw new DeltaError('InvalidArgument', 'refused by the test'); } }),
        /refused by the test/,
      );
      const s = await openTable(t);
      assert.equal(s.version, 1);
      assert.deepEqual(await idsByDate(t), { '2026-11-23': range(0, 10) });
      assert.ok(!s.files().some((f) => f.path === staged.path));
      assert.ok(await storeFor(t).head(staged.path), 'the staged object exists but no commit references it (vacuum removes it later)');
    });

    it('a data file that fails while being written leaves no object and no temp file', async () => {
      const t = loc('bad-file');
      await createTable(t, DEF);
      const before = await storeFor(t).listKeys('');
      await assert.rejects(writeDataFile(t, {
        ...DEF, partitionValues: { score_date: '2026-11-23' },
        batch: { numRows: 4, columns: { user_id: new BigInt64Array(2), purchase_probability: new Float64Array(4), predicted_buyer: new Uint8Array(4), model_name: new ConstantColumn('m', 4), model_version: new ConstantColumn('1', 4), run_id: new ConstantColumn('r', 4), scored_at: new ConstantColumn(new Date(0), 4) } },
      }), DeltaError);
      assert.deepEqual(await storeFor(t).listKeys(''), before);
      assert.deepEqual(await stagingLeft(), []);
      assert.equal((await openTable(t)).version, 0);
    });

    it('a multipart upload failing midway is aborted: no object, no upload left in the bucket', async () => {
      const raw = new S3Client({ forcePathStyle: true });
      const location = loc('multipart');
      const prefix = location.slice(`s3://${server.bucket}/`.length);
      // MinIO lists the uploads of one key (its prefix must name the object)
      const uploads = async (key: string) => ((await raw.send(new ListMultipartUploadsCommand({ Bucket: server.bucket, Prefix: `${prefix}/${key}` }))).Uploads ?? []).length;
      // The listing sees an upload nobody finished (so an empty one below means aborted, not unlisted).
      const control = await raw.send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: `${prefix}/control.parquet` }));
      assert.equal(await uploads('control.parquet'), 1);
      const client = new S3Client({ forcePathStyle: true });
      let failed = 0;
      client.middlewareStack.add((next) => async (args) => {
        const input = args.input as { PartNumber?: number; UploadId?: string; MultipartUpload?: unknown };
        if (input.PartNumber === 2 && input.UploadId) {
          failed++;
          throw Object.assign(new Error('connection reset by the test'), { name: 'InternalError', $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      }, { step: 'initialize', name: 'failPartTwo' });
      const store = S3Store.fromUri(location, { client, partSize: 5 * 1024 * 1024 });
      const file = path.join(tmp, 'big.bin');
      await fs.writeFile(file, randomBytes(11 * 1024 * 1024));
      try {
        await assert.rejects(store.putFile('day=1/part-0.parquet', file), (err: DeltaError) => err instanceof DeltaError && err.message.includes(`${location}/day=1/part-0.parquet`));
      } finally {
        await fs.rm(file);
      }
      assert.equal(failed, 1);
      assert.equal(await store.head('day=1/part-0.parquet'), undefined);
      assert.equal(await uploads('control.parquet'), 1);
      assert.equal(await uploads('day=1/part-0.parquet'), 0, 'the failed upload was aborted');
      await raw.send(new AbortMultipartUploadCommand({ Bucket: server.bucket, Key: `${prefix}/control.parquet`, UploadId: control.UploadId }));
      raw.destroy();
      client.destroy();
    });
  });

  it('createTable refuses a prefix holding other objects, and an object at the location itself (TargetNotDelta), writing nothing', async () => {
    const t = loc('reports');
    const store = storeFor(t);
    await store.put('notes.txt', new TextEncoder().encode('keep me'));
    await store.put('q3/summary.csv', new TextEncoder().encode('a,b'));
    await assert.rejects(createTable(t, DEF), (err: DeltaError) => {
      assert.equal(err.code, 'TargetNotDelta');
      assert.equal(err.retryable, false);
      for (const named of [t, 'notes.txt', 'q3/']) assert.ok(err.message.includes(named), `${named} not in ${err.message}`);
      return true;
    });
    assert.deepEqual(await store.listKeys(''), ['notes.txt', 'q3/summary.csv']);

    const file = loc('gold.parquet.bak');
    await storeFor(`s3://${server.bucket}`).put(file.slice(`s3://${server.bucket}/`.length), new TextEncoder().encode('x'));
    await assert.rejects(createTable(file, DEF), (err: DeltaError) => err.code === 'TargetNotDelta' && err.message.includes(`${file} is a file`));
    assert.deepEqual(await storeFor(file).listKeys(''), []);

    // files a writer staged before the first commit are the table's own
    const staged = loc('staged-first');
    await stage(staged, '2026-11-23', 0, 3);
    assert.equal((await createTable(staged, DEF)).version, 0);
  });

  it('delta-rs reads our S3 Gold table row for row, appends on top, and we read its commit', async () => {
    const t = loc('interop');
    await replacePartition(t, { score_date: '2026-11-23' }, [await stage(t, '2026-11-23', 0, 200)], { createWith: DEF });
    await appendFiles(t, [await stage(t, '2026-11-24', 1000, 100)]);
    await sameAsDeltaRs(t, 300);
    assert.equal(runPython('write_table.py', [t, '--copy-first', '5']).stdout.trim(), '3');
    const s = await openTable(t);
    assert.equal(s.version, 3);
    assert.equal(s.numRecords(), 305);
    assert.deepEqual((await idsByDate(t))['2026-11-23'], [...range(0, 5), ...range(0, 200)].sort((a, b) => a - b));
    await sameAsDeltaRs(t, 305);
    // and we write on top of delta-rs's commit
    assert.equal((await replacePartition(t, { score_date: '2026-11-24' }, [await stage(t, '2026-11-24', 3000, 4)])).version, 4);
    await sameAsDeltaRs(t, 209);
  });

  it('Spark-written tables copied into the bucket read exactly as from local disk', async () => {
    const names = ['basic-with-inserts-deletes-checkpoint', 'multi-part-checkpoint', 'dv-partitioned-with-checkpoint', 'data-reader-partition-values', 'data-reader-escaped-chars', 'data-reader-map'];
    for (const name of names) {
      const local = path.join(goldenRoot, name);
      const t = loc(`golden/${name}`);
      const store = storeFor(t);
      for (const e of await fs.readdir(local, { withFileTypes: true, recursive: true })) {
        if (!e.isFile()) continue;
        const file = path.join(e.parentPath, e.name);
        await store.put(path.relative(local, file).split(path.sep).join('/'), await fs.readFile(file));
      }
      const fromDisk = await ourRows(local);
      assert.equal(fromDisk.error, undefined, `${name}: ${fromDisk.error}`);
      assert.ok(fromDisk.rows!.length > 0, name);
      const fromBucket = await ourRows(t);
      assert.equal(fromBucket.error, undefined, `${name}: ${fromBucket.error}`);
      assert.equal(rowDiff(fromBucket.rows!, fromDisk.rows!, 'disk'), undefined, name);
      assert.equal((await openTable(t)).version, (await openTable(local)).version, name);
      // and shown, listed and (dry-run) vacuumed from the bucket as from disk
      for (const args of [['show', '--json'], ['history', '--json'], ['vacuum', '--dry-run', '--json']]) {
        const [onBucket, onDisk] = [await cli([args[0], t, ...args.slice(1)]), await cli([args[0], local, ...args.slice(1)])];
        assert.equal(onBucket.code, 0, `delta ${args[0]} ${t}: ${onBucket.err}`);
        // the same output but for where the table is and when its files were written (copied, for the bucket)
        const same = (out: string, where: string) => out.split(where).join('TABLE').replace(/"timestamp":("[^"]*"|\d+)/g, '');
        assert.equal(same(onBucket.out, t), same(onDisk.out, local), `delta ${args[0]} ${name}`);
      }
    }
  });
});
