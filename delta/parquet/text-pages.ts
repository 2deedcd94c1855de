/**
 * PLAIN-encoded UTF-8 data pages decoded straight to strings, for the checkpoint leaf reader (leaf-reader.ts). The library
 * makes a byte view per value and decodes each one; a checkpoint has 100,000 paths and 100,000 stats, so
 * instead the page's value bytes are checked for ASCII once and turned into one string whose substrings are
 * the values (no per-value view or decoder call; V8 keeps substrings as slices of it). Pages that are not
 * pure ASCII are decoded value by value, as the library would. Stored pages are left as they were.
 */
import { isAscii } from 'node:buffer';
// Page-level building blocks, through the hyparquet adapter (library internals, version pinned).
import { decompressPage, readRleBitPackedHybrid, type PageHeader } from './hyparquet-adapter';
import { COMPRESSORS, snappyUncompress } from './snappy';

export interface TextPage {
  /** Non-null values, in order. */
  dataPage: string[];
  /** One per entry when the leaf has levels (maxDef / maxRep > 0), else empty; bytes (nesting is shallow), which the GC need not scan or copy. */
  definitionLevels: Uint8Array;
  repetitionLevels: Uint8Array;
}

const utf8 = new TextDecoder();
const bitWidth = (maxLevel: number) => 32 - Math.clz32(maxLevel);

/** A DATA_PAGE (v1) as stored: compressed whole; levels, each with its 4-byte length, then the values. */
export function textPageV1(stored: Uint8Array, header: PageHeader, codec: Codec, maxRep: number, maxDef: number): TextPage {
  const h = header.data_page_header!;
  const page = decompress(stored, header.uncompressed_page_size, codec);
  const reader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
  const repetitionLevels = levels(reader, h.num_values, maxRep);
  const definitionLevels = levels(reader, h.num_values, maxDef);
  const values = h.num_values - nulls(definitionLevels, maxDef);
  return { dataPage: plainStrings(page, reader.offset, values), definitionLevels, repetitionLevels };
}

/** A DATA_PAGE_V2 as stored: uncompressed levels of known lengths, then the (possibly compressed) values. */
export function textPageV2(stored: Uint8Array, header: PageHeader, codec: Codec, maxRep: number, maxDef: number): TextPage {
  const h = header.data_page_header_v2!;
  const reader = { view: new DataView(stored.buffer, stored.byteOffset, stored.byteLength), offset: 0 };
  const repetitionLevels = levels(reader, h.num_values, maxRep, h.repetition_levels_byte_length);
  reader.offset = h.repetition_levels_byte_length;
  const definitionLevels = levels(reader, h.num_values, maxDef, h.definition_levels_byte_length);
  const levelBytes = h.repetition_levels_byte_length + h.definition_levels_byte_length;
  let values = stored.subarray(levelBytes);
  if (h.is_compressed !== false) values = decompress(values, header.uncompressed_page_size - levelBytes, codec);
  return { dataPage: plainStrings(values, 0, h.num_values - h.num_nulls), definitionLevels, repetitionLevels };
}

type Codec = Parameters<typeof decompressPage>[2];

// Snappy pages are decompressed into one reused buffer: the strings are copies, so the bytes are done with
// before the next page (fresh memory for 25 MB of pages costs page faults and GC pressure).
let scratch = new Uint8Array(0);

function decompress(stored: Uint8Array, size: number, codec: Codec): Uint8Array {
  if (codec !== 'SNAPPY') return decompressPage(stored, size, codec, COMPRESSORS);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  return snappyUncompress(stored, size, scratch);
}

function levels(reader: { view: DataView; offset: number }, n: number, maxLevel: number, byteLength?: number): Uint8Array {
  if (maxLevel === 0) return new Uint8Array(0);
  if (maxLevel > 255) throw new Error(`levels up to ${maxLevel} do not fit a byte`);
  const out = new Uint8Array(n);
  readRleBitPackedHybrid(reader, bitWidth(maxLevel), out, byteLength);
  return out;
}

function nulls(def: Uint8Array, maxDef: number): number {
  let n = 0;
  for (let i = 0; i < def.length; i++) if (def[i] !== maxDef) n++;
  return n;
}

/**
 * `count` PLAIN byte arrays (4-byte little-endian length, then the bytes) from `offset`, as strings. Each loop
 * is its own small function: the JIT optimises them one by one instead of recompiling one big function as
 * each later loop first runs.
 */
export function plainStrings(page: Uint8Array, offset: number, count: number): string[] {
  const view = new DataView(page.buffer, page.byteOffset, page.byteLength);
  const starts = valueStarts(view, offset, count); // value i is [starts[i], starts[i + 1] - 4)
  const end = starts[count] - 4;
  // With the length prefixes zeroed for a moment, the value bytes are ASCII exactly when every value is.
  setLengths(view, starts, count, false);
  const ascii = isAscii(page.subarray(offset, end));
  const all = ascii ? Buffer.from(page.buffer, page.byteOffset + offset, end - offset).toString('latin1') : '';
  setLengths(view, starts, count, true); // the page as it was
  return ascii ? substrings(all, starts, offset, count) : decoded(page, starts, count);
}

function valueStarts(view: DataView, offset: number, count: number): Int32Array {
  const starts = new Int32Array(count + 1);
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > view.byteLength) throw new Error(`string value ${i} of ${count} runs past the end of its page`);
    starts[i] = at + 4;
    at += 4 + view.getUint32(at, true);
  }
  if (at > view.byteLength) throw new Error(`string values run past the end of their page`);
  starts[count] = at + 4;
  return starts;
}

function setLengths(view: DataView, starts: Int32Array, count: number, restore: boolean): void {
  for (let i = 0; i < count; i++) view.setUint32(starts[i] - 4, restore ? starts[i + 1] - 4 - starts[i] : 0, true);
}

function substrings(all: string, starts: Int32Array, offset: number, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = all.slice(starts[i] - offset, starts[i + 1] - 4 - offset);
  return out;
}

function decoded(page: Uint8Array, starts: Int32Array, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = utf8.decode(page.subarray(starts[i], starts[i + 1] - 4));
  return out;
}
