/**
 * Concurrency and crashes with real processes (test/delta/fixtures/writer.ts):
 *   - 8 writers appending and replacing disjoint partitions at once: every commit lands, versions contiguous,
 *     no file lost;
 *   - 2 writers replacing the same partition: one wins per version, the loser retries or fails with a
 *     retryable ConcurrentModification, the table stays consistent;
 *   - SIGKILL between writing data and committing, and during a commit (temp entry written, not yet linked):
 *     the table reads at the previous version and the next writer carries on.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createTable, openTable, parseActions, scanTable, vacuumTable } from '../../../delta';
import { SCHEMA } from '../fixtures/writer';
import { deltaRsRows, ourRows, rowDiff, tempDir } from '../helpers';

const WRITER = path.join(__dirname, '..', 'fixtures', 'writer.js');

interface Line { op: number; version?: number; skipped?: boolean; path: string; error?: string; code?: string; retryable?: boolean }

function start(spec: object): { child: ChildProcess; done: Promise<Line[]>; stdout: () => string } {
  const child = spawn(process.execPath, [WRITER, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<Line[]>((resolve, reject) => {
    child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
  return { child, done, stdout: () => out };
}

async function rowsByDay(table: string, version?: number): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for await (const b of scanTable(await openTable(table, { version }))) {
    for (let i = 0; i < b.numRows; i++) {
      const day = b.columns.day[i] as string;
      out.set(day, [...(out.get(day) ?? []), Number(b.columns.id[i])].sort((x, y) => x - y));
    }
  }
  return out;
}

async function logVersions(table: string): Promise<number[]> {
  return (await fs.readdir(path.join(table, '_delta_log'))).filter((n) => /^\d{20}\.json$/.test(n)).map((n) => Number(n.slice(0, 20))).sort((a, b) => a - b);
}

async function until(cond: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('delta concurrency and crashes (real processes)', function () {
  this.timeout(300_000);

  it('8 writers on disjoint partitions: every commit lands, versions contiguous, no file lost', async () => {
    const table = path.join(await tempDir(), 't');
    await createTable(table, { schema: SCHEMA, partitionColumns: ['day'] });
    const OPS = 5;
    const startAt = Date.now() + 2000;
    const writers = Array.from({ length: 8 }, (_, w) => start({
      table, writer: w, maxRetries: 200, startAt,
      // replace, append, append, replace, append: final content of day w = ids of ops 3 and 4
      ops: Array.from({ length: OPS }, (_, k) => ({ kind: k === 0 || k === 3 ? 'replace' : 'append', day: `2026-02-${String(w + 1).padStart(2, '0')}`, ids: [w * 1000 + k * 10, w * 1000 + k * 10 + 1] })),
    }));
    const results = await Promise.all(writers.map((w) => w.done));
    const all = results.flat();
    assert.equal(all.length, 8 * OPS);
    assert.deepEqual(all.filter((r) => r.error), []);
    const versions = all.map((r) => r.version!).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: 8 * OPS }, (_, i) => i + 1), 'one version per commit, contiguous');
    assert.deepEqual(await logVersions(table), Array.from({ length: 8 * OPS + 1 }, (_, i) => i));
    // each writer's versions increase in its own order
    for (const r of results) assert.deepEqual(r.map((x) => x.version), r.map((x) => x.version).slice().sort((a, b) => a! - b!));
    const byDay = await rowsByDay(table);
    for (let w = 0; w < 8; w++) {
      assert.deepEqual(byDay.get(`2026-02-${String(w + 1).padStart(2, '0')}`), [w * 1000 + 30, w * 1000 + 31, w * 1000 + 40, w * 1000 + 41]);
    }
    const s = await openTable(table);
    assert.equal(s.files().length, 16);
    assert.ok((await fs.readdir(path.join(table, '_delta_log'))).includes('00000000000000000040.checkpoint.parquet'));
    assert.equal(rowDiff((await ourRows(table)).rows!, deltaRsRows(table).rows!), undefined);
  });

  it('2 writers replacing the same partition: one wins per version, the other retries or fails retryably, table consistent', async () => {
    const table = path.join(await tempDir(), 't');
    await createTable(table, { schema: SCHEMA, partitionColumns: ['day'] });
    const N = 8;
    const startAt = Date.now() + 1500;
    const writers = [0, 1].map((w) => start({ table, writer: w, startAt, ops: Array.from({ length: N }, (_, k) => ({ kind: 'replace', day: '2026-03-01', ids: [w * 100 + k] })) }));
    const results = (await Promise.all(writers.map((w) => w.done))).flat();
    const ok = results.filter((r) => !r.error);
    const failed = results.filter((r) => r.error);
    for (const f of failed) {
      assert.equal(f.code, 'ConcurrentModification');
      assert.equal(f.retryable, true);
      assert.match(f.error!, /conflicts with this write/);
    }
    // every successful commit has its own version; versions are contiguous
    const versions = ok.map((r) => r.version!).sort((a, b) => a - b);
    assert.deepEqual(versions, Array.from({ length: ok.length }, (_, i) => i + 1));
    assert.deepEqual(await logVersions(table), Array.from({ length: ok.length + 1 }, (_, i) => i));
    // the partition holds exactly the file of the last successful replace
    const last = ok.find((r) => r.version === versions[versions.length - 1])!;
    const s = await openTable(table);
    assert.deepEqual(s.files().map((f) => f.path), [last.path]);
    assert.equal((await rowsByDay(table)).get('2026-03-01')!.length, 1);
    // and each version replaced exactly the previous version's file
    for (let v = 1; v <= s.version; v++) {
      const actions = parseActions(await fs.readFile(path.join(table, '_delta_log', `${String(v).padStart(20, '0')}.json`), 'utf8'), 'v');
      assert.equal(actions.filter((a) => a.add).length, 1);
      assert.equal(actions.filter((a) => a.remove).length, v === 1 ? 0 : 1);
    }
  });

  it('SIGKILL between writing the data file and committing: the table reads at the previous version', async () => {
    const table = path.join(await tempDir(), 't');
    const first = start({ table, writer: 0, ops: [{ kind: 'replace', day: '2026-04-01', ids: [1, 2, 3] }] });
    await first.done;
    const before = await rowsByDay(table);
    const victim = start({ table, writer: 1, pauseAfterStage: true, ops: [{ kind: 'replace', day: '2026-04-01', ids: [7, 8] }] });
    await until(() => victim.stdout().includes('STAGED'));
    const staged = victim.stdout().trim().split(' ')[1];
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.on('exit', r));
    assert.ok(await fs.stat(path.join(table, decodeURIComponent(staged))), 'the staged data file is on disk');
    const s = await openTable(table);
    assert.equal(s.version, 1);
    assert.deepEqual(await rowsByDay(table), before);
    assert.ok(!s.files().some((f) => f.path === staged));
    assert.equal(rowDiff((await ourRows(table)).rows!, deltaRsRows(table).rows!), undefined);
    // the orphan is what vacuum removes (retention 0 here; in production it must first grow old)
    const v = await vacuumTable(table, { retainHours: 0 });
    assert.ok(v.deleted.includes(path.join(table, decodeURIComponent(staged))));
    assert.deepEqual(await rowsByDay(table), before);
  });

  it('SIGKILL during a commit (temp entry written, not linked): previous version, no partial entry, next writer commits', async () => {
    const table = path.join(await tempDir(), 't');
    await start({ table, writer: 0, ops: [{ kind: 'replace', day: '2026-05-01', ids: [1] }] }).done;
    const log = path.join(table, '_delta_log');
    // a 200 MB commitInfo makes writing the temp entry take long enough to kill the writer inside the commit
    const victim = start({ table, writer: 1, commitInfoBytes: 200_000_000, ops: [{ kind: 'replace', day: '2026-05-01', ids: [2] }] });
    await until(async () => (await fs.readdir(log)).some((n) => n.endsWith('.tmp')));
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.on('exit', r));
    const names = await fs.readdir(log);
    assert.ok(names.some((n) => n.startsWith('.') && n.endsWith('.tmp')), 'killed with the temp entry half-written');
    assert.deepEqual(await logVersions(table), [0, 1], 'no version 2 entry, not even a partial one');
    assert.equal((await openTable(table)).version, 1);
    assert.deepEqual((await rowsByDay(table)).get('2026-05-01'), [1]);
    assert.equal(rowDiff((await ourRows(table)).rows!, deltaRsRows(table).rows!), undefined);
    const next = await start({ table, writer: 2, ops: [{ kind: 'replace', day: '2026-05-01', ids: [3] }] }).done;
    assert.equal(next[0].version, 2);
    assert.deepEqual((await rowsByDay(table)).get('2026-05-01'), [3]);
    // vacuum removes the dead temp entry (retention 0 here) and nothing else of the log
    const temps = (await fs.readdir(log)).filter((n) => n.endsWith('.tmp')).map((n) => path.join(log, n));
    const v = await vacuumTable(table, { retainHours: 0 });
    for (const t of temps) assert.ok(v.deleted.includes(t));
    assert.deepEqual((await fs.readdir(log)).filter((n) => n.endsWith('.tmp')), []);
    assert.deepEqual(await logVersions(table), [0, 1, 2]);
    assert.deepEqual((await rowsByDay(table)).get('2026-05-01'), [3]);
  });
});
