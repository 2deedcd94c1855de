/**
 * The local file system store: the ObjectStore contract (contract.ts), plus what only a local store promises:
 * keys are files under its folder, and storeFor opens it for a path (an S3 store for s3://) and refuses other schemes.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DeltaError, storeFor } from '../../../delta';
import { tempDir } from '../helpers';
import { describeObjectStoreContract } from './contract';

describeObjectStoreContract('local file system', async () => storeFor(await tempDir('local-store')));

describe('local store', () => {
  it('keeps a key as a file under its folder, readable by other tools', async () => {
    const root = await tempDir('local-store');
    const store = storeFor(root);
    await store.put('_delta_log/00000000000000000000.json', Buffer.from('{}\n'));
    assert.equal(await fs.readFile(path.join(root, '_delta_log', '00000000000000000000.json'), 'utf8'), '{}\n');
    assert.equal(store.location, root);
  });

  it('storeFor opens s3:// as an S3 store (no request made) and refuses unknown schemes with a clear DeltaError', () => {
    const s3 = storeFor('s3://bucket/gold/t/');
    assert.equal(s3.location, 's3://bucket/gold/t');
    assert.equal(s3.constructor.name, 'S3Store');
    assert.throws(() => storeFor('gs://bucket/t'), (e: DeltaError) => e.code === 'InvalidArgument' && /unknown storage scheme/.test(e.message));
  });
});
