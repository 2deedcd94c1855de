/**
 * The log store: the only code that touches `_delta_log/`, through the table's ObjectStore (keys
 * `_delta_log/<name>`). What the transaction logic needs (list, read, put-if-absent) plus a whole replace for
 * `_last_checkpoint` and checkpoint files, and the naming of log files.
 *
 * A commit is the store's putIfAbsent of `_delta_log/NNNN.json`: an existing entry is never overwritten and a
 * half-written entry is never visible under its final name (how each store guarantees it: storage/).
 */
import { localRoot, ObjectStore, storeFor } from '../storage';
import { DeltaError } from '../errors';

export const LOG_DIR = '_delta_log';
const LOG_PREFIX = `${LOG_DIR}/`;

export class LogStore {
  readonly tablePath: string;
  constructor(readonly objects: ObjectStore) {
    this.tablePath = objects.location;
  }

  /**
   * Times of commit files from the last listing, where the listing gives them free (object storage: a snapshot's
   * commit time then costs no HEAD); a commit file is never rewritten (put-if-absent), so its listed time stays true.
   */
  private readonly listedTimes = new Map<string, number>();

  /** Names of the files in `_delta_log` (`_sidecars/...` for those in its folders), sorted; TableNotFound when there are none. */
  async list(): Promise<string[]> {
    let keys: string[];
    if (localRoot(this.objects) !== undefined) keys = await this.objects.listKeys(LOG_PREFIX);
    else {
      const objects = await this.objects.list(LOG_PREFIX);
      for (const o of objects) this.listedTimes.set(o.key.slice(LOG_PREFIX.length), o.lastModified);
      keys = objects.map((o) => o.key);
    }
    if (keys.length === 0) throw new DeltaError('TableNotFound', `no Delta table at ${this.tablePath} (no ${LOG_DIR} folder)`);
    return keys.map((key) => key.slice(LOG_PREFIX.length));
  }

  /** Content of a log file, or undefined if it does not exist. */
  read(name: string): Promise<Buffer | undefined> {
    return this.objects.get(LOG_PREFIX + name).then(asBuffer);
  }

  /** Modification time (ms) of a log file; CorruptLog when it is gone. */
  async lastModified(name: string): Promise<number> {
    const listed = this.listedTimes.get(name);
    if (listed !== undefined && /^\d{20}\.json$/.test(name)) return listed;
    const info = await this.objects.head(LOG_PREFIX + name);
    if (!info) throw new DeltaError('CorruptLog', `${this.tablePath}: ${LOG_DIR}/${name} is missing`);
    return info.lastModified;
  }

  /** Creates `name` with `content` unless it exists; false when it already existed (a lost race). */
  putIfAbsent(name: string, content: string | Uint8Array): Promise<boolean> {
    return this.objects.putIfAbsent(LOG_PREFIX + name, bytesOf(content));
  }

  /** Replaces `name` whole (readers see the old or the new); for `_last_checkpoint`. */
  replace(name: string, content: string | Uint8Array): Promise<void> {
    return this.objects.put(LOG_PREFIX + name, bytesOf(content));
  }

  /** Replaces `name` whole with a local file's bytes; for checkpoint files. */
  async replaceWithFile(name: string, localPath: string): Promise<void> {
    await this.objects.putFile(LOG_PREFIX + name, localPath);
  }
}

function asBuffer(bytes: Uint8Array | undefined): Buffer | undefined {
  return bytes && (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
}

/** The log store of the table at `tablePath` (a local path or `s3://bucket/path`). */
export function logStore(tablePath: string): LogStore {
  return new LogStore(storeFor(tablePath));
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
