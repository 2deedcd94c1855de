/**
 * The ObjectStore on S3-compatible object storage (AWS S3, MinIO, R2, ...), on the AWS SDK for JavaScript v3: the
 * one file that imports the SDK. A location is `s3://bucket/prefix`; the store's keys are relative to the prefix.
 *
 * Credentials, region and endpoint come from the SDK's standard chain and variables only (AWS_PROFILE,
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL(_S3), the shared config files), never
 * from workflow input; when an endpoint variable is set (a MinIO-like server), requests use path-style addressing.
 *
 * putIfAbsent is PutObject with `If-None-Match: *`: 412 means another writer has the key (false); 409
 * ConditionalRequestConflict (a concurrent conditional write in flight) is retried. Not every S3-compatible server
 * honours the header, so before its first putIfAbsent the store writes a probe key twice and refuses to go on
 * (ConditionalWritesUnsupported) if the second write is accepted; the verdict is kept per endpoint and bucket.
 * The probe waits for the first conditional write because reading needs no write permission (read-only Silver).
 *
 * Errors are DeltaErrors naming the bucket and key (never credentials): Io (retryable) for 5xx, throttling and
 * network failures; StorageAccessDenied, BucketNotFound, StorageRegionMissing and InvalidArgument (not retryable)
 * for what the user fixes.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { DeltaError } from '../errors';
import type { ByteRange, ObjectInfo, ObjectStore, PutFileOptions } from './object-store';

export interface S3Location {
  bucket: string;
  /** '' (the bucket's root) or a folder prefix ending with '/'. */
  prefix: string;
}

export interface S3StoreOptions {
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1000); smaller only to exercise paging in tests. */
  listPageSize?: number;
  /** Bytes per part when putFile uploads by multipart (at least 5 MiB, S3's minimum); files up to it go whole. */
  partSize?: number;
  /** Settings over the SDK's chain (tests, tools); workflow input never reaches here. */
  clientConfig?: S3ClientConfig;
  /** A client made by the caller instead (tests add middleware to it); clientConfig is then ignored. */
  client?: S3Client;
  /**
   * Use the process's one client for this endpoint and bucket (storeFor: every table operation opens a store, and
   * a client of its own would redo the credential lookup and open new connections each time).
   */
  shareClient?: boolean;
}

const DEFAULT_PART_SIZE = 16 * 1024 * 1024;
const CONFLICT_RETRIES = 5;

/** `s3://bucket/some/path` → bucket and prefix ('some/path/'). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match || match[1] === '') throw new DeltaError('InvalidArgument', `not an s3:// location: ${uri}`);
  const path = match[2].replace(/\/+$/, '');
  return { bucket: match[1], prefix: path === '' ? '' : `${path}/` };
}

/** The endpoint the SDK will use when one is configured by variable (it reads the same ones), else undefined. */
function endpointFromEnv(): string | undefined {
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

function isMissing(err: unknown): boolean {
  return statusOf(err) === 404 && nameOf(err) !== 'NoSuchBucket';
}

/** The SDK's documented switch for its Node-version notice (@aws-sdk/core emitWarningIfUnsupportedVersion). */
const NODE_VERSION_WARNING_SWITCH = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/**
 * A client made without the SDK's NodeVersionSupportWarning (a notice that SDK releases from 2027 need Node 22,
 * printed by every command that opens a bucket on Node 20, which batch-score supports): the switch is set only
 * while the constructor runs, where the SDK checks it once per process, so no other warning is silenced and no
 * child process inherits it. Someone who set the variable themselves keeps their value.
 */
function quietClient(config: S3ClientConfig): S3Client {
  if (process.env[NODE_VERSION_WARNING_SWITCH] !== undefined) return new S3Client(config);
  process.env[NODE_VERSION_WARNING_SWITCH] = 'true';
  try {
    return new S3Client(config);
  } finally {
    delete process.env[NODE_VERSION_WARNING_SWITCH];
  }
}

/** Clients shared by stores of one endpoint, bucket and credential settings (shareClient). */
const sharedClients = new Map<string, S3Client>();

/** Verdicts of the conditional-write probe, per endpoint and bucket (a failed probe is not kept: it is retried). */
const conditionalWritesChecked = new Map<string, Promise<void>>();

export class S3Store implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly endpoint: string;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly opts: S3StoreOptions = {},
  ) {
    this.location = `s3://${bucket}/${prefix}`.replace(/\/$/, '');
    const endpoint = opts.clientConfig?.endpoint ?? endpointFromEnv();
    this.endpoint = typeof endpoint === 'string' ? endpoint : 'AWS S3';
    const make = () => quietClient({ ...(endpoint ? { forcePathStyle: true } : {}), ...opts.clientConfig });
    if (opts.client) this.client = opts.client;
    else if (opts.shareClient && !opts.clientConfig) {
      const env = process.env;
      const id = [this.endpoint, bucket, env.AWS_REGION, env.AWS_PROFILE, env.AWS_ACCESS_KEY_ID].join('\u0000');
      this.client = sharedClients.get(id) ?? make();
      sharedClients.set(id, this.client);
    } else this.client = make();
  }

  /** A store for `s3://bucket/prefix`. */
  static fromUri(uri: string, opts: S3StoreOptions = {}): S3Store {
    const { bucket, prefix } = parseS3Uri(uri);
    return new S3Store(bucket, prefix, opts);
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('list', prefix, () =>
        this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token, MaxKeys: this.opts.listPageSize,
        })),
      );
      for (const o of page.Contents ?? []) {
        out.push({ key: (o.Key as string).slice(this.prefix.length), size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async listKeys(prefix: string): Promise<string[]> {
    return (await this.list(prefix)).map((o) => o.key); // the same ListObjectsV2 pages: sizes come free on S3
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return { key, size: h.ContentLength ?? 0, lastModified: h.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.error('head', key, err);
    }
  }

  async get(key: string, range?: ByteRange, into?: Uint8Array): Promise<Uint8Array | undefined> {
    if (range && range.length === 0) return (await this.head(key)) ? new Uint8Array(0) : undefined;
    try {
      const r = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket, Key: this.prefix + key, Range: range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : undefined,
      }));
      return await bodyBytes(r.Body as AsyncIterable<Uint8Array>, r.ContentLength, into);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw this.error('read', key, err);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.call('write', key, () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body })));
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    await this.checkConditionalWrites();
    return this.conditionalPut(key, body);
  }

  async putFile(key: string, localPath: string, opts: PutFileOptions = {}): Promise<boolean> {
    if (opts.ifAbsent) await this.checkConditionalWrites();
    const partSize = this.opts.partSize ?? DEFAULT_PART_SIZE;
    // With ifAbsent, PutObject or CompleteMultipartUpload carries If-None-Match: * (lib-storage passes it on).
    const params = { Bucket: this.bucket, Key: this.prefix + key, ...(opts.ifAbsent ? { IfNoneMatch: '*' } : {}) };
    try {
      if (fs.statSync(localPath).size <= partSize) {
        await this.client.send(new PutObjectCommand({ ...params, Body: fs.readFileSync(localPath) }));
        return true;
      }
      // Parts in parallel; on failure the multipart upload is aborted (leavePartsOnError false): no object, no
      // parts left. A process that dies mid-upload cannot abort: docs/decisions/s3-staged-files.md.
      const upload = new Upload({ client: this.client, partSize, queueSize: 4, leavePartsOnError: false, params: { ...params, Body: fs.createReadStream(localPath) } });
      await upload.done();
      return true;
    } catch (err) {
      if (opts.ifAbsent && statusOf(err) === 412) {
        // A retried request may have met its own earlier attempt: the same bytes there mean this upload won.
        const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        return attempts > 1 && sameBytes(await this.get(key), fs.readFileSync(localPath));
      }
      throw this.error('upload', key, err);
    }
  }

  async delete(key: string): Promise<void> {
    await this.call('delete', key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + key })));
  }

  /**
   * Refuses (ConditionalWritesUnsupported) a server that accepts a second `If-None-Match: *` write to one key.
   * Run before the first putIfAbsent; callers may run it earlier to fail at open time.
   */
  checkConditionalWrites(): Promise<void> {
    const id = `${this.endpoint} ${this.bucket}`;
    let verdict = conditionalWritesChecked.get(id);
    if (!verdict) {
      verdict = this.probeConditionalWrites();
      conditionalWritesChecked.set(id, verdict);
      verdict.catch((err) => { if (!(err instanceof DeltaError && err.code === 'ConditionalWritesUnsupported')) conditionalWritesChecked.delete(id); });
    }
    return verdict;
  }

  private async probeConditionalWrites(): Promise<void> {
    // Under the store's prefix (credentials may allow no more); '_' keeps Delta readers from seeing it.
    const key = `_conditional_put_probe_${randomUUID()}`;
    const refuse = (why: string, cause?: unknown) => new DeltaError(
      'ConditionalWritesUnsupported',
      `${this.endpoint} (bucket ${this.bucket}) ${why}: Delta commits on S3 need conditional writes (If-None-Match: *), ` +
      'or two writers could both commit one version; this store is refused',
      { cause },
    );
    try {
      const bytes = new TextEncoder().encode('probe');
      let second: boolean;
      try {
        if (!(await this.conditionalPut(key, bytes))) throw refuse(`refused a conditional write to the new key ${this.prefix}${key}`);
        second = await this.conditionalPut(key, bytes);
      } catch (err) {
        if (statusOf(err) === 501 || nameOf(err) === 'NotImplemented') throw refuse('does not implement conditional writes', err);
        throw err;
      }
      if (second) throw refuse(`accepted a second If-None-Match: * write to ${this.prefix}${key}`);
    } finally {
      await this.delete(key).catch(() => undefined);
    }
  }

  private async conditionalPut(key: string, body: Uint8Array): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: body, IfNoneMatch: '*' }));
        return true;
      } catch (err) {
        if (statusOf(err) === 412) {
          // If an earlier attempt may have landed (the SDK retried after a lost response, or we retried a 409),
          // the object there may be our own: the same bytes mean this write won.
          const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
          if (attempt > 0 || attempts > 1) return sameBytes(await this.get(key), body);
          return false;
        }
        if (statusOf(err) === 409 && attempt < CONFLICT_RETRIES) {
          await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (0.5 + Math.random())));
          continue;
        }
        throw this.error('write', key, err);
      }
    }
  }

  private async call<T>(what: string, key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.error(what, key, err);
    }
  }

  /** The SDK's error as a DeltaError naming bucket and key; the code says whether a retry can help. */
  private error(what: string, key: string, err: unknown): DeltaError {
    if (err instanceof DeltaError) return err;
    const status = statusOf(err);
    const name = nameOf(err) ?? 'Error';
    const where = `s3://${this.bucket}/${this.prefix}${key}`;
    const detail = `${name}${status ? ` (HTTP ${status})` : ''}: ${err instanceof Error ? err.message : String(err)}`;
    if (name === 'NoSuchBucket') return new DeltaError('BucketNotFound', `${what} ${where}: no bucket ${this.bucket} at ${this.endpoint}`, { cause: err });
    if (status === 403 || ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken'].includes(name)) {
      return new DeltaError('StorageAccessDenied', `${what} ${where}: access denied (${name})`, { cause: err });
    }
    if (name === 'Error' && err instanceof Error && err.message === 'Region is missing') {
      return new DeltaError('StorageRegionMissing', `${what} ${where}: no AWS region is set: set AWS_REGION (or AWS_PROFILE naming a profile with a region)`, { cause: err });
    }
    if (name === 'CredentialsProviderError') {
      return new DeltaError('StorageAccessDenied', `${what} ${where}: the AWS SDK's chain found no credentials (${name})`, { cause: err });
    }
    // No answer at all: a network failure (a Node system error code, a timeout) may pass; anything else is the
    // client's configuration (no region, a bad endpoint URL), which a retry cannot fix.
    const network = typeof (err as { code?: unknown }).code === 'string' || ['TimeoutError', 'AbortError'].includes(name);
    const transient = status === undefined ? network : status >= 500 || status === 429 || (err as S3ServiceException).$retryable !== undefined ||
      ['SlowDown', 'RequestTimeout', 'Throttling', 'ThrottlingException', 'ConditionalRequestConflict'].includes(name);
    return new DeltaError(transient ? 'Io' : 'InvalidArgument', `${what} ${where}: ${detail}`, { cause: err });
  }
}

/**
 * A response body as bytes, copied once into `into` (when it has room) or a buffer of the announced length (not
 * zero-filled), instead of the SDK's transformToByteArray, which keeps every chunk and then copies them into a
 * zero-filled array: for the 4 MiB ranged gets of a local copy (delta/parquet/local-copy.ts) that allocation
 * and its garbage collection were a third of the fetching process's CPU (a profile of 20 units of 14 MB).
 * A body longer or shorter than announced is returned as received (the caller checks the length it asked for).
 */
async function bodyBytes(body: AsyncIterable<Uint8Array>, length: number | undefined, into?: Uint8Array): Promise<Uint8Array> {
  if (length === undefined) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
  const out = into && into.byteLength >= length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
  let at = 0;
  const extra: Uint8Array[] = [];
  for await (const chunk of body) {
    const fits = Math.min(chunk.byteLength, length - at);
    out.set(fits === chunk.byteLength ? chunk : chunk.subarray(0, fits), at);
    at += fits;
    if (fits < chunk.byteLength) extra.push(chunk.subarray(fits));
  }
  if (extra.length > 0) return Buffer.concat([out, ...extra]);
  return at === length ? out : out.subarray(0, at);
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);
}
