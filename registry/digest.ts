/**
 * Content digests of model files: sha256 of the bytes, streamed so a large model is never held twice.
 * A model folder (ONNX + external data files) is digested as the sha256 of its sorted "path sha256" lines.
 *
 * A worker checks the pinned model before every unit it scores, so a file's digest is remembered per process
 * with the file's identity and times, and hashed again as soon as any of them changes, or while the file was
 * written less than 2 s ago (delta/storage/file-identity.ts, docs/decisions/model-digest-cache.md).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileIdentityCache } from '../delta';

const digests = new FileIdentityCache<string>(64);

export async function sha256File(file: string): Promise<string> {
  return digests.get(file, await fs.stat(file, { bigint: true }), () => hashFile(file));
}

async function hashFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of a file, or of a folder's files (relative paths, sorted) when `target` is a folder. */
export async function sha256Model(target: string): Promise<string> {
  const stat = await fs.stat(target);
  if (!stat.isDirectory()) return sha256File(target);
  const files = (await fs.readdir(target, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(target, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
  const lines: string[] = [];
  for (const f of files) lines.push(`${f} ${await sha256File(path.join(target, f))}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}
