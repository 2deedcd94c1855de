/**
 * Content digests of model files: sha256 of the bytes, streamed so a large model is never held twice.
 * A model folder (ONNX + external data files) is digested as the sha256 of its sorted "path sha256" lines.
 *
 * A worker checks the pinned model before every unit it scores, so a file's digest is remembered per process
 * with the file's identity and times (device, inode, size, mtime and ctime in nanoseconds), as git's index does:
 * the file is hashed again as soon as any of them changes. ctime cannot be set back by a writer, and a digest is
 * remembered only for a file unchanged for RACY_MS before hashing and while it was hashed, so a write landing
 * in the same clock tick as the hashing is never missed (docs/decisions/model-digest-cache.md).
 */
import { createHash } from 'node:crypto';
import { BigIntStats, createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** A file changed less than this long before it is hashed is hashed again next time. */
const RACY_MS = 2_000;
const DIGESTS_KEPT = 64;
const digests = new Map<string, { identity: string; sha256: string }>();

function identityOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export async function sha256File(file: string): Promise<string> {
  const before = await fs.stat(file, { bigint: true });
  const identity = identityOf(before);
  const known = digests.get(file);
  if (known?.identity === identity) return known.sha256;
  const sha256 = await hashFile(file);
  const after = await fs.stat(file, { bigint: true });
  const settled = Date.now() - Number(before.ctimeNs / 1_000_000n) > RACY_MS && Date.now() - Number(before.mtimeNs / 1_000_000n) > RACY_MS;
  if (settled && identityOf(after) === identity) {
    digests.delete(file);
    digests.set(file, { identity, sha256 });
    if (digests.size > DIGESTS_KEPT) digests.delete(digests.keys().next().value as string);
  }
  return sha256;
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
