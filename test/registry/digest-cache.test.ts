/**
 * A worker checks the pinned model before every unit, and remembers a file's sha256 by its identity and times
 * (registry/digest.ts): a changed file must still be caught however it was changed, same size and mtime
 * included, and a file just written is never remembered (its next write could land in the same clock tick).
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import nodeFs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../../registry';

const sha = (bytes: string) => createHash('sha256').update(bytes).digest('hex');
const settle = () => new Promise((r) => setTimeout(r, 2_100)); // past the digest's racy window

/**
 * How many times `run` opens `file` for hashing. Tests run as root, which reads a chmod 000 file anyway, so the
 * proof that a remembered digest was not read is a count of the module's own reads (the fs module object
 * digest.ts calls createReadStream on).
 */
async function readsOf<T>(file: string, run: () => Promise<T>): Promise<{ value: T; reads: number }> {
  const real = nodeFs.createReadStream;
  let reads = 0;
  nodeFs.createReadStream = ((p: nodeFs.PathLike, ...rest: unknown[]) => {
    if (String(p) === file) reads++;
    return (real as (...a: unknown[]) => nodeFs.ReadStream)(p, ...rest);
  }) as typeof real;
  try {
    return { value: await run(), reads };
  } finally {
    nodeFs.createReadStream = real;
  }
}

describe('registry: sha256 of a model file, remembered per process', function () {
  this.timeout(20_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-digest-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a file rewritten in place with bytes of the same size and its old mtime put back: the new digest', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    // A whole second, so putting it back gives the very same mtime to the nanosecond (a Date keeps only ms).
    const mtime = Math.floor(Date.now() / 1000) - 60;
    fs.utimesSync(file, mtime, mtime);
    await settle();
    assert.equal(await sha256File(file), sha('model-A'));
    const remembered = fs.statSync(file, { bigint: true }).mtimeNs;
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-A'), reads: 0 }, 'remembered');
    fs.writeFileSync(file, 'model-B'); // same size
    fs.utimesSync(file, mtime, mtime);
    assert.equal(fs.statSync(file, { bigint: true }).mtimeNs, remembered, 'same mtime as the remembered digest');
    assert.equal(await sha256File(file), sha('model-B'));
  });

  it('a file replaced by another of the same size and mtime (a new inode): the new digest', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    await settle();
    assert.equal(await sha256File(file), sha('model-A'));
    const { atime, mtime } = fs.statSync(file);
    const other = path.join(dir, 'other.onnx');
    fs.writeFileSync(other, 'model-C');
    fs.utimesSync(other, atime, mtime);
    fs.renameSync(other, file);
    assert.equal(await sha256File(file), sha('model-C'));
  });

  it('a file written just now is hashed every time: two writes in one clock tick are both seen', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    assert.equal(await sha256File(file), sha('model-A'));
    const { atime, mtime } = fs.statSync(file);
    fs.writeFileSync(file, 'model-D');
    fs.utimesSync(file, atime, mtime);
    assert.equal(await sha256File(file), sha('model-D'));
  });

  it('a remembered digest is not read again; a rewrite (new size and mtime) is', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    await settle();
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-A'), reads: 1 });
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-A'), reads: 0 }, 'remembered: not read');
    fs.writeFileSync(file, 'model-AB');
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-AB'), reads: 1 }, 'rewritten: hashed again');
  });

  it('a file written less than 2 s ago is not remembered: read on every call', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-A'), reads: 1 });
    assert.deepEqual(await readsOf(file, () => sha256File(file)), { value: sha('model-A'), reads: 1 });
  });

  it('a file gone after it was remembered: ENOENT, not the remembered digest', async function () {
    const file = path.join(dir, 'm.onnx');
    fs.writeFileSync(file, 'model-A');
    await settle();
    assert.equal(await sha256File(file), sha('model-A'));
    fs.rmSync(file);
    await assert.rejects(sha256File(file), { code: 'ENOENT' });
  });
});
