/**
 * Model URIs, as MLflow spells them: `models:/NAME@ALIAS`, `models:/NAME/VERSION`, `models:/NAME/STAGE`
 * (`models:/NAME/latest` = the highest version), a plain path to an ONNX file (also `file:` URLs), or an object
 * (or folder) on S3, `s3://bucket/key` (s3-model.ts).
 */
import { fileURLToPath } from 'node:url';
import { ModelNotFoundError } from './errors';

export type ModelUri =
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'version'; name: string; version: string }
  | { kind: 'stage'; name: string; stage: string }
  | { kind: 'latest'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 's3'; uri: string };

/** A URI a model registry (local or MLflow) resolves: by name. */
export type RegistryModelUri = Exclude<ModelUri, { kind: 'file' } | { kind: 's3' }>;

export function parseModelUri(uri: string): ModelUri {
  if (uri.startsWith('file:')) return { kind: 'file', path: fileURLToPath(uri) };
  if (/^s3:\/\//i.test(uri)) return { kind: 's3', uri: `s3://${uri.slice('s3://'.length)}` };
  if (!uri.startsWith('models:')) {
    if (uri.trim() === '') throw new ModelNotFoundError('empty model URI');
    return { kind: 'file', path: uri };
  }
  const rest = uri.slice('models:'.length).replace(/^\/+/, '');
  const bad = () =>
    new ModelNotFoundError(
      `malformed model URI "${uri}": expected models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/STAGE`,
    );
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const name = rest.slice(0, at);
    const alias = rest.slice(at + 1);
    if (!name || !alias || name.includes('/') || alias.includes('/')) throw bad();
    return { kind: 'alias', name, alias };
  }
  const parts = rest.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw bad();
  const [name, suffix] = parts;
  if (/^\d+$/.test(suffix)) return { kind: 'version', name, version: String(Number(suffix)) };
  if (suffix.toLowerCase() === 'latest') return { kind: 'latest', name };
  return { kind: 'stage', name, stage: suffix };
}
