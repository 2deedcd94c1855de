import * as assert from 'node:assert/strict';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { openTable, scanTable } from '../../delta';
import { FEATURE_NAMES, generateSilver, SILVER_FEATURES_SCHEMA } from '../../demo';
import { tempDir } from '../registry/helpers';

async function rows(table: string, date: string): Promise<string[]> {
  const out: string[] = [];
  const snapshot = await openTable(table);
  for await (const b of scanTable(snapshot, { partition: { snapshot_date: date } })) {
    const names = Object.keys(b.columns).sort();
    for (let i = 0; i < b.numRows; i++) out.push(names.map((n) => `${n}=${String(b.columns[n][i])}`).join(' '));
  }
  return out;
}

describe('demo: generateSilver', () => {
  let dir: string;
  before(async () => (dir = await tempDir('silver')));
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('writes N users in bounded files, deterministic by seed whatever the file size', async () => {
    const a = { tablePath: path.join(dir, 'a', 'features'), labelsPath: path.join(dir, 'a', 'labels') };
    const b = { tablePath: path.join(dir, 'b', 'features'), labelsPath: path.join(dir, 'b', 'labels') };
    const c = { tablePath: path.join(dir, 'c', 'features'), labelsPath: path.join(dir, 'c', 'labels') };
    const date = '2026-11-23';
    assert.deepEqual(await generateSilver({ ...a, users: 25_000, seed: 7, snapshotDate: date }), { version: 1, rows: 25_000, files: 1 });
    assert.deepEqual(await generateSilver({ ...b, users: 25_000, seed: 7, snapshotDate: date, fileRows: 10_000 }), {
      version: 1,
      rows: 25_000,
      files: 3,
    });
    await generateSilver({ ...c, users: 25_000, seed: 8, snapshotDate: date });

    const snapshot = await openTable(a.tablePath);
    assert.deepEqual(snapshot.schema, SILVER_FEATURES_SCHEMA);
    assert.deepEqual(snapshot.partitionColumns, ['snapshot_date']);
    assert.equal(snapshot.numRecords({ snapshot_date: date }), 25_000);
    const bFiles = (await openTable(b.tablePath)).files();
    assert.deepEqual(bFiles.map((f) => f.partitionValues), [0, 1, 2].map(() => ({ snapshot_date: date })));

    const rowsA = await rows(a.tablePath, date);
    assert.equal(rowsA.length, 25_000);
    assert.deepEqual(await rows(b.tablePath, date), rowsA, 'same seed, other file size: same rows');
    assert.notDeepEqual(await rows(c.tablePath, date), rowsA, 'other seed: other rows');
    assert.deepEqual(await rows(b.labelsPath, date), await rows(a.labelsPath, date));

    // user_id 1..N, one row each.
    const ids = rowsA.map((r) => Number(/user_id=(\d+)/.exec(r)![1]));
    assert.deepEqual(ids, Array.from({ length: 25_000 }, (_, i) => i + 1));
  });

  it('looks like e-commerce behaviour: most users only view, a few percent buy', async () => {
    const t = { tablePath: path.join(dir, 'p', 'features'), labelsPath: path.join(dir, 'p', 'labels') };
    await generateSilver({ ...t, users: 50_000, seed: 11, snapshotDate: '2026-11-23' });
    let buyers = 0;
    let n = 0;
    for await (const b of scanTable(await openTable(t.labelsPath))) {
      for (let i = 0; i < b.numRows; i++) buyers += b.columns['purchased_next_7d'][i] ? 1 : 0;
      n += b.numRows;
    }
    assert.equal(n, 50_000);
    assert.ok(buyers / n > 0.02 && buyers / n < 0.07, `buy rate ${buyers / n}`);
    let noCart = 0;
    let noPurchase = 0;
    for await (const b of scanTable(await openTable(t.tablePath), { columns: FEATURE_NAMES })) {
      for (let i = 0; i < b.numRows; i++) {
        if (b.columns['cart_adds_30d'][i] === 0) noCart++;
        if (b.columns['purchases_90d'][i] === 0) noPurchase++;
        for (const f of FEATURE_NAMES) assert.ok(Number(b.columns[f][i]) >= 0, `${f} ${b.columns[f][i]}`);
      }
    }
    assert.ok(noCart / n > 0.6, `users without cart adds ${noCart / n}`);
    assert.ok(noPurchase / n > 0.7, `users without purchases ${noPurchase / n}`);
  });

  it('replaces only its snapshot_date partition', async () => {
    const t = { tablePath: path.join(dir, 'r', 'features'), labelsPath: path.join(dir, 'r', 'labels') };
    await generateSilver({ ...t, users: 3_000, seed: 1, snapshotDate: '2026-11-16' });
    await generateSilver({ ...t, users: 2_000, seed: 2, snapshotDate: '2026-11-23' });
    const v = await generateSilver({ ...t, users: 1_000, seed: 3, snapshotDate: '2026-11-23' });
    assert.equal(v.version, 3); // 0 creates the table, then one commit per generation
    const s = await openTable(t.tablePath);
    assert.equal(s.numRecords({ snapshot_date: '2026-11-16' }), 3_000);
    assert.equal(s.numRecords({ snapshot_date: '2026-11-23' }), 1_000);
  });
});
