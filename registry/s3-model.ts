/**
 * Model URIs on S3: `s3://bucket/models/m.onnx` (one ONNX file) or `s3://bucket/models/m` (a folder: an MLflow
 * model with its MLmodel, or an ONNX file with external data). Workers share no disk, so each keeps its own copy
 * in the local model cache (<data root>/models/.s3-cache/<sha256>/), named by the digest of the bytes:
 *
 *   resolve (planning): download the object(s) once, digest them, pin {uri, sha256}; the digest is the identity
 *                       Gold and the run's result record, so a re-run after the object changed pins a new one.
 *   score (any worker): use the cached copy of the pinned digest; a worker without it downloads again and
 *                       refuses (ModelDigestMismatch) bytes that are no longer the pinned ones.
 *
 * Downloads go through the Delta layer's store (one S3 client, credentials from the SDK's chain only), by ranged
 * gets of bounded size, into a temp folder renamed into place: a crash never leaves a half model in the cache.
 * A missing or unreadable object is ModelFileMissing naming the URI; bytes that are not ONNX fail later, when
 * the file is decoded, as ModelFileCorrupt naming the URI.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { DeltaError, objectAt, ObjectStore, storeFor } from '../delta';
import { BatchScoreError } from '../errors';
import { sha256Model } from './digest';
import { ModelDigestMismatchError, ModelFileMissingError } from './errors';
import { onnxDataFile, signatureInputNames } from './mlmodel';
import type { PinnedModel } from './pinned';

/** Bytes per ranged get: a model of any size is downloaded with this much of it in memory. */
const CHUNK = 8 * 1024 * 1024;

export interface S3Model {
  name: string;
  sha256: string;
  /** The ONNX file in the cache. */
  localPath: string;
  /** Set for a folder model: the digest covers the folder. */
  digestPath?: string;
  /** The MLmodel signature's input names, if a folder model has one. */
  signature: string[];
}

/** The cache folder of S3 models under a registry folder. */
export function s3ModelCache(registryDir: string): string {
  return path.join(registryDir, '.s3-cache');
}

/** Downloads the model at `uri` into the cache (unless its content is there) and says where it is. */
export async function fetchS3Model(uri: string, cacheDir: string): Promise<S3Model> {
  const source = await locate(uri);
  await fs.mkdir(cacheDir, { recursive: true });
  const tmp = path.join(cacheDir, `.download-${randomUUID()}`);
  await fs.mkdir(tmp);
  try {
    for (const key of source.keys) await download(source.store, key, path.join(tmp, ...key.split('/')), uri);
    const sha256 = await sha256Model(source.folder ? tmp : path.join(tmp, source.keys[0]));
    const folder = path.join(cacheDir, sha256);
    await fs.rename(tmp, folder).catch((e: NodeJS.ErrnoException) => {
      // Already cached (by this worker earlier, or a parallel download): the folder name is the content's digest.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
    return cached(uri, folder, sha256, source.folder, source.keys);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The pinned S3 model as this worker holds it: its cached copy of the pinned digest, downloaded now if this
 * worker has none (ModelDigestMismatch when the object changed since the run pinned it).
 */
export async function localS3Model(pinned: PinnedModel, cacheDir: string): Promise<PinnedModel> {
  const folder = path.join(cacheDir, pinned.sha256);
  const present = await fs.stat(folder).then(() => true, () => false);
  const found = present ? await cachedAgain(pinned, folder) : await fetchS3Model(pinned.uri, cacheDir);
  if (found.sha256 !== pinned.sha256) {
    throw new ModelDigestMismatchError(
      `model ${pinned.uri} changed under the run: the object now has sha256 ${found.sha256}, pinned ${pinned.sha256}; ` +
        'the run scores with the bytes it pinned — re-run to score with the new object',
      { uri: pinned.uri },
    );
  }
  const local: PinnedModel = { ...pinned, localPath: found.localPath };
  if (found.digestPath) local.digestPath = found.digestPath;
  else delete local.digestPath;
  return local;
}

/** The cached copy's layout, as fetchS3Model made it (a file model is the folder's one file). */
async function cachedAgain(pinned: PinnedModel, folder: string): Promise<S3Model> {
  const keys = (await fs.readdir(folder, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
    .map((e) => path.relative(folder, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  return cached(pinned.uri, folder, pinned.sha256, pinned.digestPath !== undefined, keys);
}

async function cached(uri: string, folder: string, sha256: string, isFolder: boolean, keys: string[]): Promise<S3Model> {
  const name = path.posix.basename(uri.replace(/\/+$/, '')).replace(/\.onnx$/i, '');
  if (!isFolder) return { name, sha256, localPath: path.join(folder, keys[0]), signature: [] };
  const mlmodel = await fs.readFile(path.join(folder, 'MLmodel'), 'utf8').catch(() => undefined);
  const onnxFile = (mlmodel && onnxDataFile(mlmodel)) ?? soleOnnxFile(uri, keys);
  return { name, sha256, localPath: path.join(folder, ...onnxFile.split('/')), digestPath: folder, signature: (mlmodel && signatureInputNames(mlmodel)) || [] };
}

function soleOnnxFile(uri: string, keys: string[]): string {
  const onnx = keys.filter((k) => !k.includes('/') && k.toLowerCase().endsWith('.onnx'));
  if (onnx.length !== 1) {
    throw new ModelFileMissingError(`model ${uri} is a folder with ${onnx.length} .onnx files and no MLmodel naming one (${keys.slice(0, 5).join(', ')})`, { uri });
  }
  return onnx[0];
}

interface Source {
  store: ObjectStore;
  keys: string[];
  folder: boolean;
}

/** The object at the URI, else the objects under it as a folder; ModelFileMissing when there is neither. */
async function locate(uri: string): Promise<Source> {
  return reading(uri, async () => {
    const trimmed = uri.replace(/^s3:/i, 's3:').replace(/\/+$/, ''); // the scheme in any case, as table locations
    const object = objectAt(trimmed);
    if (!uri.endsWith('/') && (await object.store.head(object.key))) return { store: object.store, keys: [object.key], folder: false };
    const store = storeFor(trimmed);
    const keys = (await store.listKeys('')).filter((k) => !k.split('/').some((part) => part === '' || part === '.' || part === '..'));
    if (keys.length === 0) throw new ModelFileMissingError(`model ${uri} does not exist: no object, and no folder of objects under it`, { uri });
    return { store, keys, folder: true };
  });
}

/** One object to a local file by ranged gets, each written before the next is asked for. */
async function download(store: ObjectStore, key: string, file: string, uri: string): Promise<void> {
  await reading(uri, async () => {
    const info = await store.head(key);
    if (!info) throw new ModelFileMissingError(`model ${uri}: ${store.location}/${key} disappeared while it was downloaded`, { uri });
    await fs.mkdir(path.dirname(file), { recursive: true });
    const out = await fs.open(file, 'wx');
    try {
      for (let offset = 0; offset < info.size; offset += CHUNK) {
        const length = Math.min(CHUNK, info.size - offset);
        const bytes = await store.get(key, { offset, length });
        if (!bytes || bytes.length !== length) {
          // Replaced or removed mid-download: a retry sees what is there now.
          throw new BatchScoreError('Io', `model ${uri}: ${store.location}/${key} changed while it was downloaded (read ${bytes?.length ?? 0} of ${length} bytes at ${offset})`);
        }
        await out.write(bytes);
      }
    } finally {
      await out.close();
    }
  });
}

/** Storage failures as model failures naming the URI: what no retry fixes is ModelFileMissing; Io stays retryable. */
async function reading<T>(uri: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DeltaError && ['StorageAccessDenied', 'BucketNotFound', 'InvalidArgument'].includes(err.code)) {
      throw new ModelFileMissingError(`model ${uri} cannot be read by the worker: ${err.message}`, { cause: err, uri });
    }
    throw err;
  }
}
