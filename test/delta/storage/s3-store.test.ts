/**
 * The S3 store against a real S3-compatible server (MinIO, built by scripts/minio.sh): first that the server
 * refuses the second of two conditional puts (raw SDK, before anything is trusted), then the ObjectStore contract
 * (list with prefixes and paging, ranged reads, whole replacement, put-if-absent races, delete, missing keys,
 * multipart uploads), errors that name bucket and key without secrets, the refusal of a server that ignores
 * If-None-Match, and delta-rs writing a table into the bucket that the store reads.
 * Credentials reach the store the way users give them: AWS_* variables read by the SDK's chain.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MinioServer, python, startMinio } from '../../../devkit';
import { DeltaError } from '../../../delta/errors';
import { parseS3Uri, S3Store } from '../../../delta/storage/s3-store';
import { describeObjectStoreContract } from './contract';

const bytes = (text: string) => new TextEncoder().encode(text);

/** Sets (or, for undefined, removes) environment variables; the returned function puts the old values back. */
function setEnv(env: Record<string, string | undefined>): () => void {
  const old = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(env);
  return () => apply(old);
}
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('S3 store on a real S3-compatible server (MinIO)', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes); later runs start it in about a second
  let server: MinioServer;
  let raw: S3Client;
  let restoreEnv = () => {};
  let run = 0;
  /** A store at a fresh prefix of the test bucket, configured by the AWS_* variables only. */
  const freshStore = (opts: ConstructorParameters<typeof S3Store>[2] = {}) => S3Store.fromUri(`s3://${server.bucket}/t${++run}-${randomBytes(3).toString('hex')}/table`, opts);

  before(async () => {
    server = await startMinio();
    restoreEnv = setEnv(server.env);
    raw = new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
  });

  after(async () => {
    restoreEnv();
    raw?.destroy();
    await server?.stop();
  });

  it('the server refuses the second of two conditional puts to one key, and keeps the first object (raw SDK)', async () => {
    const put = (body: string) => raw.send(new PutObjectCommand({ Bucket: server.bucket, Key: 'raw/00000.json', Body: body, IfNoneMatch: '*' }));
    await put('first');
    await assert.rejects(put('second'), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, 'PreconditionFailed');
      assert.equal(err.$metadata?.httpStatusCode, 412);
      return true;
    });
    const got = await raw.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'raw/00000.json' }));
    assert.equal(await got.Body?.transformToString(), 'first');
  });

  it('parses s3:// locations into bucket and folder prefix', () => {
    assert.deepEqual(parseS3Uri('s3://b/gold/t/'), { bucket: 'b', prefix: 'gold/t/' });
    assert.deepEqual(parseS3Uri('s3://b'), { bucket: 'b', prefix: '' });
    assert.throws(() => parseS3Uri('/data/gold'), (err: DeltaError) => err.code === 'InvalidArgument');
    assert.equal(S3Store.fromUri('s3://b/gold/t/').location, 's3://b/gold/t');
  });

  // The very checks the local store passes (contract.ts), then what only the S3 store has to prove.
  describeObjectStoreContract('S3 (MinIO)', async () => freshStore());

  describe('the ObjectStore contract, S3 specifics', () => {
    it('reads back what was put, replaces an object whole, and reads ranges', async () => {
      const store = freshStore();
      await store.put('a/file.bin', bytes('0123456789abcdef'));
      assert.equal(text(await store.get('a/file.bin')), '0123456789abcdef');
      assert.equal(text(await store.get('a/file.bin', { offset: 3, length: 5 })), '34567');
      assert.equal(text(await store.get('a/file.bin', { offset: 12, length: 4 })), 'cdef');
      assert.equal((await store.get('a/file.bin', { offset: 4, length: 0 }))?.length, 0);
      await store.put('a/file.bin', bytes('short'));
      assert.equal(text(await store.get('a/file.bin')), 'short');
      const info = await store.head('a/file.bin');
      assert.equal(info?.key, 'a/file.bin');
      assert.equal(info?.size, 5);
      assert.ok(Math.abs((info?.lastModified ?? 0) - Date.now()) < 5 * 60_000);
    });

    it('answers undefined for a missing key (head, get, ranged get) and deletes without error when nothing is there', async () => {
      const store = freshStore();
      assert.equal(await store.head('nope.json'), undefined);
      assert.equal(await store.get('nope.json'), undefined);
      assert.equal(await store.get('nope.json', { offset: 0, length: 4 }), undefined);
      await store.put('gone.json', bytes('x'));
      await store.delete('gone.json');
      assert.equal(await store.head('gone.json'), undefined);
      await store.delete('gone.json');
    });

    it('lists by prefix, relative to the store, sorted, and only inside the store', async () => {
      const store = freshStore();
      const sibling = S3Store.fromUri(`${store.location}-sibling`);
      for (const key of ['_delta_log/00001.json', '_delta_log/00000.json', 'part-1.parquet', '_delta_logx/y', 'day=1/part-0.parquet']) {
        await store.put(key, bytes(key));
      }
      await sibling.put('_delta_log/00000.json', bytes('other table'));
      assert.deepEqual((await store.list('_delta_log/')).map((o) => o.key), ['_delta_log/00000.json', '_delta_log/00001.json']);
      assert.deepEqual((await store.list('')).map((o) => o.key), ['_delta_log/00000.json', '_delta_log/00001.json', '_delta_logx/y', 'day=1/part-0.parquet', 'part-1.parquet']);
      assert.deepEqual((await store.list('_delta_log/00001')).map((o) => [o.key, o.size]), [['_delta_log/00001.json', '_delta_log/00001.json'.length]]);
      assert.deepEqual(await store.list('missing/'), []);
    });

    it('lists every page when there are more keys than one page holds', async () => {
      const store = freshStore({ listPageSize: 7 });
      const keys = Array.from({ length: 45 }, (_, i) => `_delta_log/${String(i).padStart(20, '0')}.json`);
      for (let i = 0; i < keys.length; i += 15) await Promise.all(keys.slice(i, i + 15).map((k) => store.put(k, bytes(k))));
      assert.deepEqual((await store.list('_delta_log/')).map((o) => o.key), keys);
    });

    it('putIfAbsent writes a new key, refuses an existing one and leaves it unchanged', async () => {
      const store = freshStore();
      assert.equal(await store.putIfAbsent('_delta_log/00000.json', bytes('mine')), true);
      assert.equal(await store.putIfAbsent('_delta_log/00000.json', bytes('theirs')), false);
      assert.equal(text(await store.get('_delta_log/00000.json')), 'mine');
    });

    it('putIfAbsent races: of several concurrent writers to one key exactly one wins, and its bytes stay', async () => {
      const location = freshStore().location;
      for (let round = 0; round < 3; round++) {
        const writers = Array.from({ length: 8 }, () => S3Store.fromUri(location));
        const key = `_delta_log/${String(round).padStart(20, '0')}.json`;
        const won = await Promise.all(writers.map((w, i) => w.putIfAbsent(key, bytes(`writer ${i}`))));
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won}`);
        assert.equal(text(await writers[0].get(key)), `writer ${won.indexOf(true)}`);
      }
    });

    it('putIfAbsent whose response was lost and retried by the SDK still reports its own win (the 412 is its own object)', async () => {
      const client = new S3Client({ forcePathStyle: true });
      let lost = 0;
      client.middlewareStack.add((next) => async (args) => {
        const result = await next(args);
        const request = args.request as { path?: string; headers: Record<string, string> };
        if (lost === 0 && request.headers['if-none-match'] === '*' && request.path?.includes('_delta_log/')) {
          lost++;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }); // the put landed; its answer did not
        }
        return result;
      }, { step: 'deserialize', name: 'loseFirstAnswer' });
      const store = S3Store.fromUri(freshStore().location, { client });
      assert.equal(await store.putIfAbsent('_delta_log/00000.json', bytes('mine')), true);
      assert.equal(lost, 1, 'the answer of the first attempt was lost');
      assert.equal(await store.putIfAbsent('_delta_log/00000.json', bytes('theirs')), false);
    });

    it('putFile uploads a file larger than a part by multipart, byte for byte; with ifAbsent never over an existing key', async () => {
      const partSize = 5 * 1024 * 1024;
      const store = freshStore({ partSize });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-s3-'));
      try {
        const file = path.join(dir, 'part-0.parquet');
        const content = randomBytes(2 * partSize + 12345);
        fs.writeFileSync(file, content);
        await store.putFile('part-0.parquet', file);
        const got = await store.get('part-0.parquet');
        assert.equal(createHash('sha256').update(got ?? new Uint8Array()).digest('hex'), createHash('sha256').update(content).digest('hex'));
        const { bucket, prefix } = parseS3Uri(store.location);
        const head = await raw.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}part-0.parquet` }));
        assert.match(head.ETag ?? '', /-3"$/, 'a multipart object of 3 parts');
        // ifAbsent by multipart: If-None-Match on CompleteMultipartUpload refuses an existing key, which stays
        fs.writeFileSync(file, randomBytes(2 * partSize + 1));
        assert.equal(await store.putFile('part-0.parquet', file, { ifAbsent: true }), false);
        assert.equal((await store.head('part-0.parquet'))?.size, content.length);
        assert.equal(await store.putFile('part-1.parquet', file, { ifAbsent: true }), true);
        assert.equal((await store.head('part-1.parquet'))?.size, 2 * partSize + 1);
        fs.writeFileSync(file, 'small');
        await store.putFile('part-0.parquet', file);
        assert.equal(text(await store.get('part-0.parquet')), 'small');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('errors', () => {
    it('a missing bucket is BucketNotFound, not retryable, naming bucket and key', async () => {
      const store = S3Store.fromUri('s3://no-such-bucket-here/gold/t');
      await assert.rejects(store.put('_delta_log/00000.json', bytes('x')), (err: DeltaError) => {
        assert.equal(err.code, 'BucketNotFound');
        assert.equal(err.retryable, false);
        assert.match(err.message, /s3:\/\/no-such-bucket-here\/gold\/t\/_delta_log\/00000\.json/);
        return true;
      });
    });

    it('wrong credentials are StorageAccessDenied, not retryable, naming bucket and key, with no secret in the message', async () => {
      const wrongSecret = `${server.secretAccessKey}x`;
      const restore = setEnv({ AWS_SECRET_ACCESS_KEY: wrongSecret });
      try {
        const store = S3Store.fromUri(`s3://${server.bucket}/gold/t`);
        for (const attempt of [store.list('_delta_log/'), store.get('_delta_log/00000.json'), store.put('x.json', bytes('x'))]) {
          await assert.rejects(attempt, (err: DeltaError) => {
            assert.equal(err.code, 'StorageAccessDenied');
            assert.equal(err.retryable, false);
            assert.match(err.message, new RegExp(`s3://${server.bucket}/gold/t/`));
            for (const secret of [wrongSecret, server.secretAccessKey]) assert.ok(!err.message.includes(secret), err.message);
            assert.ok(!JSON.stringify(err).includes(wrongSecret));
            return true;
          });
        }
      } finally {
        restore();
      }
    });

    it('no region (StorageRegionMissing, naming AWS_REGION) or no credentials is not retried; a server that does not answer is Io, which is', async () => {
      const attempt = async (env: Record<string, string | undefined>) => {
        const restore = setEnv(env);
        try {
          await S3Store.fromUri(`s3://${server.bucket}/gold/t`).list('_delta_log/');
          assert.fail('listed without a usable client');
        } catch (err) {
          return err as DeltaError;
        } finally {
          restore();
        }
      };
      const nowhere = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_PROFILE: undefined };
      const noRegion = await attempt({ ...nowhere, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
      assert.deepEqual([noRegion.code, noRegion.retryable], ['StorageRegionMissing', false]);
      assert.equal(noRegion.message, `list s3://${server.bucket}/gold/t/_delta_log/: no AWS region is set: set AWS_REGION (or AWS_PROFILE naming a profile with a region)`);
      const noCredentials = await attempt({ ...nowhere, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
      assert.deepEqual([noCredentials.code, noCredentials.retryable], ['StorageAccessDenied', false]);
      assert.match(noCredentials.message, /no credentials/);
      const closedPort = server.endpoint.replace(/:\d+$/, ':1');
      const down = await attempt({ AWS_ENDPOINT_URL: closedPort });
      assert.deepEqual([down.code, down.retryable], ['Io', true]);
      assert.match(down.message, new RegExp(`s3://${server.bucket}/gold/t/_delta_log/`));
    });

    it('a server that ignores If-None-Match is refused before the first conditional write, naming the endpoint', async () => {
      // The same server seen through a client that drops the header before signing: an S3 "compatible" store
      // that overwrites. A bucket of its own, since the probe's verdict is kept per endpoint and bucket.
      await raw.send(new CreateBucketCommand({ Bucket: 'ignores-conditions' }));
      const client = new S3Client({ forcePathStyle: true });
      client.middlewareStack.add((next) => async (args) => {
        delete (args.request as { headers: Record<string, string> }).headers['if-none-match'];
        return next(args);
      }, { step: 'build', name: 'dropIfNoneMatch' });
      const store = S3Store.fromUri('s3://ignores-conditions/gold/t', { client });
      for (let i = 0; i < 2; i++) {
        await assert.rejects(store.putIfAbsent('_delta_log/00000.json', bytes('x')), (err: DeltaError) => {
          assert.equal(err.code, 'ConditionalWritesUnsupported');
          assert.equal(err.retryable, false);
          assert.ok(err.message.includes(server.endpoint), err.message);
          assert.match(err.message, /conditional writes/);
          return true;
        });
      }
      assert.equal(await store.head('_delta_log/00000.json'), undefined, 'nothing was committed');
      assert.deepEqual(await store.list(''), [], 'the probe key was removed');
    });
  });

  it('reads the log of a table delta-rs wrote into the bucket with conditional puts', async () => {
    const location = `s3://${server.bucket}/interop/delta-rs`;
    // delta-rs reads the same AWS_* variables, plus plain HTTP allowed; commits by conditional put (its default in
    // delta-rs 1.x, checked: it writes here without the setting too) are asked for explicitly, as the guide says.
    const restore = setEnv({ AWS_ALLOW_HTTP: 'true', AWS_CONDITIONAL_PUT: 'etag' });
    try {
      await python('delta/write_table.py', [location, '--mode', 'append', '--start', '0', '--count', '5']);
      assert.equal((await python('delta/write_table.py', [location, '--mode', 'append', '--start', '5', '--count', '5'])).trim(), '1');
    } finally {
      restore();
    }
    const store = S3Store.fromUri(location);
    const log = (await store.list('_delta_log/')).map((o) => o.key).filter((k) => k.endsWith('.json'));
    assert.deepEqual(log, ['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    const actions = (text(await store.get(log[0])) ?? '').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(actions.some((a) => 'protocol' in a) && actions.some((a) => 'metaData' in a));
    const added = actions.flatMap((a) => (a.add ? [(a.add as { path: string; size: number }) ] : []));
    assert.equal(added.length, 1);
    const file = await store.head(decodeURIComponent(added[0].path));
    assert.equal(file?.size, added[0].size);
    const tail = await store.get(decodeURIComponent(added[0].path), { offset: added[0].size - 4, length: 4 });
    assert.equal(text(tail), 'PAR1', 'a Parquet file, read by range from its end');
  });
});
