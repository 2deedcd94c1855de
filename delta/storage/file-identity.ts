/**
 * A per-process cache of what was computed from a local file (a model file's sha256, a Parquet footer), kept by
 * path with the file's identity and times: device, inode, size, mtime and ctime in nanoseconds, as git's index
 * does. Any change to them computes the value again. ctime cannot be set back by a writer, and a value is kept
 * only for a file unchanged for RACY_MS before it was read and while it was read, so a write landing in the same
 * clock tick as the read is never missed (docs/decisions/model-digest-cache.md). One helper for both caches, so
 * the rule is written once.
 */
import type { BigIntStats } from 'node:fs';
import * as fs from 'node:fs/promises';

/** A file changed less than this long before it is read is read again next time. */
export const RACY_MS = 2_000;

function identityOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

export class FileIdentityCache<T> {
  private readonly entries = new Map<string, { identity: string; value: T }>();

  /** `kept`: at most this many files remembered, the least recently computed dropped first. */
  constructor(private readonly kept: number) {}

  /**
   * The value of `file` whose stat (bigint) taken before reading it is `before`: the remembered one when the
   * identity and times are the same, else `compute()`, remembered only when the file was settled (unchanged for
   * RACY_MS) and did not change while it was computed.
   */
  async get(file: string, before: BigIntStats, compute: () => Promise<T>): Promise<T> {
    const identity = identityOf(before);
    const known = this.entries.get(file);
    if (known?.identity === identity) return known.value;
    const value = await compute();
    const after = await fs.stat(file, { bigint: true });
    const now = Date.now();
    const settled = now - Number(before.ctimeNs / 1_000_000n) > RACY_MS && now - Number(before.mtimeNs / 1_000_000n) > RACY_MS;
    if (settled && identityOf(after) === identity) {
      this.entries.delete(file);
      this.entries.set(file, { identity, value });
      if (this.entries.size > this.kept) this.entries.delete(this.entries.keys().next().value as string);
    }
    return value;
  }
}
