/**
 * The MLflow Model Registry over its REST API (MLFLOW_TRACKING_URI):
 *
 *   URI → model version   alias: registered-models/alias · version: model-versions/get ·
 *                         stage: registered-models/get-latest-versions · latest: model-versions/search
 *   version → files       model-versions/get-download-uri → artifact URI → the whole folder (MLmodel, model.onnx,
 *                         external data files) through the server's artifact proxy (mlflow-artifacts:) or a
 *                         local file: root
 *   files → pinned        <cache>/<name>/<version>/<sha256>/ ; features from the MLmodel signature
 *
 * A version whose files differ from those first downloaded for it fails with ModelDigestMismatchError.
 * Credentials follow MLflow's variables: MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME / _PASSWORD.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { mlflowCredentialsFromEnv } from '../config';
import { sha256Model } from './digest';
import { BatchScoreError } from '../errors';
import { ModelDigestMismatchError, ModelNotFoundError } from './errors';
import { onnxDataFile, signatureInputNames } from './mlmodel';
import type { PinnedModel } from './pinned';
import type { RegistryModelUri } from './uri';

export interface MlflowOptions {
  trackingUri: string;
  /** Where downloaded model versions are kept (data/models/.mlflow-cache). */
  cacheDir: string;
}

export interface LocatedModel {
  name: string;
  version: string;
  sha256: string;
  localPath: string;
  signature: string[];
  digestPath: string;
}

interface ModelVersion {
  name: string;
  version: string;
  status?: string;
  current_stage?: string;
}

/** The registry refused or answered something no retry changes. */
class MlflowError extends BatchScoreError {
  constructor(message: string) {
    super('RegistryRejected', message);
  }
}

/** The registry is unreachable or in trouble (5xx, 429, a version still registering): retried. */
class MlflowUnavailable extends BatchScoreError {
  constructor(message: string) {
    super('RegistryUnavailable', message);
  }
}

export async function resolveMlflowModel(uri: RegistryModelUri, opts: MlflowOptions): Promise<LocatedModel> {
  const mv = await findVersion(uri, opts);
  if (mv.status && mv.status !== 'READY') {
    const message = `MLflow model ${mv.name} version ${mv.version} at ${opts.trackingUri} is ${mv.status}, not READY`;
    if (mv.status === 'PENDING_REGISTRATION') throw new MlflowUnavailable(message); // may become READY: retry
    throw new MlflowError(message);
  }
  return download(mv.name, mv.version, opts);
}

/** Downloads a pinned version on a machine that has not seen it yet; its bytes must be the pinned ones. */
export async function fetchMlflowVersion(pinned: PinnedModel, opts: MlflowOptions): Promise<void> {
  const located = await download(pinned.name, pinned.version, opts);
  if (located.sha256 !== pinned.sha256) {
    throw new ModelDigestMismatchError(
      `MLflow model ${pinned.name} version ${pinned.version} changed under the run: it now has sha256 ${located.sha256}, ` +
        `pinned ${pinned.sha256}`,
    );
  }
  if (pinned.digestPath && path.resolve(pinned.digestPath) !== path.resolve(located.digestPath)) {
    await fs.mkdir(path.dirname(pinned.digestPath), { recursive: true });
    await fs.cp(located.digestPath, pinned.digestPath, { recursive: true });
  }
}

async function findVersion(uri: RegistryModelUri, opts: MlflowOptions): Promise<ModelVersion> {
  const what = uri.kind === 'alias' ? `alias "${uri.alias}"` : uri.kind === 'version' ? `version ${uri.version}` : uri.kind === 'stage' ? `stage "${uri.stage}"` : 'latest version';
  const notFound = () => new ModelNotFoundError(`MLflow registry at ${opts.trackingUri} has no model ${uri.name} with ${what}`);
  switch (uri.kind) {
    case 'alias':
      return (await api<{ model_version: ModelVersion }>(opts, 'GET', 'registered-models/alias', { name: uri.name, alias: uri.alias }, notFound)).model_version;
    case 'version':
      return (await api<{ model_version: ModelVersion }>(opts, 'GET', 'model-versions/get', { name: uri.name, version: uri.version }, notFound)).model_version;
    case 'stage': {
      const r = await api<{ model_versions?: ModelVersion[] }>(opts, 'POST', 'registered-models/get-latest-versions', { name: uri.name, stages: [uri.stage] }, notFound);
      const found = (r.model_versions ?? []).filter((v) => v.current_stage?.toLowerCase() === uri.stage.toLowerCase());
      if (!found.length) throw notFound();
      return found.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
    }
    case 'latest': {
      const r = await api<{ model_versions?: ModelVersion[] }>(opts, 'GET', 'model-versions/search', { filter: `name='${uri.name.replace(/'/g, "\\'")}'`, max_results: '1000' }, notFound);
      const all = r.model_versions ?? [];
      if (!all.length) throw notFound();
      return all.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
    }
  }
}

/** Downloads a version's folder into the cache (once per content), returns where its ONNX file is. */
async function download(name: string, version: string, opts: MlflowOptions): Promise<LocatedModel> {
  const { artifact_uri } = await api<{ artifact_uri: string }>(opts, 'GET', 'model-versions/get-download-uri', { name, version });
  if (!/^\d+$/.test(version)) throw new MlflowError(`MLflow returned version "${version}" for model ${name}; expected a number`);
  // The name becomes one folder name: percent-encoded, and never "." or "..".
  const folderName = encodeURIComponent(name).replace(/^\.+$/, (dots) => '%2E'.repeat(dots.length));
  const versionDir = path.join(opts.cacheDir, folderName, version);
  const tmp = path.join(versionDir, `.download-${randomUUID()}`);
  await fs.mkdir(tmp, { recursive: true });
  try {
    await copyArtifacts(artifact_uri, tmp, opts);
    const sha256 = await sha256Model(tmp);
    const known = (await fs.readdir(versionDir)).filter((d) => /^[0-9a-f]{64}$/.test(d));
    const other = known.find((d) => d !== sha256);
    if (other) {
      throw new ModelDigestMismatchError(
        `MLflow model ${name} version ${version} at ${opts.trackingUri} changed: its files now have sha256 ${sha256}, ` +
          `first downloaded with sha256 ${other} (${path.join(versionDir, other)}); a registered version must never change — ` +
          'register a new version (or delete that folder if the change is intended)',
      );
    }
    const folder = path.join(versionDir, sha256);
    if (!known.includes(sha256)) {
      await fs.rename(tmp, folder).catch((e: NodeJS.ErrnoException) => {
        // Another process stored the same content first: the folder name is its digest, so it is ours too.
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      });
    }
    const mlmodel = await fs.readFile(path.join(folder, 'MLmodel'), 'utf8').catch(() => undefined);
    const onnxFile = (mlmodel && onnxDataFile(mlmodel)) ?? (await soleOnnxFile(folder, name, version));
    return {
      name,
      version,
      sha256,
      localPath: path.join(folder, onnxFile),
      signature: (mlmodel && signatureInputNames(mlmodel)) || [],
      digestPath: folder,
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

async function soleOnnxFile(folder: string, name: string, version: string): Promise<string> {
  const onnx = (await fs.readdir(folder)).filter((f) => f.endsWith('.onnx'));
  if (onnx.length !== 1) {
    throw new MlflowError(`MLflow model ${name} version ${version} is not an ONNX model: no MLmodel onnx flavor and ${onnx.length} .onnx files`);
  }
  return onnx[0];
}

/** Copies an artifact folder: through the tracking server's artifact proxy, or from a local file: root. */
async function copyArtifacts(artifactUri: string, into: string, opts: MlflowOptions): Promise<void> {
  if (artifactUri.startsWith('mlflow-artifacts:')) {
    // mlflow-artifacts:/1/models/m-…/artifacts, or mlflow-artifacts://host:port/1/…: the path is served by the proxy.
    const root = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '').replace(/^\/+/, '');
    await copyProxied(root, into, opts);
    return;
  }
  if (artifactUri.startsWith('file:') || artifactUri.startsWith('/')) {
    const source = artifactUri.startsWith('file:') ? fileURLToPath(artifactUri) : artifactUri;
    await fs.cp(source, into, { recursive: true });
    return;
  }
  throw new MlflowError(
    `artifacts at ${artifactUri} cannot be fetched: batch-score downloads through the tracking server's artifact proxy ` +
      '(mlflow server --serve-artifacts, the default) or from a local file: artifact root',
  );
}

async function copyProxied(dir: string, into: string, opts: MlflowOptions): Promise<void> {
  const listing = await request(opts, `mlflow-artifacts/artifacts?path=${encodeURIComponent(dir)}`);
  const { files = [] } = (await listing.json()) as { files?: { path: string; is_dir: boolean }[] };
  for (const f of files) {
    const name = path.posix.basename(f.path);
    if (name === '' || name === '.' || name === '..') throw new MlflowError(`artifact listing of ${dir} has a bad entry ${f.path}`);
    const rel = `${dir}/${name}`;
    const target = path.join(into, name);
    if (f.is_dir) {
      await fs.mkdir(target, { recursive: true });
      await copyProxied(rel, target, opts);
    } else {
      const res = await request(opts, `mlflow-artifacts/artifacts/${rel.split('/').map(encodeURIComponent).join('/')}`);
      await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(target));
    }
  }
}

async function api<T>(
  opts: MlflowOptions,
  method: 'GET' | 'POST',
  endpoint: string,
  params: Record<string, string | string[]>,
  notFound?: () => Error,
): Promise<T> {
  let url = `mlflow/${endpoint}`;
  let body: string | undefined;
  if (method === 'GET') url += `?${new URLSearchParams(params as Record<string, string>)}`;
  else body = JSON.stringify(params);
  const res = await request(opts, url, { method, body, notFound });
  return (await res.json()) as T;
}

async function request(
  opts: MlflowOptions,
  apiPath: string,
  init: { method?: string; body?: string; notFound?: () => Error } = {},
): Promise<Response> {
  const server = serverOf(opts.trackingUri);
  const url = `${server.base}/api/2.0/${apiPath}`;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method ?? 'GET', body: init.body, headers: headers(init.body !== undefined, server.basic) });
  } catch (e) {
    throw new MlflowUnavailable(`MLflow tracking server ${opts.trackingUri} unreachable (${(e as Error).message})`);
  }
  if (res.ok) return res;
  const text = await res.text();
  if (res.status === 404 && init.notFound && /RESOURCE_DOES_NOT_EXIST|not found/i.test(text)) throw init.notFound();
  const message = `MLflow ${init.method ?? 'GET'} ${url} failed: HTTP ${res.status} ${text.slice(0, 300)}`;
  if (res.status >= 500 || res.status === 429) throw new MlflowUnavailable(message);
  throw new MlflowError(message);
}

/**
 * The tracking URI without credentials, and the credentials it carried (http://user:token@host, as MLflow's own
 * client accepts): fetch refuses URLs with credentials, and they must not reach a message.
 */
function serverOf(trackingUri: string): { base: string; basic?: string } {
  const url = new URL(trackingUri);
  const basic = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  url.username = '';
  url.password = '';
  return { base: url.toString().replace(/\/+$/, ''), basic };
}

function headers(json: boolean, basic?: string): Record<string, string> {
  const h: Record<string, string> = json ? { 'Content-Type': 'application/json' } : {};
  const { token, username, password } = mlflowCredentialsFromEnv();
  if (token) h.Authorization = `Bearer ${token}`;
  else if (username) basic = `${username}:${password ?? ''}`;
  if (!token && basic) h.Authorization = `Basic ${Buffer.from(basic).toString('base64')}`;
  return h;
}
