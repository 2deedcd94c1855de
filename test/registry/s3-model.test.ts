/**
 * Model URIs on S3 against a real S3-compatible server (MinIO): an object (or an MLflow-style folder) is
 * downloaded into the local model cache and pinned by the sha256 of its bytes; another worker, with its own
 * cache, gets its own copy of exactly those bytes or ModelDigestMismatch when the object changed; a missing,
 * unreadable or non-ONNX object fails non-retryable, naming the s3:// URI.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { objectAt } from '../../delta';
import { MinioServer, startMinio } from '../../devkit';
import { ERROR_CODES } from '../../errors';
import { resolveModel, verifyPinned } from '../../registry';
import { loadScorer } from '../../scoring';
import { tempDir, writeLogisticModel } from './helpers';

type Coded = Error & { retryable?: boolean; hint?: string };

/** The code, not retried, the message and the code's hint for a model on S3 (never `model register`). */
function fails(code: 'ModelFileMissing' | 'ModelFileCorrupt' | 'ModelDigestMismatch', message: RegExp) {
  return (e: Coded) => {
    assert.equal(e.name, code, e.message);
    assert.equal(e.retryable, false);
    assert.match(e.message, message);
    assert.equal(e.hint, ERROR_CODES[code].hints.s3);
    assert.doesNotMatch(e.hint!, /register/);
    return true;
  };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('registry: model URIs on S3 (MinIO)', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes)
  const features = ['sessions_30d', 'cart_adds_30d', 'purchases_90d'];
  let minio: MinioServer;
  let dir: string;
  let saved: Record<string, string | undefined>;
  const put = async (uri: string, bytes: Uint8Array) => {
    const { store, key } = objectAt(uri);
    await store.put(key, bytes);
  };
  const logistic = async (name: string, intercept: number) => fs.readFile(await writeLogisticModel(path.join(dir, `${name}.onnx`), { features, intercept }));
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  before(async () => {
    minio = await startMinio();
    saved = Object.fromEntries(Object.keys(minio.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, minio.env);
    dir = await tempDir('s3-model');
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await minio?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('an object is downloaded into the cache, pinned by sha256; another worker gets its own copy of the same bytes', async () => {
    const uri = `s3://${minio.bucket}/models/churn.onnx`;
    const bytes = await logistic('churn', -1);
    await put(uri, bytes);
    const planner = path.join(dir, 'planner', 'models');
    const pinned = await resolveModel(uri, { registryDir: planner });
    assert.deepEqual(
      { uri: pinned.uri, name: pinned.name, version: pinned.version, sha256: pinned.sha256, features: pinned.features },
      { uri, name: 'churn', version: `sha256:${sha(bytes).slice(0, 12)}`, sha256: sha(bytes), features },
    );
    assert.equal(pinned.localPath, path.join(planner, '.s3-cache', sha(bytes), 'churn.onnx'));
    assert.deepEqual(await fs.readFile(pinned.localPath), bytes);

    const scorer = path.join(dir, 'scorer', 'models');
    const local = await verifyPinned(pinned, { registryDir: scorer });
    assert.equal(local.localPath, path.join(scorer, '.s3-cache', sha(bytes), 'churn.onnx'));
    assert.equal(local.sha256, pinned.sha256);
    await loadScorer(local); // the worker's copy is a loadable model
    // Verified again from the cache: nothing is downloaded (the object may be gone by now).
    const { store, key } = objectAt(uri);
    await store.delete(key);
    assert.equal((await verifyPinned(pinned, { registryDir: scorer })).localPath, local.localPath);
  });

  it('an object changed after pinning: a worker without a copy refuses it (ModelDigestMismatch); a new resolve pins the new bytes', async () => {
    const uri = `s3://${minio.bucket}/models/changing.onnx`;
    await put(uri, await logistic('v1', -1));
    const pinned = await resolveModel(uri, { registryDir: path.join(dir, 'p2') });
    const v2 = await logistic('v2', -2);
    await put(uri, v2);
    await assert.rejects(verifyPinned(pinned, { registryDir: path.join(dir, 'w2') }), fails('ModelDigestMismatch', new RegExp(`model ${escape(uri)} changed under the run: the object now has sha256 ${sha(v2)}, pinned ${pinned.sha256}`)));
    assert.equal((await resolveModel(uri, { registryDir: path.join(dir, 'p2') })).sha256, sha(v2));
  });

  it('an MLflow-style folder: every file downloaded, the ONNX file from MLmodel, the digest over the folder', async () => {
    const uri = `s3://${minio.bucket}/models/folder-model`;
    const bytes = await logistic('in-folder', -3);
    await put(`${uri}/model.onnx`, bytes);
    await put(`${uri}/MLmodel`, new TextEncoder().encode('flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.17.0\n'));
    const registryDir = path.join(dir, 'p3');
    const pinned = await resolveModel(uri, { registryDir });
    assert.equal(pinned.name, 'folder-model');
    assert.equal(pinned.digestPath, path.join(registryDir, '.s3-cache', pinned.sha256));
    assert.equal(pinned.localPath, path.join(pinned.digestPath!, 'model.onnx'));
    const local = await verifyPinned(pinned, { registryDir: path.join(dir, 'w3') });
    assert.equal(local.digestPath, path.join(dir, 'w3', '.s3-cache', pinned.sha256));
    await loadScorer(local);
  });

  it('a missing object, a missing bucket and bytes that are not ONNX fail non-retryable, naming the URI', async () => {
    const registryDir = path.join(dir, 'p4');
    const missing = `s3://${minio.bucket}/models/nothing-here.onnx`;
    await assert.rejects(resolveModel(missing, { registryDir }), fails('ModelFileMissing', new RegExp(`^model ${escape(missing)} does not exist`)));
    const noBucket = 's3://no-such-bucket-here/models/m.onnx';
    await assert.rejects(resolveModel(noBucket, { registryDir }), fails('ModelFileMissing', new RegExp(`^model ${escape(noBucket)} cannot be read by the worker: .*no bucket no-such-bucket-here`)));
    const garbage = `s3://${minio.bucket}/models/garbage.onnx`;
    await put(garbage, new TextEncoder().encode('not a model at all'));
    await assert.rejects(resolveModel(garbage, { registryDir }), fails('ModelFileCorrupt', new RegExp(`^model ${escape(garbage)} \\(file .*\\) cannot be decoded as ONNX`)));
  });
});
