/**
 * Model URI → pinned model. `models:/...` URIs go to the MLflow registry when a tracking URI is configured
 * (MLFLOW_TRACKING_URI), otherwise to the local registry; a plain path is pinned as it is; an `s3://` object or
 * folder is downloaded into the local model cache and pinned by its digest (s3-model.ts).
 * The feature list follows the precedence in ./features.ts.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { mlflowTrackingUriFromEnv } from '../config';
import { sha256File } from './digest';
import { resolveFeatures } from './features';
import { aliasVersion, getVersion, latestVersion } from './local';
import { fetchMlflowVersion, resolveMlflowModel } from './mlflow';
import { readingModelFile } from './model-file';
import { readOnnxInfo } from './onnx-file';
import { checkDigest, PinnedModel } from './pinned';
import { fetchS3Model, localS3Model, s3ModelCache } from './s3-model';
import { parseModelUri } from './uri';

export interface ResolveOptions {
  /** The local registry folder (data/models). */
  registryDir: string;
  /** MLflow tracking server; when set, `models:/` URIs are resolved there (default: MLFLOW_TRACKING_URI). */
  mlflowTrackingUri?: string;
  /** The run's explicit feature list; overrides every other source. */
  features?: string[];
}

export async function resolveModel(uri: string, opts: ResolveOptions): Promise<PinnedModel> {
  const parsed = parseModelUri(uri);
  let located: { name: string; version: string; sha256: string; localPath: string; signature: string[]; digestPath?: string };
  if (parsed.kind === 'file') {
    const localPath = path.resolve(parsed.path);
    const sha256 = await readingModelFile({ uri, file: localPath }, () => sha256File(localPath));
    located = {
      name: path.basename(localPath).replace(/\.onnx$/i, ''),
      version: `sha256:${sha256.slice(0, 12)}`,
      sha256,
      localPath,
      signature: [],
    };
  } else if (parsed.kind === 's3') {
    const fetched = await fetchS3Model(parsed.uri, s3ModelCache(opts.registryDir));
    located = { ...fetched, version: `sha256:${fetched.sha256.slice(0, 12)}` };
  } else if (trackingUri(opts)) {
    located = await resolveMlflowModel(parsed, mlflowOptions(opts));
  } else {
    const version =
      parsed.kind === 'version'
        ? parsed.version
        : parsed.kind === 'latest'
          ? await latestVersion(opts.registryDir, parsed.name)
          : parsed.kind === 'alias'
            ? await aliasVersion(opts.registryDir, parsed.name, parsed.alias)
            : await aliasVersion(opts.registryDir, parsed.name, parsed.stage, 'stage');
    const record = await getVersion(opts.registryDir, parsed.name, version);
    located = {
      name: record.name,
      version: record.version,
      sha256: record.sha256,
      localPath: path.join(opts.registryDir, record.blob),
      signature: record.features,
    };
  }
  const info = await readOnnxInfo(located.localPath, uri);
  const { features } = resolveFeatures(`${located.name} version ${located.version}`, info, {
    run: opts.features,
    signature: located.signature,
  });
  const pinned: PinnedModel = {
    uri,
    name: located.name,
    version: located.version,
    sha256: located.sha256,
    localPath: located.localPath,
    features,
    ...(located.digestPath ? { digestPath: located.digestPath } : {}),
  };
  await checkDigest(pinned); // the registry's record and the bytes on disk must agree
  return pinned;
}

/**
 * Re-reads the pinned bytes and fails with ModelDigestMismatchError when they changed, ModelFileMissingError when
 * they are gone; returns the pinned model as this worker holds it. `opts` is accepted so a worker on another
 * machine can re-fetch a pinned MLflow version it has not downloaded yet, or download a pinned S3 model into its
 * own cache (its paths, not the planning worker's, are returned).
 */
export async function verifyPinned(pinned: PinnedModel, opts?: ResolveOptions): Promise<PinnedModel> {
  if (parseModelUri(pinned.uri).kind === 's3') {
    if (!opts) throw new Error(`verifying the S3 model ${pinned.uri} needs the worker's registry folder (its model cache)`);
    const local = await localS3Model(pinned, s3ModelCache(opts.registryDir));
    await checkDigest(local);
    return local;
  }
  const target = pinned.digestPath ?? pinned.localPath;
  const present = await fs.access(target).then(
    () => true,
    () => false,
  );
  if (!present && opts && trackingUri(opts) && pinned.uri.startsWith('models:')) {
    await fetchMlflowVersion(pinned, mlflowOptions(opts));
  }
  await checkDigest(pinned);
  return pinned;
}

function trackingUri(opts: ResolveOptions): string | undefined {
  return opts.mlflowTrackingUri ?? mlflowTrackingUriFromEnv();
}

function mlflowOptions(opts: ResolveOptions) {
  return { trackingUri: trackingUri(opts)!, cacheDir: path.join(opts.registryDir, '.mlflow-cache') };
}
