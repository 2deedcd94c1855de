/**
 * A sparse local copy of the parts of a Parquet object one read needs, so DuckDB (which reads only by path: its
 * httpfs extension is not bundled and cannot be installed offline) can read a file on S3: the footer (kept from
 * opening the file: no second get) and the column chunks of the asked row groups and columns (with their page
 * indexes) are fetched by ranged gets, several in flight, and written at their own offsets into a local file of
 * the object's size, after the header magic; the bytes in between stay holes (no disk, no memory). DuckDB's
 * query selects the row groups by file_row_number, so it never reads a hole; had it done so it would meet zeros,
 * which fail to decode, never a wrong value.
 *
 * Memory: the gets in flight (IN_FLIGHT pieces of at most PIECE bytes, buffers reused from copy to copy),
 * whatever the unit's size; the copy's disk use is its column chunks, and the file is removed when the read
 * ends (router.ts).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeltaError, ioError } from '../errors';
import type { ParquetFile } from './file';

/**
 * At most this many bytes per get: bounds the memory of a get in flight. A unit's 14 MB of chunks from a local
 * MinIO: 4 MiB × 4 in flight ~43 ms, 8 MiB × 4 ~41 ms, 2 MiB × 4 ~48 ms, 1 MiB × 8 ~72 ms (medians of 8): 4 MiB
 * is as fast as larger pieces with half the memory.
 */
const PIECE = 4 * 1024 * 1024;
/** Gets in flight at once. */
const IN_FLIGHT = 4;
/** Ranges closer than this are fetched as one (one get instead of two for a few bytes more). */
const GAP = 64 * 1024;
const MAGIC = new TextEncoder().encode('PAR1');

/**
 * Buffers of PIECE bytes for the gets in flight, kept for the next copy: a fresh 4 MiB buffer per get, and the
 * garbage collection of it, cost 49 instead of 40 ms of CPU per unit's 14 MB (medians of 9 alternating rounds,
 * a loaded machine). At most KEPT_PIECES are kept (32 MiB: two unit reads at once); more copies at once
 * allocate and drop theirs, as before.
 */
const KEPT_PIECES = 2 * IN_FLIGHT;
const freePieces: Uint8Array[] = [];
const takePiece = () => freePieces.pop() ?? Buffer.allocUnsafe(PIECE);
const giveBack = (piece: Uint8Array) => {
  if (freePieces.length < KEPT_PIECES) freePieces.push(piece);
};

export interface LocalCopy {
  /** The same file, readable by path (filePath is the local copy). */
  readonly pf: ParquetFile;
  /** Removes the copy (no error if gone). */
  remove(): Promise<void>;
}

/** Copies the footer and the chunks of `columns` (top-level names) in row groups `groups` to a local sparse file. */
export async function localCopy(pf: ParquetFile, groups: number[], columns: string[]): Promise<LocalCopy> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-read-'));
  const file = path.join(dir, 'copy.parquet');
  const remove = () => fs.rm(dir, { recursive: true, force: true });
  try {
    const fh = await fs.open(file, 'w');
    try {
      await fh.truncate(pf.buffer.byteLength); // a sparse file of the object's size
      // A Parquet file starts with the magic its footer ends with (checked when the footer was read): written, not fetched.
      await fh.write(MAGIC, 0, MAGIC.length, 0);
      const pieces = piecesOf(mergedRanges(neededRanges(pf, groups, new Set(columns))));
      let next = 0;
      const worker = async () => {
        const piece = takePiece();
        try {
          for (let i = next++; i < pieces.length; i = next++) {
            const [start, end] = pieces[i];
            const bytes = pf.readInto ? await pf.readInto(start, end, piece) : new Uint8Array(await pf.buffer.slice(start, end));
            if (bytes.length !== end - start) {
              throw new DeltaError('CorruptDataFile', `${pf.filePath}: bytes ${start}..${end - 1} gave ${bytes.length} bytes (the footer says the file has ${pf.buffer.byteLength})`);
            }
            for (let at = 0; at < bytes.length;) at += (await fh.write(bytes, at, bytes.length - at, start + at)).bytesWritten;
          }
        } finally {
          giveBack(piece);
        }
      };
      await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, pieces.length) }, worker));
    } finally {
      await fh.close();
    }
  } catch (err) {
    await remove();
    if (err instanceof DeltaError) throw err;
    throw ioError('cannot copy the ranges to read of', pf.filePath, err);
  }
  return { pf: { ...pf, filePath: file, local: true, remote: false }, remove };
}

/** [start, end) byte ranges: the footer (usually kept from opening the file), and each needed column chunk with its page indexes. */
function neededRanges(pf: ParquetFile, groups: number[], columns: Set<string>): [number, number][] {
  const size = pf.buffer.byteLength;
  const ranges: [number, number][] = [[size - pf.meta.metadata_length - 8, size]];
  const add = (offset: unknown, length: unknown) => {
    if (offset !== undefined && offset !== null && length !== undefined && length !== null) ranges.push([Number(offset), Number(offset) + Number(length)]);
  };
  for (const g of groups) {
    for (const chunk of pf.meta.row_groups[g].columns) {
      const m = chunk.meta_data;
      if (!m || !columns.has(m.path_in_schema[0])) continue;
      // As the readers find a chunk's first page: the dictionary page when there is one, else the first data page.
      add(m.dictionary_page_offset || m.data_page_offset, m.total_compressed_size);
      add(chunk.column_index_offset, chunk.column_index_length);
      add(chunk.offset_index_offset, chunk.offset_index_length);
    }
  }
  return ranges.filter(([a, b]) => b > a).map(([a, b]) => [Math.max(0, a), Math.min(size, b)]);
}

function mergedRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + GAP) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function piecesOf(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of ranges) for (let at = a; at < b; at += PIECE) out.push([at, Math.min(b, at + PIECE)]);
  return out;
}
