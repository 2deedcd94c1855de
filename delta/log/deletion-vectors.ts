/**
 * Deletion vectors (reader side): the set of deleted row positions of a data file, stored inline in the log
 * or in a `deletion_vector_<uuid>.bin` file, as PROTOCOL.md specifies:
 *
 *   descriptor {storageType u|i|p, pathOrInlineDv, offset, sizeInBytes, cardinality}
 *     → bytes (file at offset: int32 BE size, data, CRC-32; or Z85 inline)
 *     → magic 1681511377 + RoaringBitmapArray (int64 count, then per bitmap: int32 key + portable Roaring)
 *     → Set of row positions (key << 32 | value), checked against `cardinality`
 */
import { DeltaError } from '../errors';
import { joinLocation, keyUnder, objectAt, storeFor } from '../storage';
import { dataFilePath } from './paths';

export interface DeletionVectorDescriptor {
  storageType: string;
  pathOrInlineDv: string;
  offset?: number | null;
  sizeInBytes: number;
  cardinality: number;
}

const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_INDEX = new Map([...Z85].map((c, i) => [c, i]));

/** Z85 (ZeroMQ base-85) decoding; the input length is a multiple of 5. */
export function z85Decode(s: string): Uint8Array {
  if (s.length % 5 !== 0) throw new Error(`Z85 text length ${s.length} is not a multiple of 5`);
  const out = new Uint8Array((s.length / 5) * 4);
  for (let i = 0, o = 0; i < s.length; i += 5, o += 4) {
    let v = 0;
    for (let j = 0; j < 5; j++) {
      const d = Z85_INDEX.get(s[i + j]);
      if (d === undefined) throw new Error(`invalid Z85 character ${JSON.stringify(s[i + j])}`);
      v = v * 85 + d;
    }
    out[o] = (v >>> 24) & 0xff;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
  return out;
}

/** Unique id of a descriptor: a file's identity in the log is (path, deletion vector). */
export function deletionVectorId(dv: DeletionVectorDescriptor | undefined | null): string {
  if (!dv || !dv.storageType) return '';
  return `${dv.storageType}${dv.pathOrInlineDv}${dv.offset != null ? `@${dv.offset}` : ''}`;
}

function fail(table: string, file: string, what: string, cause?: unknown): DeltaError {
  return new DeltaError('CorruptDataFile', `${table}: deletion vector of ${file}: ${what}`, { cause });
}

/** The file a 'u' or 'p' descriptor points to (vacuum must keep it); undefined for inline ones. */
export function deletionVectorFile(table: string, dv: DeletionVectorDescriptor): string | undefined {
  if (dv.storageType === 'u') {
    const encoded = dv.pathOrInlineDv;
    const prefix = encoded.slice(0, encoded.length - 20);
    const uuid = Buffer.from(z85Decode(encoded.slice(-20))).toString('hex');
    const name = `deletion_vector_${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}.bin`;
    return joinLocation(table, prefix, name);
  }
  if (dv.storageType === 'p') return dataFilePath(table, dv.pathOrInlineDv);
  return undefined;
}

/** The deleted row positions of data file `file` (its add.path) in table `table`. */
export async function readDeletionVector(table: string, file: string, dv: DeletionVectorDescriptor): Promise<Set<number>> {
  let bytes: Uint8Array;
  if (dv.storageType === 'i') {
    bytes = z85Decode(dv.pathOrInlineDv).subarray(0, dv.sizeInBytes);
  } else if (dv.storageType === 'u' || dv.storageType === 'p') {
    const dvPath = deletionVectorFile(table, dv)!;
    // A ranged get from the table's store, or (a path the log names outside the table) from its folder's.
    const key = keyUnder(table, dvPath);
    const { store, key: objectKey } = key !== undefined ? { store: storeFor(table), key } : objectAt(dvPath);
    const got = await store.get(objectKey, { offset: dv.offset ?? 0, length: 4 + dv.sizeInBytes });
    if (!got) throw fail(table, file, `${dvPath} is missing`);
    if (got.length !== 4 + dv.sizeInBytes) throw fail(table, file, `${dvPath} is too short`);
    const buf = Buffer.from(got.buffer, got.byteOffset, got.byteLength);
    const size = buf.readInt32BE(0);
    if (size !== dv.sizeInBytes) throw fail(table, file, `size ${size} in ${dvPath} differs from sizeInBytes ${dv.sizeInBytes} in the log`);
    bytes = buf.subarray(4);
  } else {
    throw new DeltaError('UnsupportedReaderFeature', `${table}: deletion vector storage type ${dv.storageType} of ${file} is not supported`);
  }
  let rows: Set<number>;
  try {
    rows = parseRoaringBitmapArray(bytes);
  } catch (err) {
    throw fail(table, file, (err as Error).message, err);
  }
  if (rows.size !== Number(dv.cardinality)) throw fail(table, file, `holds ${rows.size} rows, the log says cardinality ${dv.cardinality}`);
  return rows;
}

const MAGIC = 1681511377;

/** Parses magic + RoaringBitmapArray (portable 64-bit layout) into row positions. */
export function parseRoaringBitmapArray(bytes: Uint8Array): Set<number> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0, true) !== MAGIC) throw new Error('bad magic number');
  const count = Number(view.getBigInt64(4, true));
  let at = 12;
  const rows = new Set<number>();
  for (let b = 0; b < count; b++) {
    const high = view.getUint32(at, true);
    at += 4;
    at = parseRoaring32(view, at, (low) => rows.add(high * 2 ** 32 + low));
  }
  return rows;
}

/** One portable-format 32-bit Roaring bitmap at `at`; returns the offset after it. */
function parseRoaring32(view: DataView, at: number, emit: (v: number) => void): number {
  const cookie = view.getUint32(at, true);
  let size: number;
  let runFlags: Uint8Array | undefined;
  let p = at + 4;
  if ((cookie & 0xffff) === 12347) {
    size = (cookie >>> 16) + 1;
    runFlags = new Uint8Array(view.buffer, view.byteOffset + p, Math.ceil(size / 8));
    p += runFlags.length;
  } else if (cookie === 12346) {
    size = view.getUint32(p, true);
    p += 4;
  } else {
    throw new Error(`unknown Roaring cookie ${cookie}`);
  }
  const keys: number[] = [];
  const cards: number[] = [];
  for (let i = 0; i < size; i++) {
    keys.push(view.getUint16(p, true));
    cards.push(view.getUint16(p + 2, true) + 1);
    p += 4;
  }
  if (!runFlags || size >= 4) p += 4 * size; // container offsets: not needed when reading in order
  for (let i = 0; i < size; i++) {
    const base = keys[i] * 65536;
    const isRun = runFlags !== undefined && (runFlags[i >> 3] & (1 << (i & 7))) !== 0;
    if (isRun) {
      const runs = view.getUint16(p, true);
      p += 2;
      for (let r = 0; r < runs; r++) {
        const start = view.getUint16(p, true);
        const len = view.getUint16(p + 2, true);
        p += 4;
        for (let v = start; v <= start + len; v++) emit(base + v);
      }
    } else if (cards[i] > 4096) {
      for (let w = 0; w < 1024; w++) {
        const lo = view.getUint32(p + w * 8, true);
        const hi = view.getUint32(p + w * 8 + 4, true);
        for (let bit = 0; bit < 32; bit++) {
          if (lo & (1 << bit)) emit(base + w * 64 + bit);
          if (hi & (1 << bit)) emit(base + w * 64 + 32 + bit);
        }
      }
      p += 8192;
    } else {
      for (let k = 0; k < cards[i]; k++) emit(base + view.getUint16(p + 2 * k, true));
      p += 2 * cards[i];
    }
  }
  return p;
}
