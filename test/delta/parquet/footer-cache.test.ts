/**
 * openParquet remembers a local file's parsed footer by the file's identity and times (delta/storage/
 * file-identity.ts): a worker opening one data file per unit must not re-read its footer, and a file replaced
 * (written to a temp file renamed over it, as data files are) or written just now must be read again.
 */
import * as assert from 'node:assert/strict';
import nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openParquet, writeParquetFile, StructType } from '../../../delta';

const SCHEMA: StructType = { type: 'struct', fields: [{ name: 'x', type: 'long', nullable: false, metadata: {} }] };
const write = (file: string, rows: number) => writeParquetFile(file, SCHEMA, rows, { x: BigInt64Array.from({ length: rows }, (_, i) => BigInt(i)) });
const settle = () => new Promise((r) => setTimeout(r, 2_100)); // past the cache's racy window

/** How many times `run` opens `file` (every footer or range read opens it through fs.promises.open). */
async function opensOf<T>(file: string, run: () => Promise<T>): Promise<{ value: T; opens: number }> {
  const real = nodeFs.promises.open;
  let opens = 0;
  nodeFs.promises.open = ((p: nodeFs.PathLike, ...rest: unknown[]) => {
    if (String(p) === file) opens++;
    return (real as (...a: unknown[]) => ReturnType<typeof real>)(p, ...rest);
  }) as typeof real;
  try {
    return { value: await run(), opens };
  } finally {
    nodeFs.promises.open = real;
  }
}

describe('delta parquet: footers remembered per process by file identity', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = nodeFs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-footer-'))));
  afterEach(() => nodeFs.rmSync(dir, { recursive: true, force: true }));

  it('a hit does not read the footer again; a file renamed over it (a new inode) is read', async () => {
    const file = path.join(dir, 'part-0.parquet');
    await write(file, 10);
    await settle();
    const first = await opensOf(file, () => openParquet(file));
    assert.equal(first.value.numRows, 10);
    assert.ok(first.opens > 0, 'the footer read');
    const again = await opensOf(file, () => openParquet(file));
    assert.equal(again.value.numRows, 10);
    assert.equal(again.opens, 0, 'remembered: the footer not read again');

    const temp = path.join(dir, '.part-0.parquet.tmp');
    await write(temp, 25);
    nodeFs.renameSync(temp, file);
    const replaced = await opensOf(file, () => openParquet(file));
    assert.equal(replaced.value.numRows, 25);
    assert.ok(replaced.opens > 0, 'a new inode: the footer read again');
  });

  it('a file written less than 2 s ago is read on every open', async () => {
    const file = path.join(dir, 'part-1.parquet');
    await write(file, 7);
    for (let i = 0; i < 2; i++) {
      const open = await opensOf(file, () => openParquet(file));
      assert.equal(open.value.numRows, 7);
      assert.ok(open.opens > 0, `open ${i + 1}: the footer read`);
    }
  });
});
