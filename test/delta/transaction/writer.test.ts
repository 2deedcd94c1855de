/**
 * Writer depth: conflict checking after a lost race (winners injected between our read and our commit),
 * retry bound, put-if-absent, vacuum, history and the `delta` CLI verbs.
 */
import * as assert from 'node:assert/strict';
import * as fsSync from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  Action, AddFile, DeltaError, PlannedCommit, Snapshot, StructType, appendFiles, commitWithRetry, createTable, findConflict, logStore,
  openTable, planAppend, planOverwrite, planReplacePartition, replacePartition, scanTable, serializeActions, vacuumTable, writeDataFile,
} from '../../../delta';
import { cli, deltaRsRows, ourRows, rowDiff, tempDir } from '../helpers';

const f = (name: string, type: string, nullable = true) => ({ name, type, nullable, metadata: {} });
const SCHEMA: StructType = { type: 'struct', fields: [f('id', 'long', false), f('day', 'date')] };
const commitName = (v: number) => `${String(v).padStart(20, '0')}.json`;

async function file(table: string, day: string, ids: (number | bigint)[]): Promise<AddFile> {
  return writeDataFile(table, { schema: SCHEMA, partitionColumns: ['day'], partitionValues: { day }, batch: { numRows: ids.length, columns: { id: ids.map((x) => BigInt(x)) } } });
}

async function ids(table: string): Promise<number[]> {
  const out: number[] = [];
  for await (const b of scanTable(await openTable(table))) for (const x of Array.from(b.columns.id)) out.push(Number(x));
  return out.sort((a, b) => a - b);
}

/** Writes `winner` as the next commit (synchronously, from inside a plan) the first `times` times it is called. */
function injectWinner(table: string, winner: (s: Snapshot) => Action[], times = 1): (s: Snapshot) => void {
  let n = 0;
  return (s) => {
    if (n++ >= times) return;
    fsSync.writeFileSync(path.join(table, '_delta_log', commitName(s.version + 1)), serializeActions([{ commitInfo: { operation: 'WRITE' } }, ...winner(s)]), { flag: 'wx' });
  };
}

describe('delta writer: conflicts after a lost race', function () {
  this.timeout(60_000);
  let table: string;
  let d1: AddFile;
  let d2: AddFile;
  beforeEach(async () => {
    table = path.join(await tempDir(), 't');
    await createTable(table, { schema: SCHEMA, partitionColumns: ['day'] });
    d1 = await file(table, '2026-01-01', [1]);
    d2 = await file(table, '2026-01-02', [2]);
    await appendFiles(table, [d1, d2]);
  });

  const race = (winner: (s: Snapshot) => Action[], plan: (s: Snapshot) => PlannedCommit, opts = {}) => {
    const inject = injectWinner(table, winner);
    return commitWithRetry(table, (s) => { inject(s); return plan(s); }, opts);
  };

  it('replacePartition D conflicts with a winner that added files in D (retryable ConcurrentModification)', async () => {
    const mine = await file(table, '2026-01-01', [10]);
    const theirs = await file(table, '2026-01-01', [11]);
    await assert.rejects(race(() => [{ add: theirs }], (s) => planReplacePartition(s, { day: '2026-01-01' }, [mine])),
      (e: DeltaError) => e.code === 'ConcurrentModification' && e.retryable && /commit 2 conflicts/.test(e.message) && e.message.includes(theirs.path));
    assert.equal((await openTable(table)).version, 2);
    assert.deepEqual(await ids(table), [1, 2, 11]);
  });

  it('replacePartition D conflicts with a winner that removed files in D', async () => {
    const mine = await file(table, '2026-01-01', [10]);
    await assert.rejects(race(() => [{ remove: { path: d1.path, dataChange: true, partitionValues: d1.partitionValues } }], (s) => planReplacePartition(s, { day: '2026-01-01' }, [mine])),
      (e: DeltaError) => e.code === 'ConcurrentModification');
  });

  it('replacePartition D and a winner on partition E both commit', async () => {
    const mine = await file(table, '2026-01-01', [10]);
    const theirs = await file(table, '2026-01-02', [20]);
    const r = await race(() => [{ remove: { path: d2.path, dataChange: true, partitionValues: d2.partitionValues } }, { add: theirs }], (s) => planReplacePartition(s, { day: '2026-01-01' }, [mine]));
    assert.deepEqual(r, { version: 3, skipped: false });
    assert.deepEqual(await ids(table), [10, 20]);
    const info = JSON.parse((await fs.readFile(path.join(table, '_delta_log', commitName(3)), 'utf8')).split('\n')[0]).commitInfo;
    assert.equal(info.readVersion, 2); // re-planned at the new head
  });

  it('appends never conflict with appends', async () => {
    const r = await race(() => [{ add: d1 }], (s) => planAppend(s, [d2]));
    assert.deepEqual(r, { version: 3, skipped: false });
  });

  it('a winner that changed metaData or protocol always conflicts, even for appends', async () => {
    const s0 = await openTable(table);
    await assert.rejects(race(() => [{ metaData: { ...s0.metadata, configuration: { x: '1' } } }], (s) => planAppend(s, [d2])), (e: DeltaError) => e.code === 'ConcurrentModification' && /metadata/.test(e.message));
    await assert.rejects(race(() => [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }], (s) => planAppend(s, [d2])), (e: DeltaError) => e.code === 'ConcurrentModification' && /protocol/.test(e.message));
  });

  it('a full overwrite conflicts with any winner that added files', async () => {
    await assert.rejects(race(() => [{ add: d1 }], (s) => planOverwrite(s, [])), (e: DeltaError) => e.code === 'ConcurrentModification');
  });

  it('same txn appId: a winner with our version means our write is already there (skipped); an older one conflicts', async () => {
    const mine = await file(table, '2026-01-01', [10]);
    const r = await race(() => [{ txn: { appId: 'wf', version: 5 } }, { add: mine }], (s) => planReplacePartition(s, { day: '2026-01-01' }, [mine]), { txn: { appId: 'wf', version: 5 } });
    assert.deepEqual(r, { version: 2, skipped: true });
    await assert.rejects(race(() => [{ txn: { appId: 'wf2', version: 1 } }], (s) => planAppend(s, [mine]), { txn: { appId: 'wf2', version: 2 } }),
      (e: DeltaError) => e.code === 'ConcurrentModification' && /same txn appId wf2/.test(e.message));
  });

  it('gives up after maxRetries lost races with a retryable ConcurrentModification', async () => {
    const inject = injectWinner(table, () => [{ add: d1 }], 100);
    await assert.rejects(commitWithRetry(table, (s) => { inject(s); return planAppend(s, [d2]); }, { maxRetries: 3 }),
      (e: DeltaError) => e.code === 'ConcurrentModification' && e.retryable && /gave up after 4 attempts/.test(e.message));
    assert.equal((await openTable(table)).version, 5); // version 1 + the 4 winners, none of ours
  });

  it('put-if-absent never overwrites an existing log entry', async () => {
    const store = logStore(table);
    const before = await fs.readFile(path.join(table, '_delta_log', commitName(1)), 'utf8');
    assert.equal(await store.putIfAbsent(commitName(1), 'garbage\n'), false);
    assert.equal(await fs.readFile(path.join(table, '_delta_log', commitName(1)), 'utf8'), before);
    assert.deepEqual((await fs.readdir(path.join(table, '_delta_log'))).filter((n) => n.endsWith('.tmp')), []);
  });

  it('findConflict: a remove without partitionValues is assumed to touch our partition', () => {
    const matches = (v: Record<string, string | null>) => v.day === '2026-01-01';
    assert.equal(findConflict([{ remove: { path: 'x', dataChange: true } }], { kind: 'partition', partition: { day: '2026-01-01' }, matches }, undefined)?.reason, 'files');
    assert.equal(findConflict([{ add: { ...d2 } }], { kind: 'partition', partition: { day: '2026-01-01' }, matches }, undefined), undefined);
    assert.equal(findConflict([{ add: { ...d1, dataChange: false } }], { kind: 'table' }, undefined), undefined);
  });
});

describe('delta vacuum and history', function () {
  this.timeout(60_000);

  it('removes unreferenced old files (staged files of failed runs, old tombstones), keeps recent and live ones', async () => {
    const table = path.join(await tempDir(), 't');
    await createTable(table, { schema: SCHEMA, partitionColumns: ['day'] });
    const old = await file(table, '2026-01-01', [1]);
    await appendFiles(table, [old]);
    const live = await file(table, '2026-01-01', [2]);
    await replacePartition(table, { day: '2026-01-01' }, [live]); // `old` becomes a tombstone
    const failedRun = await file(table, '2026-01-02', [3]); // staged, never committed
    const inFlight = await file(table, '2026-01-02', [4]); // staged a moment ago by a running unit
    const tempOfCrash = path.join(table, 'day=2026-01-02', '.part-x.snappy.parquet.1234.tmp');
    await fs.writeFile(tempOfCrash, 'half');
    const now = Date.now();
    const twoDaysAgo = new Date(now - 48 * 3600_000);
    for (const p of [old.path, failedRun.path, live.path]) await fs.utimes(path.join(table, p), twoDaysAgo, twoDaysAgo);
    await fs.utimes(tempOfCrash, twoDaysAgo, twoDaysAgo);

    // the tombstone is recent (removed just now): with 24h retention `old` stays for time travel
    const dry = await vacuumTable(table, { retainHours: 24, dryRun: true });
    assert.deepEqual(dry.deleted, [path.join(table, failedRun.path), tempOfCrash].sort());
    assert.ok(await fs.stat(path.join(table, failedRun.path)));
    const r = await vacuumTable(table, { retainHours: 24 });
    assert.deepEqual(r.deleted, dry.deleted);
    await assert.rejects(fs.stat(path.join(table, failedRun.path)));
    assert.ok(await fs.stat(path.join(table, inFlight.path)));
    assert.ok(await fs.stat(path.join(table, old.path)));
    assert.deepEqual(await ids(table), [2]);
    assert.deepEqual(await ids(table).then(() => openTable(table, { version: 1 })).then((s) => s.files().map((x) => x.path)), [old.path]);

    // later, with the tombstone beyond retention: `old` goes too; the log is never touched
    const logBefore = (await fs.readdir(path.join(table, '_delta_log'))).sort();
    const later = await vacuumTable(table, { retainHours: 1, now: now + 3 * 3600_000 });
    assert.ok(later.deleted.includes(path.join(table, old.path)));
    assert.ok(later.deleted.includes(path.join(table, inFlight.path)));
    assert.ok(!later.deleted.includes(path.join(table, live.path)));
    assert.deepEqual((await fs.readdir(path.join(table, '_delta_log'))).sort(), logBefore);
    assert.deepEqual(await ids(table), [2]);
    const theirs = deltaRsRows(table);
    assert.equal(rowDiff((await ourRows(table)).rows!, theirs.rows!), undefined);
  });

  it('delta CLI: show --json, history --json, read --json, vacuum --dry-run --json, --help, errors', async () => {
    const table = path.join(await tempDir(), 't');
    await createTable(table, { schema: SCHEMA, partitionColumns: ['day'], name: 'demo' });
    await appendFiles(table, [await file(table, '2026-01-01', [1, 2, 3])]);
    await replacePartition(table, { day: '2026-01-01' }, [await file(table, '2026-01-01', [4, 9007199254740993n])]);

    const show = await cli(['show', table, '--json']);
    assert.equal(show.code, 0);
    const info = JSON.parse(show.out);
    assert.equal(info.version, 2);
    assert.equal(info.numFiles, 1);
    assert.equal(info.numRows, 2);
    assert.deepEqual(info.partitionColumns, ['day']);
    assert.deepEqual(info.schema, SCHEMA);
    assert.equal(JSON.parse((await cli(['show', table, '--json', '--version', '1'])).out).numRows, 3);

    const hist = (await cli(['history', table, '--json'])).out.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(hist.map((h) => [h.version, h.operation, h.operationParameters?.mode]), [[2, 'WRITE', 'Overwrite'], [1, 'WRITE', 'Append'], [0, 'CREATE TABLE', undefined]]);
    assert.equal(hist[0].operationParameters.predicate, "day = '2026-01-01'");

    const read = await cli(['read', table, '--json']);
    assert.equal(read.out, '{"id":4,"day":"2026-01-01"}\n{"id":9007199254740993,"day":"2026-01-01"}\n');
    assert.equal((await cli(['read', table, '--json', '--version', '1', '--limit', '2', '--columns', 'id'])).out, '{"id":1}\n{"id":2}\n');

    const vac = JSON.parse((await cli(['vacuum', table, '--dry-run', '--retain-hours', '0', '--json'])).out);
    assert.equal(vac.dryRun, true);
    assert.equal(vac.deleted.length, 1); // the file replaced at version 2

    for (const verb of ['show', 'history', 'read', 'vacuum']) {
      const h = await cli([verb, '--help']);
      assert.equal(h.code, 0);
      assert.match(h.out, new RegExp(`Usage: batch-score delta ${verb} TABLE`));
    }
    const missing = await cli(['read', path.join(table, 'nope'), '--json']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no Delta table at .*nope.*\[TableNotFound\]/);
    assert.equal((await cli(['read', table, '--version', 'x'])).code, 2);
    assert.equal((await cli(['frobnicate', table])).code, 2);
  });
});
