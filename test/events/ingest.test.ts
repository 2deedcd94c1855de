/**
 * `batch-score ingest` as a user runs it (the compiled CLI), checked with delta-rs: exact rows per event_date
 * partition from a plain and a gzip CSV, each class of malformed line in the quarantine table with its file and
 * line, a wrong header refused naming the file and columns, a re-ingest that adds nothing, a failure in the
 * second file of a run that publishes nothing from the first, and a file that changed between its digest and its
 * parse refused before any commit.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { generateEvents } from '../../demo';
import { openTable } from '../../delta';
import { BatchScoreError } from '../../errors';
import { EVENT_HEADER, ingestEvents } from '../../events';
import { batchScore, jsonLines, python, REPO_ROOT, tempDir } from '../support/processes';

const run = promisify(execFile);

/** The CLI's exit code and stderr when it fails (batchScore() throws for those). */
async function failing(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), ...args]);
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`batch-score ${args.join(' ')} succeeded`);
}

async function deltaRows(table: string, version?: number): Promise<Record<string, unknown>[]> {
  const rows = jsonLines(await python('delta/read_table.py', version === undefined ? [table] : [table, '--version', String(version)]));
  assert.ok(!rows.some((r) => 'error' in r), JSON.stringify(rows[0]));
  return rows;
}

function rowsPerDate(rows: Record<string, unknown>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.event_date as string] = (out[r.event_date as string] ?? 0) + 1;
  return out;
}

/** Rows per UTC day counted from the CSV text itself. */
function csvRowsPerDate(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.trim().split('\n').slice(1)) out[line.slice(0, 10)] = (out[line.slice(0, 10)] ?? 0) + 1;
  return out;
}

const GOOD = [
  '2019-10-01 00:00:00 UTC,view,44600062,2103807459595387724,,shiseido,35.79,541312140,72d76fde-8bb3-4e00-8c23-a032dfed738c',
  '2019-10-01 23:59:59 UTC,cart,3900821,2053013552326770905,appliances.environment.water_heater,aqua,33.20,554748717,9333dfbd-b87a-4708-9857-6336556b0fcc',
  '2019-10-02 00:00:00 UTC,purchase,17200506,,,,,519107250,',
  '2019-10-03 10:11:12 UTC,view,1,2053013552326770905,"kids.toys","lego, duplo",1.5,2,"s-""1"""',
];

describe('events: batch-score ingest into Bronze', function () {
  this.timeout(120_000);
  let dir: string;
  let data: string;
  let bronze: string;
  let quarantine: string;
  beforeEach(async () => {
    dir = await tempDir('ingest');
    data = path.join(dir, 'data');
    bronze = path.join(data, 'bronze', 'events');
    quarantine = path.join(data, 'bronze', 'events_quarantine');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('a small CSV: exact rows per event_date, nulls for empty fields, quotes read as RFC 4180', async () => {
    const file = path.join(dir, 'oct.csv');
    await fs.writeFile(file, `${EVENT_HEADER}\r\n${GOOD.join('\r\n')}\r\n`);
    const out = await batchScore(['ingest', file, '--data-dir', data]);
    assert.match(out, new RegExp(`^${file}: 4 rows ingested, 0 quarantined$`, 'm'));
    assert.match(out, new RegExp(`^Bronze ${bronze}: version 1, 4 rows appended in 3 file\\(s\\)`, 'm'));
    const rows = await deltaRows(bronze);
    assert.deepEqual(rowsPerDate(rows), { '2019-10-01': 2, '2019-10-02': 1, '2019-10-03': 1 });
    const byProduct = new Map(rows.map((r) => [r.product_id, r]));
    assert.deepEqual(byProduct.get(44600062), {
      event_time: '2019-10-01T00:00:00.000000Z', event_type: 'view', product_id: 44600062, category_id: 2103807459595387724,
      category_code: null, brand: 'shiseido', price: 35.79, user_id: 541312140, user_session: '72d76fde-8bb3-4e00-8c23-a032dfed738c',
      event_date: '2019-10-01',
    });
    assert.deepEqual(byProduct.get(17200506), {
      event_time: '2019-10-02T00:00:00.000000Z', event_type: 'purchase', product_id: 17200506, category_id: null,
      category_code: null, brand: null, price: null, user_id: 519107250, user_session: null, event_date: '2019-10-02',
    });
    assert.equal(byProduct.get(1)!.brand, 'lego, duplo');
    assert.equal(byProduct.get(1)!.user_session, 's-"1"');
    assert.equal(byProduct.get(3900821)!.event_time, '2019-10-01T23:59:59.000000Z');
  });

  it('a gzip file read as a stream, with a row budget smaller than the file: exact rows per date', async () => {
    const file = path.join(dir, 'events.csv.gz');
    const made = await generateEvents({ out: file, users: 300, seed: 4, from: '2026-11-01', to: '2026-11-10' });
    const expected = csvRowsPerDate(gunzipSync(await fs.readFile(file)).toString('utf8'));
    assert.equal(Object.keys(expected).length, 10);
    const out = await batchScore(['ingest', file, '--buffer-rows', '500', '--data-dir', data]);
    assert.match(out, new RegExp(`^${file}: ${made.events} rows ingested, 0 quarantined$`, 'm'));
    const files = Number(/appended in (\d+) file/.exec(out)![1]);
    assert.ok(files > 10, `the budget wrote dates out before the end: ${files} files for 10 dates`);
    const rows = await deltaRows(bronze);
    assert.equal(rows.length, made.events);
    assert.deepEqual(rowsPerDate(rows), expected);
    const types = rows.reduce<Record<string, number>>((n, r) => ({ ...n, [r.event_type as string]: (n[r.event_type as string] ?? 0) + 1 }), {});
    assert.deepEqual(types, { view: made.views, cart: made.carts, purchase: made.purchases });
  });

  it('every class of malformed line goes to quarantine with file, line and reason; the good lines to Bronze', async () => {
    const file = path.join(dir, 'bad.csv');
    const lines = [
      EVENT_HEADER,
      GOOD[0], // 2
      '2019-10-01 00:00:00 UTC,view,1,2,,,3.5,4', // 3: 8 columns
      '2019-10-01T00:00:00Z,view,1,2,,,3.5,4,s', // 4
      '2019-02-30 00:00:00 UTC,view,1,2,,,3.5,4,s', // 5
      '2019-10-01 00:00:00 UTC,remove_from_cart,1,2,,,3.5,4,s', // 6
      '2019-10-01 00:00:00 UTC,view,x1,2,,,3.5,4,s', // 7
      '2019-10-01 00:00:00 UTC,view,1,-2,,,3.5,4,s', // 8
      '2019-10-01 00:00:00 UTC,view,1,2,,,cheap,4,s', // 9
      '2019-10-01 00:00:00 UTC,view,1,2,,,3.5,,s', // 10
      '2019-10-01 00:00:00 UTC,view,1,2,,"open,3.5,4,s', // 11
      '2019-10-01 00:00:00 UTC,view,1,2,,"a"b,3.5,4,s', // 12
      '2019-10-01 00:00:00 UTC,view,1,2,,a"b,3.5,4,s', // 13
      '', // 14
      GOOD[2], // 15
    ];
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    // A budget of 5 rows: quarantined lines are written out in three files, all in the one commit.
    const out = await batchScore(['ingest', file, '--buffer-rows', '5', '--data-dir', data]);
    assert.match(out, new RegExp(`^${file}: 2 rows ingested, 12 quarantined$`, 'm'));
    assert.match(out, new RegExp(`^  ${file}:3: wrong column count: 8, expected 9$`, 'm'));
    assert.match(out, new RegExp(`^12 lines quarantined in ${quarantine} \\(version 1\\), first:$`, 'm'));
    assert.equal(out.split('\n').filter((l) => l.startsWith(`  ${file}:`)).length, 5, 'the first five reasons');
    assert.deepEqual(rowsPerDate(await deltaRows(bronze)), { '2019-10-01': 1, '2019-10-02': 1 });

    const q = (await deltaRows(quarantine)).sort((a, b) => (a.line_number as number) - (b.line_number as number));
    assert.deepEqual(q.map((r) => [r.line_number, r.reason]), [
      [3, 'wrong column count: 8, expected 9'],
      [4, 'bad event_time "2019-10-01T00:00:00Z": expected YYYY-MM-DD HH:MM:SS UTC'],
      [5, 'bad event_time "2019-02-30 00:00:00 UTC": not a calendar time'],
      [6, 'unknown event_type "remove_from_cart": expected view, cart, purchase'],
      [7, 'bad product_id "x1": expected a whole number'],
      [8, 'bad category_id "-2": expected a whole number or nothing'],
      [9, 'bad price "cheap": expected a number or nothing'],
      [10, 'bad user_id "": expected a whole number'],
      [11, 'quote error: unterminated quoted field in column 6'],
      [12, 'quote error: text after the closing quote in column 6'],
      [13, 'quote error: quote inside unquoted field in column 6'],
      [14, 'wrong column count: 1, expected 9'],
    ]);
    for (const r of q) {
      assert.equal(r.file, file);
      assert.equal(r.raw_line, lines[(r.line_number as number) - 1]);
      assert.match(r.file_sha256 as string, /^[0-9a-f]{64}$/);
      assert.match(r.ingested_at as string, /^\d{4}-\d{2}-\d{2}T/);
    }
  });

  it('a header that is not the events format is refused naming the file and the columns; nothing is created', async () => {
    const good = path.join(dir, 'good.csv');
    const bad = path.join(dir, 'other.csv.gz');
    await fs.writeFile(good, `${EVENT_HEADER}\n${GOOD[0]}\n`);
    await fs.writeFile(bad, gzipSync('event_time,event_type,product_id,category_id,category_code,brand,price,user_id,session_id\n'));
    const { code, stderr } = await failing(['ingest', good, bad, '--data-dir', data]);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`^batch-score ingest: ${bad}: the header is not the events format \\(missing user_session; unexpected session_id\\)`, 'm'));
    assert.ok(stderr.includes(`expected ${EVENT_HEADER}`));
    await assert.rejects(fs.access(bronze), 'no Bronze table is created');
  });

  it('ingesting the same content again (same file, a renamed copy, or twice in one run) adds no rows', async () => {
    const file = path.join(dir, 'oct.csv');
    const copy = path.join(dir, 'oct-copy.csv');
    await fs.writeFile(file, `${EVENT_HEADER}\n${GOOD.join('\n')}\n2019-10-05 00:00:00 UTC,view,1,2,,,x,4,s\n`);
    await fs.copyFile(file, copy);
    const first = await batchScore(['ingest', file, file, '--data-dir', data]);
    assert.match(first, new RegExp(`^${file}: 4 rows ingested, 1 quarantined\n${file}: skipped, same content as an earlier file of this run \\(sha256 [0-9a-f]{12}\\)$`, 'm'));
    assert.match(first, /^Bronze .*: version 1, 4 rows appended/m);

    const again = await batchScore(['ingest', file, copy, '--data-dir', data]);
    assert.match(again, new RegExp(`^${file}: skipped, already ingested \\(sha256 [0-9a-f]{12}\\)\n${copy}: skipped, already ingested`, 'm'));
    assert.match(again, new RegExp(`^Bronze ${bronze}: version 1, 0 rows appended in 0 file\\(s\\)`, 'm'));
    assert.equal((await deltaRows(bronze)).length, 4);
    assert.equal((await deltaRows(quarantine)).length, 1);
  });

  it('a run again after a Bronze commit that failed: the lines already quarantined are not quarantined twice', async () => {
    const file = path.join(dir, 'oct.csv');
    await fs.writeFile(file, `${EVENT_HEADER}\n${GOOD[0]}\nnot an event\n`);
    await batchScore(['ingest', file, '--data-dir', data]);
    // What a failure between the two commits leaves: the quarantine committed, Bronze not.
    await fs.rm(bronze, { recursive: true });
    const out = await batchScore(['ingest', file, '--data-dir', data]);
    assert.match(out, new RegExp(`^${file}: 1 row ingested, 1 quarantined$`, 'm'));
    assert.match(out, /^1 line quarantined in .* \(version 1\)/m, 'no empty quarantine commit');
    assert.match(out, new RegExp(`^Bronze ${bronze}: version 1, 1 row appended in 1 file\\(s\\)`, 'm'));
    assert.equal((await deltaRows(bronze)).length, 1);
    assert.deepEqual((await deltaRows(quarantine)).map((r) => [r.line_number, r.reason]), [[3, 'wrong column count: 1, expected 9']]);
  });

  it('two ingests of the same file at once: one publishes it, the other fails ConcurrentModification and leaves no file behind', async () => {
    const file = path.join(dir, 'oct.csv');
    await fs.writeFile(file, `${EVENT_HEADER}\n${`${GOOD.join('\n')}\n`.repeat(500)}not an event\n`);
    const ingest = () => ingestEvents({ bronzePath: bronze, quarantinePath: quarantine, files: [file], bufferRows: 300 });
    // Both read Bronze before either commits (neither skips the file): the second to commit loses the race.
    const [a, b] = await Promise.allSettled([ingest(), ingest()]);
    const won = [a, b].filter((r) => r.status === 'fulfilled');
    const lost = [a, b].flatMap((r) => (r.status === 'rejected' ? [r.reason as BatchScoreError] : []));
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.equal(lost[0].code, 'ConcurrentModification');
    assert.match(lost[0].message, new RegExp(`^${bronze}: another ingest committed ${file} \\(sha256 [0-9a-f]{64}\\) while this one ran; no events were published`));
    assert.equal((await deltaRows(bronze)).length, 2000, 'the file once');
    assert.deepEqual((await deltaRows(quarantine)).map((r) => r.line_number), [2002], 'its bad line once');
    // Every Parquet file in Bronze and in the quarantine is one its log references: the loser's staged files are gone.
    for (const table of [bronze, quarantine]) {
      const onDisk = (await fs.readdir(table, { recursive: true })).filter((f) => f.endsWith('.parquet')).sort();
      const referenced = (await openTable(table)).files().map((f) => decodeURIComponent(f.path)).sort();
      assert.deepEqual(onDisk, referenced, table);
    }
  });

  it('a file that fails mid-run publishes nothing, not even the files read before it', async () => {
    const first = path.join(dir, 'a.csv');
    const broken = path.join(dir, 'b.csv.gz');
    await fs.writeFile(first, `${EVENT_HEADER}\n${GOOD.join('\n')}\n`);
    await batchScore(['ingest', first, '--data-dir', data]);
    const second = path.join(dir, 'c.csv');
    // c.csv has a bad line too: its quarantine file is staged before b.csv.gz fails.
    await fs.writeFile(second, `${EVENT_HEADER}\n${GOOD[1].replace('2019-10-01', '2019-10-09')}\nnot an event\n`);
    const whole = gzipSync(`${EVENT_HEADER}\n${`${GOOD.join('\n')}\n`.repeat(50)}`);
    await fs.writeFile(broken, whole.subarray(0, whole.length - 20)); // header readable, the stream cut short
    const parquetIn = async (table: string) => (await fs.readdir(table, { recursive: true })).filter((f) => f.endsWith('.parquet')).sort();
    const before = await parquetIn(bronze);
    const quarantinedBefore = await parquetIn(quarantine).catch(() => []);
    // A budget of one row: c.csv's row is written out as a staged file before b.csv.gz fails.
    const { code, stderr } = await failing(['ingest', second, broken, '--buffer-rows', '1', '--data-dir', data]);
    assert.equal(code, 1);
    assert.deepEqual(await parquetIn(bronze), before, 'the files the failed run staged are removed');
    assert.deepEqual(await parquetIn(quarantine).catch(() => []), quarantinedBefore, 'its staged quarantine files too');
    assert.match(stderr, new RegExp(`^batch-score ingest: cannot read ${broken} after line \\d+: unexpected end of file`, 'm'));
    const size = (await fs.stat(second)).size;
    const total = size + (await fs.stat(broken)).size;
    assert.match(stderr, new RegExp(`^progress ingest: reading ${second}, ${size.toLocaleString('en-US')}/${total.toLocaleString('en-US')} bytes$`, 'm'), 'progress in bytes read');
    const rows = await deltaRows(bronze);
    assert.equal(rows.length, 4, 'version 1 only: c.csv read before the failure is not published');
    assert.ok(!rows.some((r) => r.event_date === '2019-10-09'));
  });

  it('a file that changes after its digest (still being written) fails naming it, publishes nothing, and goes in once when complete', async () => {
    const earlier = path.join(dir, 'earlier.csv');
    await fs.writeFile(earlier, `${EVENT_HEADER}\n${GOOD[0]}\n`);
    await batchScore(['ingest', earlier, '--data-dir', data]);
    const logs = async () => [await fs.readdir(path.join(bronze, '_delta_log')), await fs.readdir(path.join(quarantine, '_delta_log'))];
    const logsBefore = await logs();

    const growing = path.join(dir, 'growing.csv');
    const next = path.join(dir, 'next.csv');
    await fs.writeFile(growing, `${EVENT_HEADER}\n${GOOD[1]}\nnot an event\n`);
    await fs.writeFile(next, `${EVENT_HEADER}\n${GOOD[3]}\n`);
    // The digests are taken file after file: once next.csv's is under way, growing.csv's is done, and its
    // parse, which comes after every digest, reads the line appended here.
    let appended = false;
    const progress = (stage: string) => {
      if (stage !== `checking ${next}` || appended) return;
      appendFileSync(growing, `${GOOD[2]}\n`);
      appended = true;
    };
    await assert.rejects(ingestEvents({ bronzePath: bronze, quarantinePath: quarantine, files: [growing, next], progress }), (err: BatchScoreError) => {
      assert.equal(err.code, 'EventsFileChanged');
      assert.match(err.message, /^.* changed while it was read \(sha256 [0-9a-f]{12} when checked, [0-9a-f]{12} when parsed\); nothing was published: ingest it once it is complete$/);
      assert.ok(err.message.startsWith(`${growing} changed`), err.message);
      return true;
    });
    assert.ok(appended, 'the file was appended to between its digest and its parse');
    assert.deepEqual(await logs(), logsBefore, 'no commit to Bronze or the quarantine');
    assert.equal((await deltaRows(bronze)).length, 1);

    // Complete now: ingested once, with the appended line.
    const out = await batchScore(['ingest', growing, next, '--data-dir', data]);
    assert.match(out, new RegExp(`^${growing}: 2 rows ingested, 1 quarantined\n${next}: 1 row ingested, 0 quarantined$`, 'm'));
    assert.match(out, new RegExp(`^Bronze ${bronze}: version 2, 3 rows appended`, 'm'));
    assert.deepEqual(rowsPerDate(await deltaRows(bronze)), { '2019-10-01': 2, '2019-10-02': 1, '2019-10-03': 1 });
  });
});
