/**
 * The ObjectStore contract (delta/storage/object-store.ts) as one mocha suite over a store factory, so every
 * store runs the very same checks: `describeObjectStoreContract('local', makeLocalStore)` here, the S3 store
 * against a real server later. Each test gets a fresh, empty store from `makeStore`.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ObjectStore } from '../../../delta';

const text = (s: string) => Buffer.from(s, 'utf8');
const str = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

export function describeObjectStoreContract(name: string, makeStore: () => Promise<ObjectStore>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    beforeEach(async () => {
      store = await makeStore();
    });

    it('lists the objects (and listKeys the keys) under a prefix, sorted by key, with sizes; a folder prefix does not match its siblings', async () => {
      for (const key of ['_delta_log/00000000000000000001.json', '_delta_log/00000000000000000000.json', '_delta_log/_sidecars/a.parquet', 'day=2026-01-01/part-0.parquet', 'day=2026-01-02/part-1.parquet', '_delta_logbook']) {
        await store.put(key, text(`body of ${key}`));
      }
      const log = await store.list('_delta_log/');
      assert.deepEqual(log.map((o) => o.key), ['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json', '_delta_log/_sidecars/a.parquet']);
      assert.deepEqual(log.map((o) => o.size), log.map((o) => `body of ${o.key}`.length));
      assert.ok(log.every((o) => Math.abs(o.lastModified - Date.now()) < 60_000), 'lastModified is a recent time in ms');
      assert.deepEqual((await store.list('day=2026-01-0')).map((o) => o.key), ['day=2026-01-01/part-0.parquet', 'day=2026-01-02/part-1.parquet']);
      assert.deepEqual((await store.list('')).length, 6);
      assert.deepEqual(await store.list('nothing/'), []);
      assert.deepEqual(await store.listKeys('_delta_log/'), log.map((o) => o.key), 'listKeys gives the keys list gives');
      assert.deepEqual(await store.listKeys('nothing/'), []);
    });

    it('reads an object whole or by range; a range past the end stops at the end', async () => {
      await store.put('a/data.bin', text('0123456789'));
      assert.equal(str(await store.get('a/data.bin')), '0123456789');
      assert.equal(str(await store.get('a/data.bin', { offset: 3, length: 4 })), '3456');
      assert.equal(str(await store.get('a/data.bin', { offset: 8, length: 10 })), '89');
      assert.equal((await store.get('a/data.bin', { offset: 0, length: 0 }))?.length, 0);
    });

    it('reads a range into a buffer of the caller: a view of it holding the bytes; a range past the end stops at the end', async () => {
      await store.put('a/into.bin', text('0123456789'));
      const into = new Uint8Array(8).fill(120); // 'x'
      const got = await store.get('a/into.bin', { offset: 2, length: 5 }, into);
      assert.equal(str(got), '23456');
      assert.equal(got!.buffer, into.buffer, 'read into the given buffer');
      assert.equal(str(into), '23456xxx');
      assert.equal(str(await store.get('a/into.bin', { offset: 7, length: 5 }, into)), '789');
      assert.equal(await store.get('a/missing.bin', { offset: 0, length: 4 }, into), undefined);
      // a buffer too small is not written past its end: the bytes come in another array
      const small = new Uint8Array(2);
      assert.equal(str(await store.get('a/into.bin', { offset: 0, length: 4 }, small)), '0123');
      assert.deepEqual([...small], [0, 0]);
    });

    it('head and get of a missing key are undefined, also under a missing folder', async () => {
      assert.equal(await store.head('missing.json'), undefined);
      assert.equal(await store.get('missing.json'), undefined);
      assert.equal(await store.get('no/such/folder/x', { offset: 0, length: 4 }), undefined);
      await store.put('a/b', text('x'));
      assert.equal(await store.head('a'), undefined, 'a key prefix is not an object');
      assert.equal(await store.get('a'), undefined);
    });

    it('head gives the size and time of an object', async () => {
      await store.put('k', text('12345'));
      const info = await store.head('k');
      assert.equal(info?.key, 'k');
      assert.equal(info?.size, 5);
      assert.ok(Math.abs(info!.lastModified - Date.now()) < 60_000);
    });

    it('put replaces an object whole', async () => {
      await store.put('k', text('a long first body'));
      await store.put('k', text('short'));
      assert.equal(str(await store.get('k')), 'short');
      assert.equal((await store.head('k'))?.size, 5);
    });

    it('putFile uploads a local file, replacing the object whole, and leaves the file', async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'store-contract-'));
      try {
        const file = path.join(dir, 'upload.bin');
        await fs.writeFile(file, 'uploaded bytes');
        await store.put('up/k', text('older, longer bytes than the upload'));
        assert.equal(await store.putFile('up/k', file), true);
        assert.equal(str(await store.get('up/k')), 'uploaded bytes');
        assert.equal(await fs.readFile(file, 'utf8'), 'uploaded bytes');
        // ifAbsent (a staged file of a fixed name): a new key is written, an existing one refused and left as it is
        await fs.writeFile(file, 'another upload');
        assert.equal(await store.putFile('up/k', file, { ifAbsent: true }), false);
        assert.equal(str(await store.get('up/k')), 'uploaded bytes');
        assert.equal(await store.putFile('up/new', file, { ifAbsent: true }), true);
        assert.equal(str(await store.get('up/new')), 'another upload');
        assert.deepEqual((await store.list('up/')).map((o) => o.key), ['up/k', 'up/new'], 'no temp objects left behind');
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    });

    it('putIfAbsent writes a new key and refuses an existing one, leaving it unchanged', async () => {
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', text('first')), true);
      assert.equal(await store.putIfAbsent('_delta_log/00000000000000000000.json', text('second')), false);
      assert.equal(str(await store.get('_delta_log/00000000000000000000.json')), 'first');
    });

    it('putIfAbsent: of writers racing for one key, exactly one wins and its bytes stay', async () => {
      for (let round = 0; round < 5; round++) {
        const key = `_delta_log/${String(round).padStart(20, '0')}.json`;
        const results = await Promise.all(Array.from({ length: 8 }, (_, w) => store.putIfAbsent(key, text(`writer ${w} `.repeat(1000)))));
        const winners = results.flatMap((won, w) => (won ? [w] : []));
        assert.equal(winners.length, 1, `round ${round}: ${winners.length} winners`);
        assert.equal(str(await store.get(key)), `writer ${winners[0]} `.repeat(1000));
      }
      assert.deepEqual((await store.list('_delta_log/')).length, 5, 'no temp objects left behind');
    });

    it('delete removes an object and is idempotent', async () => {
      await store.put('d/k', text('x'));
      await store.delete('d/k');
      assert.equal(await store.head('d/k'), undefined);
      await store.delete('d/k');
      await store.delete('never/existed');
      assert.deepEqual(await store.list('d/'), []);
    });
  });
}
