/**
 * The hyparquet-writer adapter: the only module that imports hyparquet-writer. writer.ts uses its public API;
 * plain-writer.ts writes pages itself and uses the library's byte writer, page-header and footer encoders from
 * its `src/` modules, which are not public API: the version is pinned exactly in package.json, and
 * test/delta/parquet/adapters.test.ts fails, naming the function, when an upgrade changes one of them.
 */
export { fileWriter, parquetWrite } from 'hyparquet-writer';
// Library internals (exact version pinned in package.json).
export { ByteWriter } from 'hyparquet-writer/src/bytewriter.js';
export { writePageHeader } from 'hyparquet-writer/src/datapage.js';
export { writeMetadata } from 'hyparquet-writer/src/metadata.js';
// The library's snappy encoder: makes compressed pages for tests of snappy.ts.
export { snappyCompress } from 'hyparquet-writer/src/snappy.js';

/** The version this adapter was written and measured against (package.json pins it exactly). */
export const HYPARQUET_WRITER_VERSION = '0.17.0';
