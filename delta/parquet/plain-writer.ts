/**
 * The fast Parquet path for files whose columns are all typed arrays or constants, which is what a scoring
 * unit writes (user_id, probability, the predicted flag, and the run's constants): docs/decisions/
 * gold-parquet-writer.md has the measurements.
 *
 *   typed array (no nulls)  → one PLAIN data page per row group whose values are the array's own bytes
 *                             (little-endian, written without a copy); booleans bit-packed
 *   ConstantColumn          → per row group a one-entry dictionary page and a dictionary-encoded data page of
 *                             one run (PLAIN_DICTIONARY, the format-1 spelling DuckDB and parquet-mr use; a
 *                             boolean: bit-packed PLAIN; a null constant: definition levels only)
 *
 * Pages are uncompressed: the probabilities are random doubles that no codec shrinks, and compressing the
 * ids in JavaScript costs more than the whole rest of the write. Footer statistics (min, max, null count)
 * are written for every column chunk, so readers can skip row groups. Anything else goes through
 * the DuckDB or hyparquet writer; router.ts decides, by `plainWritable`.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import { DeltaError } from '../errors';
import { PerPrimitive, StructField, StructType, daysFromDate, primitiveOf, timestampMicros } from '../schema';
import { ConstantColumn, WriteColumn } from './constant-column';
import type { ColumnChunk, Encoding, FileMetaData, PageHeader, SchemaElement, Statistics } from './hyparquet-adapter';
import { ByteWriter, writeMetadata, writePageHeader } from './hyparquet-writer-adapter';
import { primitiveElement } from './parquet-schema';
import { NumericArray, typedRange } from './typed-range';

type NumberArray = Int32Array | Float32Array | Float64Array;
type TypedColumn = NumberArray | BigInt64Array | Uint8Array;

/** A constant's PLAIN bytes and its physical value (for the footer statistics). */
interface Constant {
  plain: Uint8Array;
  physical: bigint | number | boolean | string | Uint8Array;
}

/** How this writer takes a primitive kind: as a typed array (booleans: one byte per row, non-zero = true), as a constant. */
interface PlainKind {
  typed?: new (n: number) => TypedColumn;
  constant?: (v: unknown, column: string) => Constant;
}

const bytesView = (n: number, set: (d: DataView) => void) => {
  const b = new Uint8Array(n);
  set(new DataView(b.buffer));
  return b;
};
const int64 = (x: bigint): Constant => ({ plain: bytesView(8, (d) => d.setBigInt64(0, x, true)), physical: x });
const int32 = (x: number): Constant => ({ plain: bytesView(4, (d) => d.setInt32(0, x, true)), physical: x });
const byteArray = (bytes: Uint8Array, physical: string | Uint8Array): Constant => {
  const plain = bytesView(4 + bytes.byteLength, (d) => d.setUint32(0, bytes.byteLength, true));
  plain.set(bytes, 4);
  return { plain, physical };
};
const toBytes = (v: unknown) => (v instanceof Uint8Array ? v : new TextEncoder().encode(String(v)));

/** Per primitive kind (undefined: decimals and the rest take the other writers). */
const PLAIN: PerPrimitive<PlainKind | undefined> = {
  long: { typed: BigInt64Array, constant: (v) => int64(typeof v === 'bigint' ? v : BigInt(v as number)) },
  integer: { typed: Int32Array, constant: (v) => int32(Number(v)) },
  short: { constant: (v) => int32(Number(v)) },
  byte: { constant: (v) => int32(Number(v)) },
  float: {
    typed: Float32Array,
    constant: (v) => {
      const x = Math.fround(Number(v));
      return { plain: bytesView(4, (d) => d.setFloat32(0, x, true)), physical: x };
    },
  },
  double: {
    typed: Float64Array,
    constant: (v) => {
      const x = Number(v);
      return { plain: bytesView(8, (d) => d.setFloat64(0, x, true)), physical: x };
    },
  },
  boolean: { typed: Uint8Array, constant: (v) => ({ plain: new Uint8Array([v ? 1 : 0]), physical: Boolean(v) }) },
  string: { constant: (v) => byteArray(toBytes(v), String(v)) },
  binary: { constant: (v) => { const bytes = toBytes(v); return byteArray(bytes, bytes); } },
  date: { constant: (v, column) => int32(daysFromDate(v, column)) },
  timestamp: { constant: (v, column) => int64(timestampMicros(v, column)) },
  timestamp_ntz: undefined,
  variant: undefined,
  decimal: undefined,
};

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** True when every field's column is a typed array of its type or a constant this writer can encode. */
export function plainWritable(fields: StructField[], columns: Record<string, WriteColumn>): boolean {
  return LITTLE_ENDIAN && fields.length > 0 && fields.every((f) => {
    const data = columns[f.name];
    if (typeof f.type !== 'string') return false;
    const kind = primitiveOf(PLAIN, f.type);
    if (data instanceof ConstantColumn) return kind?.constant !== undefined;
    return kind?.typed !== undefined && data instanceof kind.typed;
  });
}

/** One column chunk: its pages as byte buffers, and what the footer says about it. */
interface Chunk {
  buffers: Uint8Array[];
  dictionary: boolean;
  encodings: Encoding[];
  statistics: Statistics;
}

/** Writes `columns` as an uncompressed Parquet file at `filePath`; see the file comment for the layout. */
export async function writeParquetFilePlain(
  filePath: string, schema: StructType, numRows: number, columns: Record<string, WriteColumn>, opts: { rowGroupRows?: number } = {},
): Promise<void> {
  if (!plainWritable(schema.fields, columns)) {
    throw new DeltaError('InvalidArgument', `${filePath}: columns are not all typed arrays or constants (use writeDataFile)`);
  }
  for (const f of schema.fields) {
    const data = columns[f.name];
    if (data.length !== numRows) throw new DeltaError('SchemaMismatch', `column ${f.name} has ${data.length} values, batch numRows is ${numRows}`);
    if (data instanceof ConstantColumn && data.value == null && !f.nullable && numRows > 0) {
      throw new DeltaError('SchemaMismatch', `column ${f.name} is not nullable but row 0 is null`);
    }
  }
  const elements: SchemaElement[] = schema.fields.map((f) => {
    const element: SchemaElement = { name: f.name, repetition_type: f.nullable ? 'OPTIONAL' : 'REQUIRED', ...primitiveElement(f.type as string, f.name) };
    // hyparquet-writer serialises the INTEGER logical type's bit width with the wrong thrift type, which strict
    // readers refuse; short and byte keep their converted type (INT_16, INT_8), which every reader maps alike.
    if (element.logical_type?.type === 'INTEGER') delete element.logical_type;
    return element;
  });
  const constants = schema.fields.map((f) => {
    const data = columns[f.name];
    return data instanceof ConstantColumn && data.value != null ? constantValue(f, data.value) : undefined;
  });
  const groupRows = Math.max(1, Math.floor(opts.rowGroupRows ?? 131072));
  const fh = await fs.open(filePath, 'w');
  try {
    let offset = 0;
    const write = async (buffers: Uint8Array[]) => {
      for (let i = 0; i < buffers.length; i += 512) offset += (await fh.writev(buffers.slice(i, i + 512))).bytesWritten;
    };
    await write([MAGIC]);
    const rowGroups: FileMetaData['row_groups'] = [];
    for (let start = 0; start < numRows; start += groupRows) {
      const rows = Math.min(groupRows, numRows - start);
      const groupStart = offset;
      const chunks: ColumnChunk[] = [];
      for (let j = 0; j < schema.fields.length; j++) {
        const f = schema.fields[j];
        const data = columns[f.name];
        const chunk = data instanceof ConstantColumn
          ? constantChunk(f, constants[j], rows)
          : typedChunk(f, (data as TypedColumn).subarray(start, start + rows));
        const chunkStart = offset;
        await write(chunk.buffers);
        const size = BigInt(offset - chunkStart);
        const firstPage = BigInt(chunkStart);
        const dataPage = chunk.dictionary ? firstPage + BigInt(chunk.buffers[0].byteLength + chunk.buffers[1].byteLength) : firstPage;
        chunks.push({
          file_offset: firstPage,
          meta_data: {
            type: elements[j].type!, encodings: chunk.encodings, path_in_schema: [f.name], codec: 'UNCOMPRESSED',
            num_values: BigInt(rows), total_uncompressed_size: size, total_compressed_size: size,
            data_page_offset: dataPage, dictionary_page_offset: chunk.dictionary ? firstPage : undefined,
            statistics: chunk.statistics,
          },
        });
      }
      const size = BigInt(offset - groupStart);
      rowGroups.push({ columns: chunks, total_byte_size: size, total_compressed_size: size, num_rows: BigInt(rows), file_offset: BigInt(groupStart) });
    }
    const footer = new ByteWriter();
    const metadata: FileMetaData = {
      version: 1,
      schema: [{ name: 'spark_schema', num_children: schema.fields.length }, ...elements],
      num_rows: BigInt(numRows),
      row_groups: rowGroups,
      created_by: 'batch-score (plain writer)',
      metadata_length: 0,
    };
    writeMetadata(footer, metadata, 32); // ends with the footer's length
    await write([footer.getBytes(), MAGIC]);
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
  await fh.close();
}

const MAGIC = new TextEncoder().encode('PAR1');

// ---- pages ----

function pageHeader(header: PageHeader): Uint8Array {
  const w = new ByteWriter(64);
  writePageHeader(w, header);
  return w.getBytes();
}

function dataPage(rows: number, encoding: Encoding, body: Uint8Array[]): Uint8Array[] {
  const size = body.reduce((s, b) => s + b.byteLength, 0);
  const header = pageHeader({
    type: 'DATA_PAGE', uncompressed_page_size: size, compressed_page_size: size,
    data_page_header: { num_values: rows, encoding, definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' },
  });
  return [header, ...body];
}

/** An RLE run of `rows` copies of `value` (one byte wide: bit widths up to 8), without a length prefix. */
function rleRun(rows: number, value: number): Uint8Array {
  const bytes: number[] = [];
  for (let header = rows * 2; ; header = Math.floor(header / 128)) {
    if (header < 128) {
      bytes.push(header);
      break;
    }
    bytes.push((header & 0x7f) | 0x80);
  }
  bytes.push(value);
  return new Uint8Array(bytes);
}

/** Definition levels of an OPTIONAL column, all `level` (1: value present, 0: null), length-prefixed. */
function definitionLevels(f: StructField, rows: number, level: 0 | 1): Uint8Array[] {
  if (!f.nullable) return [];
  const run = rleRun(rows, level);
  const prefix = new Uint8Array(4);
  new DataView(prefix.buffer).setUint32(0, run.byteLength, true);
  return [prefix, run];
}

const bytesOf = (a: TypedColumn) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function typedChunk(f: StructField, values: TypedColumn): Chunk {
  const rows = values.length;
  const plain = f.type === 'boolean' ? packBits(values as Uint8Array) : bytesOf(values);
  return {
    buffers: dataPage(rows, 'PLAIN', [...definitionLevels(f, rows, 1), plain]),
    dictionary: false,
    encodings: ['PLAIN', 'RLE'],
    statistics: { null_count: 0n, ...bounds(values, f.type as string) },
  };
}

function packBits(values: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8));
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) out[i >> 3] |= 1 << (i & 7);
  return out;
}

/** Min and max of a chunk (NaN left out); a zero bound is signed as the spec asks for floats. */
function bounds(values: TypedColumn, type: string): Pick<Statistics, 'min_value' | 'max_value'> {
  if (values.length === 0) return {};
  if (type === 'boolean') {
    let any = 0;
    let all = 1;
    for (let i = 0; i < values.length; i++) {
      const b = values[i] !== 0 ? 1 : 0;
      any |= b;
      all &= b;
    }
    return { min_value: all === 1, max_value: any === 1 };
  }
  const range = typedRange(values as NumericArray);
  if (!range) return {};
  const { min, max } = range;
  return { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max };
}

function constantValue(f: StructField, v: unknown): Constant {
  const constant = primitiveOf(PLAIN, f.type)?.constant;
  if (!constant) throw new DeltaError('InvalidArgument', `column ${f.name}: type ${String(f.type)} cannot be a constant column here`);
  try {
    return constant(v, f.name);
  } catch (err) {
    if (err instanceof DeltaError) throw err;
    throw new DeltaError('InvalidArgument', `column ${f.name}: ${(err as Error).message}`, { cause: err });
  }
}

function constantChunk(f: StructField, constant: Constant | undefined, rows: number): Chunk {
  if (constant === undefined) {
    // Every row null: definition levels only.
    return { buffers: dataPage(rows, 'PLAIN', definitionLevels(f, rows, 0)), dictionary: false, encodings: ['PLAIN', 'RLE'], statistics: { null_count: BigInt(rows) } };
  }
  if (typeof constant.physical === 'boolean') {
    // Readers do not take dictionaries of booleans (pyarrow: not implemented): bit-packed PLAIN, rows / 8 bytes.
    const bits = new Uint8Array(Math.ceil(rows / 8)).fill(constant.physical ? 0xff : 0);
    return {
      buffers: dataPage(rows, 'PLAIN', [...definitionLevels(f, rows, 1), bits]),
      dictionary: false,
      encodings: ['PLAIN', 'RLE'],
      statistics: { null_count: 0n, min_value: constant.physical, max_value: constant.physical },
    };
  }
  const dictionary = [
    pageHeader({
      type: 'DICTIONARY_PAGE', uncompressed_page_size: constant.plain.byteLength, compressed_page_size: constant.plain.byteLength,
      dictionary_page_header: { num_values: 1, encoding: 'PLAIN_DICTIONARY' },
    }),
    constant.plain,
  ];
  // Indexes into the one-entry dictionary: bit width 1 (as Arrow and parquet-mr write it), one run of zeros.
  const indexes = [new Uint8Array([1]), rleRun(rows, 0)];
  const isNan = typeof constant.physical === 'number' && Number.isNaN(constant.physical);
  const bound = constant.physical === 0 ? { min_value: -0, max_value: 0 } : { min_value: constant.physical, max_value: constant.physical };
  return {
    buffers: [...dictionary, ...dataPage(rows, 'PLAIN_DICTIONARY', [...definitionLevels(f, rows, 1), ...indexes])],
    dictionary: true,
    encodings: ['PLAIN_DICTIONARY', 'RLE'],
    statistics: { null_count: 0n, ...(isNan ? {} : bound) },
  };
}
