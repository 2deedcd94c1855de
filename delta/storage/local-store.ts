/**
 * The local file system as an ObjectStore: a key is a path under the store's root folder ('/' → the OS
 * separator). How each guarantee of object-store.ts is kept here:
 *
 *   putIfAbsent  write + fsync a hidden temp file next to the target → link(temp, target) → unlink(temp):
 *                link() fails with EEXIST when another writer created the key first, so an object is never
 *                overwritten and never visible half-written; the folder is fsynced so a reported write survives
 *   put, putFile write (or copy) into a hidden temp file next to the target → rename(temp, target): readers see
 *                the old file or the new one whole
 *   list         a recursive walk under the prefix's folder, sorted by key (temp files included: they are files),
 *                then a stat per file (listKeys skips it)
 *   get          whole file, or a range read through a file handle
 */
import { randomUUID } from 'node:crypto';
import { promises as fs, Dirent } from 'node:fs';
import * as path from 'node:path';
import { ioError } from '../errors';
import { ByteRange, ObjectInfo, ObjectStore, PutFileOptions } from './object-store';

export class LocalStore implements ObjectStore {
  constructor(readonly location: string) {}

  /** The local file of a key ('/' is a separator to path.join on every platform). */
  pathOf(key: string): string {
    return path.join(this.location, key);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const infos = await mapInBatches(await this.listKeys(prefix), (key) => this.head(key));
    // A file removed between the walk and its stat is not listed.
    return infos.filter((i): i is ObjectInfo => i !== undefined);
  }

  async listKeys(prefix: string): Promise<string[]> {
    // Walk the deepest folder the prefix names; keys in it are then filtered by the rest of the prefix.
    const cut = prefix.lastIndexOf('/');
    const folder = cut < 0 ? '' : prefix.slice(0, cut + 1);
    const keys: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      const dir = this.pathOf(rel);
      let entries: Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw ioError('cannot list', dir, err);
      }
      const subfolders: Promise<void>[] = [];
      for (const e of entries) {
        const key = rel + e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(key + '/')) subfolders.push(walk(key + '/'));
        } else if (key.startsWith(prefix)) keys.push(key);
      }
      await Promise.all(subfolders);
    };
    await walk(folder);
    return keys.sort(); // UTF-16 code units: S3's UTF-8 byte order but for characters past U+FFFF
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    try {
      const st = await fs.stat(file);
      return st.isFile() ? { key, size: st.size, lastModified: Math.floor(st.mtimeMs) } : undefined;
    } catch (err) {
      if (missing(err)) return undefined;
      throw ioError('cannot stat', file, err);
    }
  }

  async get(key: string, range?: ByteRange, into?: Uint8Array): Promise<Uint8Array | undefined> {
    const file = this.pathOf(key);
    try {
      if (!range) return await fs.readFile(file);
      const fh = await fs.open(file, 'r');
      try {
        const buf = into && into.byteLength >= range.length ? into.subarray(0, range.length) : Buffer.allocUnsafe(range.length);
        let off = 0;
        while (off < buf.length) {
          const { bytesRead } = await fh.read(buf, off, buf.length - off, range.offset + off);
          if (bytesRead === 0) break;
          off += bytesRead;
        }
        return off === buf.length ? buf : buf.subarray(0, off);
      } finally {
        await fh.close();
      }
    } catch (err) {
      if (missing(err)) return undefined;
      throw ioError('cannot read', file, err);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, body);
    await this.renameInto(temp, target);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const target = this.pathOf(key);
    return this.linkInto(await this.writeTemp(target, body), target);
  }

  async putFile(key: string, localPath: string, opts: PutFileOptions = {}): Promise<boolean> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = tempBeside(target);
    try {
      await fs.copyFile(localPath, temp);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw ioError('cannot write', target, err);
    }
    if (opts.ifAbsent) return this.linkInto(temp, target);
    await this.renameInto(temp, target);
    return true;
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    try {
      await fs.rm(file, { force: true });
    } catch (err) {
      throw ioError('cannot delete', file, err);
    }
  }

  /** Writes and fsyncs a uniquely named hidden temp file next to `target`. */
  private async writeTemp(target: string, body: Uint8Array): Promise<string> {
    await fs.mkdir(path.dirname(target), { recursive: true });
    const temp = tempBeside(target);
    try {
      const fh = await fs.open(temp, 'wx');
      try {
        await fh.writeFile(body);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw ioError('cannot write', temp, err);
    }
    return temp;
  }

  /** link(temp, target), which fails with EEXIST when the target exists (false); the temp file is removed. */
  private async linkInto(temp: string, target: string): Promise<boolean> {
    try {
      await fs.link(temp, target);
      await fsyncDir(path.dirname(target)); // the new object survives a power loss once we report it
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw ioError('cannot create', target, err);
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  private async renameInto(temp: string, target: string): Promise<void> {
    try {
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw ioError('cannot write', target, err);
    }
  }
}

/** `.<name>.<uuid>.tmp` beside the target: hidden, unique, and recognisable as a writer's temp file. */
function tempBeside(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp`);
}

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** fsync a directory so a link or rename in it is durable; a no-op where directories cannot be synced. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // not supported on this platform / file system
  } finally {
    await fh?.close();
  }
}

/** `fn` over every item, at most 64 in flight (a long log is thousands of files), results in order. */
async function mapInBatches<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(64, items.length) }, worker));
  return out;
}
