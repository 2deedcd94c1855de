/**
 * The local file system store: the ObjectStore contract (contract.ts), plus what only a local store promises:
 * keys are files under its folder, and storeFor opens it for a path and refuses what it cannot open yet.
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

  it('storeFor refuses s3:// (not wired yet) and unknown schemes with a clear DeltaError', () => {
    assert.throws(() => storeFor('s3://bucket/gold/t'), (e: DeltaError) => e.code === 'InvalidArgument' && /s3:\/\/bucket\/gold\/t.*not supported yet/.test(e.message));
    assert.throws(() => storeFor('gs://bucket/t'), (e: DeltaError) => e.code === 'InvalidArgument' && /unknown storage scheme/.test(e.message));
  });
});
