/**
 * The hyparquet adapter: the only module that imports hyparquet. Besides the public API (footer, row-group
 * read), the checkpoint leaf reader and the text-page decoder use page-level building blocks from the
 * library's `src/` modules, which are not part of its public API: the version is pinned exactly in
 * package.json, and test/delta/parquet/adapters.test.ts fails, naming the function, when an upgrade changes
 * one of them (missing, different arity, or a known file decoding differently).
 */
export { parquetMetadataAsync, parquetRead } from 'hyparquet';
export type { AsyncBuffer, ColumnChunk, Encoding, FileMetaData, PageHeader, SchemaElement, Statistics } from 'hyparquet';
// Page-level building blocks (library internals, exact version pinned in package.json).
export { parquetHeader } from 'hyparquet/src/column.js';
export { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
export { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
export { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
export { readPlain } from 'hyparquet/src/plain.js';
export { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
// The library's own snappy decoder: the reference snappy.ts is tested against.
export { snappyUncompress as hyparquetSnappyUncompress } from 'hyparquet/src/snappy.js';

/** The version this adapter was written and measured against (package.json pins it exactly). */
export const HYPARQUET_VERSION = '1.31.5';
