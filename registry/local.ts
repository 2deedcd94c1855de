/**
 * The local model registry (the embedded default), a folder such as data/models:
 *
 *   blobs/sha256/<hex>.onnx                 model bytes, content addressed, read-only
 *   models/<name>/versions/<n>.json         immutable version record {name, version, sha256, blob, features, ...,
 *                                           and, from `train`, metrics and params as MLflow records them}
 *   models/<name>/aliases.json              {"champion": "3"}, replaced atomically
 *
 * Versions are numbered 1, 2, ... and created with an exclusive create, so two registrations never share a number
 * and a version, once written, is never rewritten. Stages (models:/NAME/Production) are looked up as aliases.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { sha256File } from './digest';
import { ModelNotFoundError } from './errors';
import { decodeOnnx, readModelBytes } from './model-file';
import { onnxInfo, OnnxModelInfo } from './onnx-file';

export interface LocalVersion {
  name: string;
  version: string;
  sha256: string;
  /** Blob path relative to the registry folder. */
  blob: string;
  /** Features given at registration (the local registry's "signature"); empty when none were given. */
  features: string[];
  source: string;
  createdAt: string;
  /** Numbers measured when the version was made, e.g. holdout_auc (`train` records them; absent otherwise). */
  metrics?: Record<string, number>;
  /** How it was made, e.g. snapshot_date, split_seed. */
  params?: Record<string, string>;
}

export interface LocalModel {
  name: string;
  versions: LocalVersion[];
  aliases: Record<string, string>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkName(kind: string, value: string): void {
  if (!NAME.test(value)) throw new ModelNotFoundError(`invalid ${kind} "${value}": use letters, digits, '_', '.', '-'`);
}

const modelDir = (registryDir: string, name: string) => path.join(registryDir, 'models', name);
const versionFile = (registryDir: string, name: string, version: string) =>
  path.join(modelDir(registryDir, name), 'versions', `${version}.json`);

/** A file offered to `registerModel`, read and decoded, for the caller's check before anything is written. */
export interface CandidateModel {
  name: string;
  file: string;
  bytes: Uint8Array;
  info: OnnxModelInfo;
  /** The features given at registration, if any. */
  features?: string[];
}

/**
 * Registers a model file as the next version of `opts.name`. Bytes that are not an ONNX model are refused
 * (ModelFileCorrupt), and `opts.validate` (e.g. loading it with onnxruntime and checking its contract) may
 * refuse it too; nothing is written to the registry before both pass.
 */
export async function registerModel(
  registryDir: string,
  file: string,
  opts: {
    name: string;
    alias?: string;
    features?: string[];
    metrics?: Record<string, number>;
    params?: Record<string, string>;
    validate?: (model: CandidateModel) => Promise<void>;
  },
): Promise<LocalVersion> {
  checkName('model name', opts.name);
  if (opts.alias !== undefined) checkName('alias', opts.alias);
  const ref = { file };
  const bytes = await readModelBytes(ref);
  const info = onnxInfo(decodeOnnx(bytes, ref));
  const { externalDataFiles } = info;
  if (externalDataFiles.length) {
    // A blob is one file; weights left next to the source would not follow it into the registry.
    throw new ModelNotFoundError(
      `model file ${file} keeps weights in external data (${externalDataFiles.join(', ')}); the local registry stores ` +
        'single files: save it with onnx.save_model(model, path, save_as_external_data=False), or register it in MLflow',
    );
  }
  await opts.validate?.({ name: opts.name, file, bytes, info, features: opts.features });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const blob = path.join('blobs', 'sha256', `${sha256}.onnx`);
  await storeBlob(file, path.join(registryDir, blob), sha256);

  const versionsDir = path.join(modelDir(registryDir, opts.name), 'versions');
  await fs.mkdir(versionsDir, { recursive: true });
  for (;;) {
    const version = String((await versionNumbers(registryDir, opts.name)).reduce((a, b) => Math.max(a, b), 0) + 1);
    const record: LocalVersion = {
      name: opts.name,
      version,
      sha256,
      blob: blob.split(path.sep).join('/'),
      features: opts.features ?? [],
      source: path.resolve(file),
      createdAt: new Date().toISOString(),
      ...(opts.metrics && { metrics: opts.metrics }),
      ...(opts.params && { params: opts.params }),
    };
    try {
      await fs.writeFile(versionFile(registryDir, opts.name, version), JSON.stringify(record, null, 2) + '\n', {
        flag: 'wx',
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // a concurrent registration took this number
      throw e;
    }
    if (opts.alias !== undefined) await setAlias(registryDir, opts.name, opts.alias, version);
    return record;
  }
}

/** Copies the bytes into the blob store (temp + rename) unless an identical blob is already there. */
async function storeBlob(file: string, target: string, sha256: string): Promise<void> {
  try {
    if ((await sha256File(target)) === sha256) return;
  } catch {
    /* not stored yet */
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  await fs.copyFile(file, tmp);
  if ((await sha256File(tmp)) !== sha256) throw new Error(`model file ${file} changed while it was being registered`);
  await fs.chmod(tmp, 0o444);
  await fs.rename(tmp, target);
}

async function versionNumbers(registryDir: string, name: string): Promise<number[]> {
  let files: string[];
  try {
    files = await fs.readdir(path.join(modelDir(registryDir, name), 'versions'));
  } catch {
    return [];
  }
  return files.filter((f) => /^\d+\.json$/.test(f)).map((f) => Number(f.slice(0, -5)));
}

export async function getVersion(registryDir: string, name: string, version: string): Promise<LocalVersion> {
  try {
    return JSON.parse(await fs.readFile(versionFile(registryDir, name, version), 'utf8')) as LocalVersion;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const known = (await versionNumbers(registryDir, name)).sort((a, b) => a - b);
    throw new ModelNotFoundError(
      known.length
        ? `model ${name} has no version ${version} in ${registryDir} (versions: ${known.join(', ')})`
        : `no model named ${name} in the local registry ${registryDir}`,
    );
  }
}

export async function getAliases(registryDir: string, name: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await fs.readFile(path.join(modelDir(registryDir, name), 'aliases.json'), 'utf8')) as Record<
      string,
      string
    >;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

export async function setAlias(registryDir: string, name: string, alias: string, version: string): Promise<void> {
  checkName('alias', alias);
  await getVersion(registryDir, name, version); // the version must exist
  const aliases = { ...(await getAliases(registryDir, name)), [alias]: version };
  const file = path.join(modelDir(registryDir, name), 'aliases.json');
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(aliases, null, 2) + '\n');
  await fs.rename(tmp, file);
}

/** The version an alias points to; a stage name is looked up as an alias, case-insensitively. */
export async function aliasVersion(registryDir: string, name: string, alias: string, kind: 'alias' | 'stage' = 'alias'): Promise<string> {
  const aliases = await getAliases(registryDir, name);
  const key = kind === 'alias' ? alias : Object.keys(aliases).find((a) => a.toLowerCase() === alias.toLowerCase());
  const version = key === undefined ? undefined : aliases[key];
  if (version === undefined) {
    if (!(await versionNumbers(registryDir, name)).length) {
      throw new ModelNotFoundError(`no model named ${name} in the local registry ${registryDir}`);
    }
    const known = Object.keys(aliases);
    throw new ModelNotFoundError(
      `model ${name} has no ${kind} "${alias}" in ${registryDir}` + (known.length ? ` (aliases: ${known.join(', ')})` : ''),
    );
  }
  return version;
}

export async function latestVersion(registryDir: string, name: string): Promise<string> {
  const numbers = await versionNumbers(registryDir, name);
  if (!numbers.length) throw new ModelNotFoundError(`no model named ${name} in the local registry ${registryDir}`);
  return String(Math.max(...numbers));
}

export async function listModels(registryDir: string): Promise<LocalModel[]> {
  let names: string[];
  try {
    names = (await fs.readdir(path.join(registryDir, 'models'))).sort();
  } catch {
    return [];
  }
  const models: LocalModel[] = [];
  for (const name of names) {
    const numbers = (await versionNumbers(registryDir, name)).sort((a, b) => a - b);
    const versions = await Promise.all(numbers.map((n) => getVersion(registryDir, name, String(n))));
    models.push({ name, versions, aliases: await getAliases(registryDir, name) });
  }
  return models;
}
