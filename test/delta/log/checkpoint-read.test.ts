/**
 * Checkpoint reading stays exact on its fast paths: our snappy decompressor (against the library's), strings
 * decoded a page at a time (non-ASCII too), metaData/protocol from leaf columns, and checkpoint files
 * reconciled with the commits after them without a key per file. The reference is the same log replayed
 * without the checkpoint; the table under test has lost the commits its checkpoint covers (as log cleanup
 * leaves it), so only a working checkpoint reader can pass. A checkpoint that cannot be read fails the open
 * (CorruptCheckpoint naming the file and why), even when the JSON commits could have been replayed instead.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { hyparquetSnappyUncompress as librarySnappy } from '../../../delta/parquet/hyparquet-adapter';
import { snappyCompress } from '../../../delta/parquet/hyparquet-writer-adapter';
import { Action, AddFile, DeltaError, Snapshot, StructType, checkpointAt, logStore, openTable, schemaToString, serializeActions } from '../../../delta';
import { snappyUncompress } from '../../../delta/parquet/snappy';
import { tempDir } from '../helpers';

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'day', type: 'string', nullable: true, metadata: {} },
  ],
};

const commitName = (v: number) => `${String(v).padStart(20, '0')}.json`;

/** Writes commits 0..n-1 (actions per version) straight into a new table's log. */
async function writeLog(table: string, commits: Action[][]): Promise<void> {
  await fs.mkdir(path.join(table, '_delta_log'), { recursive: true });
  for (let v = 0; v < commits.length; v++) await fs.writeFile(path.join(table, '_delta_log', commitName(v)), serializeActions(commits[v]));
}

/** The same table read without its checkpoint (a copy with the checkpoint files removed). */
async function withoutCheckpoint(table: string): Promise<Snapshot> {
  const copy = `${table}-plain`;
  await fs.cp(table, copy, { recursive: true });
  for (const n of await fs.readdir(path.join(copy, '_delta_log'))) if (n.includes('checkpoint')) await fs.rm(path.join(copy, '_delta_log', n));
  return openTable(copy);
}

/** Removes commits 0..version, as log cleanup does once a checkpoint at `version` covers them. */
async function dropCommitsThrough(table: string, version: number): Promise<void> {
  for (let v = 0; v <= version; v++) await fs.rm(path.join(table, '_delta_log', commitName(v)));
}

const fileKey = (f: AddFile) => `${f.path} ${JSON.stringify(f.deletionVector ?? null)}`;
const sorted = (files: AddFile[]) => [...files].sort((a, b) => (fileKey(a) < fileKey(b) ? -1 : 1));

function add(p: string, day: string, extra: Partial<AddFile> = {}): Action {
  return { add: { path: p, partitionValues: { day }, size: 100, modificationTime: 1_700_000_000_000, dataChange: true, stats: `{"numRecords":3,"minValues":{"day":"${day}"}}`, ...extra } };
}

const dv = (id: string, cardinality: number) => ({ storageType: 'u', pathOrInlineDv: id, offset: 1, sizeInBytes: 36, cardinality });

describe('delta checkpoint reading: fast paths stay exact', function () {
  this.timeout(60_000);

  it('our snappy decompressor gives the library\'s bytes (literals of every length form, overlapping and long copies) and refuses corrupt blocks', () => {
    const texts = [new Uint8Array(0), new TextEncoder().encode('a'), new TextEncoder().encode('ab'.repeat(5000) + 'xyz'.repeat(7) + 'a'.repeat(300))];
    const random = new Uint8Array(200_000);
    let x = 12345;
    for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    texts.push(random, new Uint8Array(70_000).fill(7));
    const stats = Array.from({ length: 2000 }, (_, i) => `{"numRecords":${i},"minValues":{"user_id":${i * 100}},"maxValues":{"user_id":${i * 100 + 99}}}`).join('');
    texts.push(new TextEncoder().encode(stats));
    for (const t of texts) {
      const block = snappyCompress(t);
      const theirs = new Uint8Array(t.length);
      librarySnappy(block, theirs);
      assert.deepEqual(snappyUncompress(block, t.length), theirs);
      assert.deepEqual(snappyUncompress(block, t.length), t);
    }
    // Forms the library's compressor does not write: a 2-byte literal length and a copy with a 4-byte offset.
    const handMade = Uint8Array.from([10, 61 << 2, 2, 0, 1, 2, 3, ((7 - 1) << 2) | 3, 3, 0, 0, 0]);
    const expected = [1, 2, 3, 1, 2, 3, 1, 2, 3, 1];
    const theirs = new Uint8Array(10);
    librarySnappy(handMade, theirs);
    assert.deepEqual(Array.from(theirs), expected);
    assert.deepEqual(Array.from(snappyUncompress(handMade, 10)), expected);
    assert.throws(() => snappyUncompress(Uint8Array.from([4, 0, 65]), 4), /snappy/); // ends early
    assert.throws(() => snappyUncompress(Uint8Array.from([4, 1 << 2 | 1, 9]), 4), /snappy/); // copy before start
    assert.throws(() => snappyUncompress(Uint8Array.from([5, 0, 65]), 4), /snappy/); // wrong length
  });

  it('a checkpoint of non-ASCII paths, stats and partition values, tags, deletion vectors, features and configuration reads as the log', async () => {
    const table = path.join(await tempDir('delta-cp-read'), 't');
    const days = ['2026-01-01', 'été', '日本', 'a b', '😀'];
    const v0: Action[] = [
      { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors', 'appendOnly'] } },
      { metaData: { id: 'id-1', name: 'naïve', description: null, format: { provider: 'parquet', options: {} }, schemaString: schemaToString(SCHEMA), partitionColumns: ['day'], configuration: { 'delta.enableDeletionVectors': 'true', 'comment': 'ünïcode' }, createdTime: 1 } },
    ];
    const commits: Action[][] = [v0];
    for (let v = 1; v <= 30; v++) {
      const day = days[v % days.length];
      const actions: Action[] = [add(`day=${encodeURIComponent(day)}/part-${v}-ü.parquet`, day, v % 4 === 0 ? { tags: { owner: 'zoë', n: String(v) } } : {})];
      if (v % 7 === 0) actions.push(add(`day=${encodeURIComponent(day)}/dv-${v}.parquet`, day, { deletionVector: dv(`dv${v}`, v), stats: undefined }));
      if (v % 10 === 0) actions.push({ remove: { path: `day=${encodeURIComponent(days[(v - 1) % days.length])}/part-${v - 1}-ü.parquet`, dataChange: true, deletionTimestamp: Date.now() } });
      commits.push(actions);
    }
    await writeLog(table, commits);
    await checkpointAt(logStore(table), 30);
    const plain = await withoutCheckpoint(table);
    await dropCommitsThrough(table, 30);
    const cp = await openTable(table);
    assert.equal(cp.version, 30);
    assert.deepEqual(sorted(cp.files()), sorted(plain.files()));
    assert.deepEqual(cp.metadata, plain.metadata);
    assert.deepEqual(cp.protocol, plain.protocol);
    assert.deepEqual(cp.tombstones().map((r) => r.path).sort(), plain.tombstones().map((r) => r.path).sort());
    assert.equal(cp.files({ day: '日本' }).length, plain.files({ day: '日本' }).length);
  });

  it('commits after a checkpoint remove, re-add and replace (new deletion vector) its files as replay does', async () => {
    const table = path.join(await tempDir('delta-cp-read'), 't');
    const v0: Action[] = [
      { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] } },
      { metaData: { id: 'id-2', format: { provider: 'parquet', options: {} }, schemaString: schemaToString(SCHEMA), partitionColumns: ['day'], configuration: {}, createdTime: 1 } },
    ];
    const files = ['a', 'b', 'c', 'd', 'e'].map((n) => add(`day=x/${n}.parquet`, 'x'));
    await writeLog(table, [v0, files]);
    await checkpointAt(logStore(table), 1);
    const later: Action[][] = [
      [{ remove: { path: 'day=x/a.parquet', dataChange: true, deletionTimestamp: Date.now() } }],
      [add('day=x/b.parquet', 'x', { dataChange: false, size: 999 })],
      [{ remove: { path: 'day=x/c.parquet', dataChange: true } }, add('day=x/c.parquet', 'x', { deletionVector: dv('c1', 2) })],
      [add('day=x/f.parquet', 'x'), { remove: { path: 'day%3Dx/d.parquet', dataChange: true } }],
      [add('day=x/a.parquet', 'x', { size: 7 })],
    ];
    for (let i = 0; i < later.length; i++) await fs.writeFile(path.join(table, '_delta_log', commitName(2 + i)), serializeActions(later[i]));
    const plain = await withoutCheckpoint(table);
    await dropCommitsThrough(table, 1);
    const cp = await openTable(table);
    assert.equal(cp.version, 6);
    assert.deepEqual(sorted(cp.files()), sorted(plain.files()));
    assert.deepEqual(cp.files().map((f) => f.path).sort(), ['day=x/a.parquet', 'day=x/b.parquet', 'day=x/c.parquet', 'day=x/e.parquet', 'day=x/f.parquet']);
    assert.equal(cp.files().find((f) => f.path === 'day=x/b.parquet')!.size, 999);
    assert.deepEqual(cp.tombstones().map((r) => r.path).sort(), plain.tombstones().map((r) => r.path).sort());
  });

  it('a checkpoint that exists but cannot be read fails the open naming the file and why, though the JSON log is all there', async () => {
    const base = path.join(await tempDir('delta-cp-read'), 't');
    const v0: Action[] = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      { metaData: { id: 'id-3', format: { provider: 'parquet', options: {} }, schemaString: schemaToString(SCHEMA), partitionColumns: ['day'], configuration: {}, createdTime: 1 } },
    ];
    await writeLog(base, [v0, [add('day=x/a.parquet', 'x')], [add('day=x/b.parquet', 'x')]]);
    await checkpointAt(logStore(base), 2);
    const cpFile = path.join('_delta_log', `${String(2).padStart(20, '0')}.checkpoint.parquet`);
    const good = await fs.readFile(path.join(base, cpFile));
    const damages: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, good.length - 20), /not a readable Parquet file/],
      ['not Parquet', Buffer.from('PAR1 this is not a checkpoint'), /not a readable Parquet file/],
      ['empty', Buffer.alloc(0), /not a readable Parquet file/],
    ];
    for (const [what, bytes, reason] of damages) {
      const table = `${base}-${what.replace(/ /g, '-')}`;
      await fs.cp(base, table, { recursive: true });
      await fs.writeFile(path.join(table, cpFile), bytes);
      await assert.rejects(openTable(table), (e: DeltaError) => {
        assert.ok(e instanceof DeltaError, `${what}: ${e}`);
        assert.equal(e.code, 'CorruptCheckpoint', `${what}: ${e.message}`);
        assert.ok(e.message.startsWith(`checkpoint ${path.join(table, cpFile)} cannot be read: `), `${what}: ${e.message}`);
        assert.match(e.message, reason, what);
        return true;
      });
      // Time travel to before the checkpoint does not need it: plain replay of commits 0..1.
      assert.deepEqual((await openTable(table, { version: 1 })).files().map((f) => f.path), ['day=x/a.parquet']);
    }
    // The intact checkpoint reads: the same two files as replay.
    assert.deepEqual((await openTable(base)).files().map((f) => f.path).sort(), ['day=x/a.parquet', 'day=x/b.parquet']);
  });
});
