/**
 * Copying a local folder (a table made by generateSilver, a Spark-written golden table) into an s3:// location
 * through the Delta layer's store, so tests and benchmarks put the same bytes in a bucket as on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storeFor } from '../delta';

/** Every file under a local folder (checksum files aside), uploaded under `location` with the same relative keys. */
export async function uploadFolder(local: string, location: string): Promise<void> {
  const store = storeFor(location);
  for (const e of fs.readdirSync(local, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name.endsWith('.crc')) continue;
    const file = path.join(e.parentPath, e.name);
    await store.putFile(path.relative(local, file).split(path.sep).join('/'), file);
  }
}
