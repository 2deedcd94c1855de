/**
 * Snappy decompression for Parquet pages (raw snappy blocks, as Parquet stores them), handed to the Parquet
 * library as its SNAPPY decompressor. The library's byte-at-a-time copy loops are most of a checkpoint's read
 * time (25 MB of pages for 100,000 files); here long literals and non-overlapping back-references are copied
 * with the typed array's native set/copyWithin, very short ones by loop (there a native call costs more than it saves).
 * Format: https://github.com/google/snappy/blob/main/format_description.txt
 */

/** Copies shorter than this go byte by byte. */
const NATIVE_COPY = 8;

/**
 * Decompresses a raw snappy block whose uncompressed size is `outputLength`, into `into` when given (a scratch
 * buffer at least that long, for callers done with the bytes before the next block) or a new array.
 */
export function snappyUncompress(input: Uint8Array, outputLength: number, into?: Uint8Array): Uint8Array {
  const output = into && into.length >= outputLength ? into.subarray(0, outputLength) : new Uint8Array(outputLength);
  decompress(input, output);
  return output;
}

/** The block into `output`, exactly as long as the block says. */
function decompress(input: Uint8Array, output: Uint8Array): void {
  const outputLength = output.length;
  const end = input.length;
  let pos = 0;
  // Preamble: the uncompressed length as a varint (a page is well under 2^31 bytes).
  let declared = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= end || shift > 28) throw new Error('snappy: bad length preamble');
    const b = input[pos++];
    declared = (declared | ((b & 0x7f) << shift)) >>> 0;
    if (b < 0x80) break;
  }
  if (declared !== outputLength) throw new Error(`snappy: block holds ${declared} bytes, page header says ${outputLength}`);
  let out = 0;
  while (pos < end) {
    const tag = input[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      // Literal: length - 1 in the tag's upper 6 bits, or in the 1-4 bytes after it (60..63).
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (pos + bytes > end) throw new Error('snappy: literal length past end of input');
        len = 0;
        for (let i = 0; i < bytes; i++) len = (len | (input[pos + i] << (8 * i))) >>> 0;
        len += 1;
        pos += bytes;
      }
      if (pos + len > end || out + len > outputLength) throw new Error('snappy: literal past end of block');
      if (len < NATIVE_COPY) for (let i = 0; i < len; i++) output[out + i] = input[pos + i];
      else output.set(input.subarray(pos, pos + len), out);
      pos += len;
      out += len;
      continue;
    }
    // Back-reference: copy len bytes from offset bytes back (overlapping copies repeat a pattern).
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= end) throw new Error('snappy: copy past end of input');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++];
    } else if (kind === 2) {
      if (pos + 2 > end) throw new Error('snappy: copy past end of input');
      len = (tag >>> 2) + 1;
      offset = input[pos] | (input[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > end) throw new Error('snappy: copy past end of input');
      len = (tag >>> 2) + 1;
      offset = (input[pos] | (input[pos + 1] << 8) | (input[pos + 2] << 16) | (input[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > out) throw new Error(`snappy: bad copy offset ${offset} at output ${out}`);
    if (out + len > outputLength) throw new Error('snappy: copy past end of block');
    const from = out - offset;
    if (len < NATIVE_COPY || offset < len) for (let i = 0; i < len; i++) output[out + i] = output[from + i];
    else output.copyWithin(out, from, from + len);
    out += len;
  }
  if (out !== outputLength) throw new Error(`snappy: block ended after ${out} of ${outputLength} bytes`);
}

/** The Parquet library's decompressor table with this SNAPPY (other codecs stay the library's). */
export const COMPRESSORS = { SNAPPY: snappyUncompress };
