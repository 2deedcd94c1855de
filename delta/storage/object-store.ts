/**
 * What the Delta layer needs of the storage a table lives on, as delta-rs's object_store crate puts it: keys
 * ('/'-separated, relative to the store's root) holding immutable bytes. One interface, two kinds of storage:
 * a local file system (local-store.ts) and S3-compatible object storage (s3-store.ts).
 *
 * The one operation that makes Delta commits safe is putIfAbsent: a log entry NNNN.json is written only if no
 * object has its key (a link on a file system, `If-None-Match: *` on S3), so two writers can never both commit
 * version N. A store that cannot guarantee it must refuse to open, never pretend.
 */
export interface ObjectInfo {
  /** Relative to the store's root, '/'-separated. */
  key: string;
  size: number;
  /** Milliseconds since the epoch. */
  lastModified: number;
}

export interface ByteRange {
  offset: number;
  length: number;
}

export interface PutFileOptions {
  /** Write only if no object has the key (as putIfAbsent): a staged file of a fixed name is never replaced. */
  ifAbsent?: boolean;
}

export interface ObjectStore {
  /** Where the store's keys live, for messages: `/data/gold/t` or `s3://bucket/gold/t` (never credentials). */
  readonly location: string;
  /** Objects whose key starts with `prefix` (a folder prefix ends with '/'), sorted by key. */
  list(prefix: string): Promise<ObjectInfo[]>;
  /**
   * The keys `list` gives, without size and time: on a file system those cost a stat per file, which a
   * caller needing only names (the log listing: 10,000 commits) must not pay. On S3 the same listing.
   */
  listKeys(prefix: string): Promise<string[]>;
  /** The object's size and time, or undefined if there is none. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /**
   * The object's bytes, or a range of them; undefined if there is no object. With `into` (at least the range's
   * length), a store may read the bytes into it and return a view of it, so a caller reading many ranges
   * reuses its buffers (delta/parquet/local-copy.ts); callers use what is returned, which may be another array.
   */
  get(key: string, range?: ByteRange, into?: Uint8Array): Promise<Uint8Array | undefined>;
  /** Writes (or replaces) the object whole: readers see the old bytes or the new, never a mix. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Writes the object only if no object has the key; false when one does (a lost race), which is left unchanged. */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;
  /**
   * Uploads a local file as the object (multipart when large), replaced whole as put; true when written, false
   * only with `ifAbsent` when an object has the key (left unchanged). Nothing is visible under the key until
   * the whole file is there, and a failed upload leaves nothing behind (an S3 multipart upload is aborted).
   */
  putFile(key: string, localPath: string, opts?: PutFileOptions): Promise<boolean>;
  /** Removes the object; no error if there is none. */
  delete(key: string): Promise<void>;
}
