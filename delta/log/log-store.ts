/**
 * The log store: the only code that touches `_delta_log/`. Three operations the transaction logic needs
 * (list, read, put-if-absent) plus an atomic replace for `_last_checkpoint`, and the naming of log files.
 *
 * put-if-absent on a local file system:  write temp file in _delta_log  →  link(temp, NNNN.json)  →  unlink(temp)
 * link() fails with EEXIST when another writer created the entry first, so an existing entry is never
 * overwritten and a half-written entry is never visible under its final name.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { DeltaError, ioError } from '../errors';

export const LOG_DIR = '_delta_log';

export interface LogStore {
  readonly tablePath: string;
  /** Whether `_delta_log` exists. */
  exists(): Promise<boolean>;
  /** File names in `_delta_log`, sorted. */
  list(): Promise<string[]>;
  /** Content of a log file, or undefined if it does not exist. */
  read(name: string): Promise<Buffer | undefined>;
  /** Creates `name` with `content` unless it exists; false when it already existed (a lost race). */
  putIfAbsent(name: string, content: string | Uint8Array): Promise<boolean>;
  /** Atomically replaces `name` (temp file + rename); for `_last_checkpoint` and checkpoint files. */
  replace(name: string, content: string | Uint8Array): Promise<void>;
}

export class LocalLogStore implements LogStore {
  readonly logPath: string;
  constructor(readonly tablePath: string) {
    this.logPath = path.join(tablePath, LOG_DIR);
  }

  async exists(): Promise<boolean> {
    try {
      return (await fs.stat(this.logPath)).isDirectory();
    } catch {
      return false;
    }
  }

  async list(): Promise<string[]> {
    try {
      return (await fs.readdir(this.logPath)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DeltaError('TableNotFound', `no Delta table at ${this.tablePath} (no ${LOG_DIR} folder)`);
      }
      throw ioError('cannot list', this.logPath, err);
    }
  }

  async read(name: string): Promise<Buffer | undefined> {
    const file = path.join(this.logPath, name);
    try {
      return await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw ioError('cannot read', file, err);
    }
  }

  async putIfAbsent(name: string, content: string | Uint8Array): Promise<boolean> {
    const target = path.join(this.logPath, name);
    const temp = await this.writeTemp(name, content);
    try {
      await fs.link(temp, target);
      await fsyncDir(this.logPath); // the new entry survives a power loss once we report the commit
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw ioError('cannot create', target, err);
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async replace(name: string, content: string | Uint8Array): Promise<void> {
    const target = path.join(this.logPath, name);
    const temp = await this.writeTemp(name, content);
    try {
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw ioError('cannot write', target, err);
    }
  }

  /** Writes and fsyncs a uniquely named hidden temp file next to the target. */
  private async writeTemp(name: string, content: string | Uint8Array): Promise<string> {
    await fs.mkdir(this.logPath, { recursive: true });
    const temp = path.join(this.logPath, `.${name}.${randomUUID()}.tmp`);
    try {
      const fh = await fs.open(temp, 'wx');
      try {
        await fh.writeFile(content);
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

export function logStore(tablePath: string): LogStore {
  return new LocalLogStore(tablePath);
}

// ---- log file names ----

export function commitFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.json`;
}

export function checkpointFileName(version: number): string {
  return `${String(version).padStart(20, '0')}.checkpoint.parquet`;
}

export const LAST_CHECKPOINT = '_last_checkpoint';

export type LogFile =
  | { kind: 'commit'; version: number; name: string }
  | { kind: 'checkpoint'; version: number; name: string; part?: number; parts?: number; v2?: boolean };

/** Classifies a `_delta_log` file name; undefined for anything else (crc, temp files, compacted logs...). */
export function parseLogFileName(name: string): LogFile | undefined {
  let m = /^(\d{20})\.json$/.exec(name);
  if (m) return { kind: 'commit', version: Number(m[1]), name };
  m = /^(\d{20})\.checkpoint\.parquet$/.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name };
  m = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, part: Number(m[2]), parts: Number(m[3]) };
  m = /^(\d{20})\.checkpoint\.[0-9a-fA-F-]{36}\.(json|parquet)$/.exec(name);
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, v2: true };
  return undefined;
}
