import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { featuresCommand } from '../../cli/features';
import { dataLayout } from '../../config';
import { openTable, scanTable } from '../../delta';
import { generateSilver } from '../../demo';
import { BronzeEvent, commitBronze, python, writeBronzeEvents, writeBronzeFile } from '../../devkit';
import { USER_FEATURES_SCHEMA } from '../../features';
import { benchBronze } from '../../bench/features/bronze';
import { cli } from '../cli/cli-world';
import { jsonLines, tempDir } from '../support/processes';

/**
 * A hand-made Bronze around D = 2026-11-23 (D-7d = 11-16, D-30d = 10-24, label window [11-23, 11-30)), with
 * each user's expected features worked out by hand below.
 */
const D = '2026-11-23';
const ev = (userId: number, time: string, type: BronzeEvent['type'], productId: number, price: number | null, session: string | null): BronzeEvent =>
  ({ userId, time, type, productId, price, session, brand: null, categoryCode: null, categoryId: 7 });

/**
 * User 8 views once a day from Bronze's first event date (10-01) to D+6: every event date of every window has
 * a file, as the features' gap check requires (a missing day refuses the date).
 */
const dayFill = (from: string, days: number): BronzeEvent[] =>
  Array.from({ length: days }, (_, i) => ev(8, `${new Date(Date.parse(from) + i * 86_400_000).toISOString().slice(0, 10)} 12:00:00`, 'view', 80, null, null));
const FILL_BEFORE_D = dayFill('2026-10-01', 53); // 10-01 .. 11-22
const FILL_FROM_D = dayFill(D, 7); // 11-23 .. 11-29
const dropDays = (events: BronzeEvent[], ...days: string[]) => events.filter((e) => !days.some((d) => String(e.time).startsWith(d)));

const BEFORE_D: BronzeEvent[] = [
  ...FILL_BEFORE_D,
  // user 1: the window edges.
  ev(1, '2026-10-23 23:59:59.999999', 'view', 11, 100, 's1z'), // before D-30d: only its time counts (none here, newer events exist)
  ev(1, '2026-10-24 00:00:00', 'view', 10, 5, 's1a'), // exactly D-30d: in the 30 days
  ev(1, '2026-11-15 23:59:59.999999', 'cart', 12, 20, 's1b'), // just before D-7d: 30 days only
  ev(1, '2026-11-16 00:00:00', 'view', 12, 20, 's1b'), // exactly D-7d: in the 7 days
  ev(1, '2026-11-22 23:59:59.999999', 'purchase', 12, 20, 's1c'), // the last event before D
  // user 2: only an old event (53 days before D), no price, no session.
  ev(2, '2026-10-01 12:00:00', 'view', 20, null, null),
  // user 4: a null price and a null session are not counted; carts and views in the 7 days.
  ev(4, '2026-11-20 10:00:00', 'view', 40, null, null),
  ev(4, '2026-11-20 11:00:00', 'view', 41, 10, 'x'),
  ev(4, '2026-11-20 11:05:00', 'cart', 41, 10, 'x'),
  // user 5: a cart without views (ratio 0).
  ev(5, '2026-11-01 08:00:00', 'cart', 50, 3.5, 'c'),
];

const FROM_D: BronzeEvent[] = [
  ...FILL_FROM_D,
  ev(1, '2026-11-23 00:00:00', 'purchase', 13, 999, 's1d'), // exactly D: a label, never a feature
  ev(2, '2026-11-30 00:00:00', 'purchase', 20, 15, 's2'), // exactly D+7: outside the label window
  ev(3, '2026-11-23 00:00:00', 'view', 30, 9, 's3'), // user 3 has events only from D on: no row
  ev(3, '2026-11-25 09:00:00', 'purchase', 30, 9, 's3'),
  ev(4, '2026-11-29 23:59:59.999999', 'purchase', 41, 10, 'y'), // the last instant of the label window
];

const COLUMNS = USER_FEATURES_SCHEMA.fields.map((f) => f.name);
// user_id, views 7d/30d, carts 7d/30d, purchases 7d/30d, sessions, products, spend, avg price, days since, ratio, date
const EXPECTED_FEATURES = [
  [1n, 1, 2, 0, 1, 1, 1, 3, 2, 20, (5 + 20 + 20 + 20) / 4, 1, 1 / 2, D],
  [2n, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 53, 0, D],
  [4n, 2, 2, 1, 1, 0, 0, 1, 2, 0, 10, 3, 1 / 2, D],
  [5n, 0, 0, 0, 1, 0, 0, 1, 1, 0, 3.5, 22, 0, D],
  [8n, 7, 30, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, D],
];
const EXPECTED_LABELS = [[1n, true, D], [2n, false, D], [4n, true, D], [5n, false, D], [8n, false, D]];

async function rowsOf(table: string, date: string): Promise<unknown[][]> {
  const snapshot = await openTable(table);
  const names = snapshot.schema.fields.map((f) => f.name);
  const out: unknown[][] = [];
  for await (const b of scanTable(snapshot, { partition: { snapshot_date: date } })) {
    for (let i = 0; i < b.numRows; i++) out.push(names.map((n) => b.columns[n][i]));
  }
  return out.sort((a, b) => (BigInt(a[0] as bigint) < BigInt(b[0] as bigint) ? -1 : 1));
}

/** Runs the command in-process, capturing what it prints. */
async function features(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await featuresCommand(args), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

describe('features: point-in-time Silver from Bronze events', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => (dir = await tempDir('features')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  async function lake(name: string, events: BronzeEvent[]) {
    const layout = dataLayout(path.join(dir, name));
    await writeBronzeEvents(layout.bronzeEvents, events);
    return layout;
  }

  it('computes every feature by hand, with the 7- and 30-day edges, and labels from D on only', async () => {
    const layout = await lake('hand', [...BEFORE_D, ...FROM_D]);
    const run = await features(['--date', D, '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    assert.equal(run.out, [
      `features ${D}: 5 users from 38 events in the 30 days before it → ${layout.silverFeatures} version 1`,
      `labels ${D}: 5 users, 2 purchased in the next 7 days → ${layout.silverLabels} version 1`,
    ].join('\n'));
    const snapshot = await openTable(layout.silverFeatures);
    assert.deepEqual(snapshot.schema, USER_FEATURES_SCHEMA);
    assert.deepEqual(snapshot.schema.fields.map((f) => f.name), COLUMNS);
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
    assert.deepEqual(await rowsOf(layout.silverLabels, D), EXPECTED_LABELS);

    // delta-rs reads the same partition, with the exact row count.
    const theirs = jsonLines(await python('delta/read_table.py', [layout.silverFeatures]));
    assert.equal(theirs.length, 5);
    assert.deepEqual(theirs.find((r) => r.user_id === 1), {
      user_id: 1, views_7d: 1, views_30d: 2, carts_7d: 0, carts_30d: 1, purchases_7d: 1, purchases_30d: 1, sessions_30d: 3,
      distinct_products_30d: 2, spend_30d: 20, avg_price_30d: 16.25, days_since_last_event: 1, cart_to_view_ratio: 0.5, snapshot_date: D,
    });
    assert.equal(jsonLines(await python('delta/read_table.py', [layout.silverLabels])).length, 5);

    // Rerunning the date replaces the partition in one commit with the same rows.
    const again = await features(['--date', D, '--data-dir', layout.root]);
    assert.match(again.out, new RegExp(`^features ${D}: 5 users .* version 2$`, 'm'));
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
    assert.equal((await openTable(layout.silverFeatures)).numRecords({ snapshot_date: D }), 5);
    assert.deepEqual(await rowsOf(layout.silverLabels, D), EXPECTED_LABELS);

    // Smaller files (the memory bound of the write): the same rows, in files of at most 3 users.
    assert.equal((await features(['--date', D, '--data-dir', layout.root, '--file-rows', '3'])).code, 0);
    const files = (await openTable(layout.silverFeatures)).files({ snapshot_date: D });
    assert.deepEqual(files.map((f) => JSON.parse(f.stats!).numRecords).sort(), [2, 3]);
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
  });

  it('no feature leaks the label: changing events on or after D changes no feature', async () => {
    const other: BronzeEvent[] = [
      ev(2, '2026-11-23 00:00:00', 'purchase', 21, 500, 'late'), // user 2 now buys at D
      ev(5, '2026-11-24 10:00:00', 'view', 51, 1, 'late'),
      ev(6, '2026-11-23 00:00:00', 'cart', 60, 2, 'new'), // a new user from D on
      ev(9, '2026-12-20 00:00:00', 'view', 90, 2, 'far'),
    ];
    const a = await lake('leak-a', [...BEFORE_D, ...FROM_D]);
    const b = await lake('leak-b', [...BEFORE_D, ...other, ...FILL_FROM_D]);
    for (const l of [a, b]) assert.equal((await features(['--date', D, '--data-dir', l.root])).code, 0);
    assert.deepEqual(await rowsOf(b.silverFeatures, D), await rowsOf(a.silverFeatures, D));
    assert.deepEqual(await rowsOf(b.silverFeatures, D), EXPECTED_FEATURES);
    assert.deepEqual(await rowsOf(b.silverLabels, D), [[1n, false, D], [2n, true, D], [4n, false, D], [5n, false, D], [8n, false, D]]);

    // Rows filed under the wrong event_date (a Bronze written by another tool) cannot cross D either: the
    // time conditions hold on event_time, not only on the partitions.
    const misfiled = await writeBronzeFile(b.bronzeEvents, '2026-11-22', [
      ev(1, '2026-11-23 00:00:00', 'view', 14, 1, 'm'),
      ev(7, '2026-11-23 00:00:00', 'view', 70, 1, 'm'),
    ]);
    await commitBronze(b.bronzeEvents, [misfiled]);
    assert.equal((await features(['--date', D, '--data-dir', b.root])).code, 0);
    assert.deepEqual(await rowsOf(b.silverFeatures, D), EXPECTED_FEATURES);
  });

  it('writes no labels, saying why, while Bronze does not cover the label week', async () => {
    const layout = await lake('short', BEFORE_D); // last event date 2026-11-22
    const run = await features(['--date', D, '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    assert.equal(run.out.split('\n')[1],
      `labels ${D}: not written: the label window [${D}, 2026-11-30) needs events through 2026-11-29, and Bronze's last event date is 2026-11-22: ` +
        'run features for this date again once Bronze covers it');
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
    assert.equal(await fs.stat(layout.silverLabels).catch(() => undefined), undefined, 'no labels table');
  });

  it('builds a range, one partition per date in one commit each', async () => {
    const layout = await lake('range', [...BEFORE_D, ...FROM_D]);
    const run = await features(['--from', '2026-11-09', '--to', D, '--every', '7d', '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    const snapshot = await openTable(layout.silverFeatures);
    assert.equal(snapshot.version, 3);
    // 11-09: users 1 (10-23, 10-24), 2, 5, 8; 11-16: 1, 2, 5, 8; 11-23: 1, 2, 4, 5, 8.
    assert.deepEqual(['2026-11-09', '2026-11-16', D].map((d) => snapshot.numRecords({ snapshot_date: d })), [4, 4, 5]);
    assert.deepEqual([...new Set(snapshot.files().map((f) => f.partitionValues.snapshot_date))].sort(), ['2026-11-09', '2026-11-16', D]);
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
    // On 11-16 the 30 days start 10-17, so user 1's view of 10-23 counts; the last event is the cart of 11-15.
    const u1 = (await rowsOf(layout.silverFeatures, '2026-11-16'))[0];
    assert.deepEqual(u1, [1n, 0, 2, 1, 1, 0, 0, 3, 3, 0, (100 + 5 + 20) / 3, 1, 1 / 2, '2026-11-16']);
    assert.deepEqual((await openTable(layout.silverLabels)).numRecords({ snapshot_date: '2026-11-16' }), 4);
  });

  it("refuses a Silver table of another schema (the demo's) naming it and the columns, and leaves it as it was", async () => {
    const layout = await lake('clash', [...BEFORE_D, ...FROM_D]);
    await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users: 100, seed: 1, snapshotDate: D });
    const before = await openTable(layout.silverFeatures);
    await assert.rejects(features(['--date', D, '--data-dir', layout.root]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SilverSchemaMismatch');
      assert.equal(err.message,
        `Silver table ${layout.silverFeatures} exists with another schema than batch-score features writes (it lacks views_7d, views_30d, ` +
          'carts_7d, carts_30d, purchases_7d, purchases_30d, distinct_products_30d, spend_30d, avg_price_30d, days_since_last_event, ' +
          'cart_to_view_ratio; it has page_views_30d, cart_adds_30d, purchases_90d, days_since_last_visit, avg_session_minutes, ' +
          'email_opens_30d, discount_usage_rate, wishlist_items, account_age_days, which features does not write; sessions_30d is ' +
          'nullable, features writes it not null); it is never overwritten: pass another --data-dir (or BATCH_SCORE_DATA), or move that table away');
      return true;
    });
    const after = await openTable(layout.silverFeatures);
    assert.equal(after.version, before.version);
    assert.equal(after.numRecords({ snapshot_date: D }), 100);
  });

  it('refuses a date before any Bronze event, and a data root without Bronze', async () => {
    const layout = await lake('early', BEFORE_D);
    await assert.rejects(features(['--date', '2026-10-01', '--data-dir', layout.root]), {
      code: 'BronzeNoEvents',
      message: `Bronze events table ${layout.bronzeEvents} has no events before 2026-10-01 (it holds events from 2026-10-01 to 2026-11-22): no user would have features on that date`,
    });
    const empty = dataLayout(path.join(dir, 'none'));
    await assert.rejects(features(['--date', D, '--data-dir', empty.root]), {
      code: 'BronzeNoEvents',
      message: `no Bronze events table at ${empty.bronzeEvents}: ingest events first (batch-score ingest FILE...)`,
    });
  });

  it('refuses a date past the end of Bronze (stale features) naming its last event date, unless --allow-incomplete', async () => {
    const layout = await lake('stale', BEFORE_D); // last event date 2026-11-22, the day before D: D is fine
    const later = '2026-11-30';
    await assert.rejects(features(['--from', D, '--to', later, '--data-dir', layout.root]), {
      code: 'BronzeIncomplete',
      message: `Bronze events table ${layout.bronzeEvents} ends at event date 2026-11-22, before 2026-11-29: the features of ${later} would ` +
        `miss the events from 2026-11-23 to 2026-11-29 and look stale; ingest them first, or pass --allow-incomplete to build ${later} from what Bronze holds`,
    });
    assert.equal(await fs.stat(layout.silverFeatures).catch(() => undefined), undefined, 'nothing written, not even the good date');
    const run = await features(['--date', later, '--allow-incomplete', '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    assert.match(run.out, new RegExp(`^features ${later}: 5 users from 30 events in the 30 days before it`)); // [10-31, 11-30): users 1 (3), 4 (3), 5 (1), 8 (23)
  });

  it('refuses a date whose 30 days miss event dates in Bronze, naming them, unless --allow-incomplete', async () => {
    const layout = await lake('gap', dropDays([...BEFORE_D, ...FROM_D], '2026-11-05', '2026-11-10'));
    await assert.rejects(features(['--date', D, '--data-dir', layout.root]), {
      code: 'BronzeIncomplete',
      message: `Bronze events table ${layout.bronzeEvents} has no events on 2026-11-05, 2026-11-10, in the 30 days before ${D}: its features would ` +
        `miss them; ingest them first, or pass --allow-incomplete to build ${D} from what Bronze holds`,
    });
    assert.equal(await fs.stat(layout.silverFeatures).catch(() => undefined), undefined, 'nothing written');
    const run = await features(['--date', D, '--allow-incomplete', '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    assert.match(run.out, new RegExp(`^features ${D}: 5 users from 36 events in the 30 days before it`));
  });

  it('writes no labels, saying why, when a day of the label week is missing from Bronze', async () => {
    const layout = await lake('label-gap', dropDays([...BEFORE_D, ...FROM_D], '2026-11-26'));
    const run = await features(['--date', D, '--data-dir', layout.root]);
    assert.equal(run.code, 0);
    assert.equal(run.out.split('\n')[1],
      `labels ${D}: not written: the label window [${D}, 2026-11-30) has no events on 2026-11-26: run features for this date again once Bronze has them`);
    assert.deepEqual(await rowsOf(layout.silverFeatures, D), EXPECTED_FEATURES);
    assert.equal(await fs.stat(layout.silverLabels).catch(() => undefined), undefined, 'no labels table');
  });

  it('says both problems at once: a Silver table of another schema and no Bronze', async () => {
    const layout = dataLayout(path.join(dir, 'both'));
    await generateSilver({ tablePath: layout.silverFeatures, labelsPath: layout.silverLabels, users: 10, seed: 1, snapshotDate: D });
    await assert.rejects(features(['--date', D, '--data-dir', layout.root]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'SilverSchemaMismatch');
      assert.match(err.message, new RegExp(`^Silver table ${layout.silverFeatures} exists with another schema .*; also, no Bronze events table at ` +
        `${layout.bronzeEvents}: ingest events first \\(batch-score ingest FILE\\.\\.\\.\\)$`));
      return true;
    });
  });

  it('agrees with an independent Python reference (delta-rs read, plain loops) on a synthetic Bronze, user by user', async () => {
    // 30,000 events of 3,000 users over 45 days (bench/features/bronze.ts): sessions, nulls, all three event types.
    const bronze = await benchBronze(path.join(dir, 'synthetic'), 30_000, 3_000, 45);
    const root = path.dirname(path.dirname(bronze.table));
    const date = '2026-11-08';
    assert.equal((await features(['--date', date, '--data-dir', root])).code, 0);
    const ours = await rowsOf(dataLayout(root).silverFeatures, date);
    const theirs = jsonLines(await python('features/reference.py', [bronze.table, date]));
    assert.ok(theirs.length > 2_000, `${theirs.length} users`);
    assert.equal(ours.length, theirs.length);
    const names = COLUMNS.filter((c) => c !== 'snapshot_date');
    ours.forEach((row, i) => {
      names.forEach((name, j) => {
        const [mine, ref] = [Number(row[j]), Number(theirs[i][name])];
        // Sums of prices may add in another order: equal to 1e-9, relatively; everything else exactly.
        if (name === 'spend_30d' || name === 'avg_price_30d') assert.ok(Math.abs(mine - ref) <= 1e-9 * Math.max(1, Math.abs(ref)), `user ${row[0]} ${name}: ${mine} vs ${ref}`);
        else assert.equal(mine, ref, `user ${row[0]} ${name}`);
      });
    });
  });

  describe('the command in its own process', () => {
    const usage: [string[], string][] = [
      [['features'], 'features needs --date, or --from and --to (YYYY-MM-DD)'],
      [['features', '--date', D, '--from', D], 'give either --date or --from and --to, not both'],
      [['features', '--date', D, '--every', '7d'], '--every goes with --from and --to'],
      [['features', '--from', D, '--to', '2026-11-09'], `--from ${D} is after --to 2026-11-09`],
      [['features', '--from', '2026-11-09', '--to', D, '--every', 'weekly'], '--every: "weekly" is not a number of days like 7d'],
      [['features', '--date', '2026-11-31'], '--date: "2026-11-31" is not a calendar date YYYY-MM-DD (2026-11 has 30 days, not 31)'],
    ];
    for (const [args, message] of usage) {
      it(`batch-score ${args.join(' ')}: exit 2, ${message}`, async () => {
        const r = await cli([...args, '--data-dir', path.join(dir, 'never-made')]);
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stderr.trim(), `batch-score features: ${message}`);
      });
    }

    it('prints results on stdout and progress lines on stderr; a schema clash exits 1 naming the table', async () => {
      const layout = await lake('process', [...BEFORE_D, ...FROM_D]);
      const r = await cli(['features', '--from', '2026-11-16', '--to', D, '--data-dir', layout.root]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.replace(/ → .*/, '')), [
        'features 2026-11-16: 4 users from 34 events in the 30 days before it',
        'labels 2026-11-16: 4 users, 1 purchased in the next 7 days',
        `features ${D}: 5 users from 38 events in the 30 days before it`,
        `labels ${D}: 5 users, 2 purchased in the next 7 days`,
      ]);
      const progress = r.stderr.trim().split('\n');
      assert.ok(progress.every((l) => l.startsWith('progress features: ')), r.stderr);
      assert.equal(progress.at(-1), `progress features: ${D}: done, 2/2 dates`);

      await generateSilver({ tablePath: path.join(dir, 'process-demo', 'silver', 'user_features'), labelsPath: path.join(dir, 'process-demo', 'silver', 'purchase_labels'), users: 10, seed: 1, snapshotDate: D });
      await writeBronzeEvents(dataLayout(path.join(dir, 'process-demo')).bronzeEvents, BEFORE_D);
      const clash = await cli(['features', '--date', D, '--data-dir', path.join(dir, 'process-demo')]);
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, new RegExp(`^batch-score features: Silver table ${path.join(dir, 'process-demo', 'silver', 'user_features')} exists with another schema`));
      assert.equal(clash.stdout, '');
    });
  });
});
