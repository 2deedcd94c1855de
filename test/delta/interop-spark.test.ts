/**
 * Interop both ways with Spark (PySpark + delta-spark), opt-in with INTEROP_SPARK=1 (a JVM, pyspark and the
 * delta-spark jars; scripts/python-env.sh installs python/spark-requirements.txt when it is set, and CI sets it):
 * tables Spark writes (append, overwrite, partitioned, replaceWhere, its own checkpoint) read identically here,
 * at the latest and an older version; tables we write on top of them, and a Gold table written by the pipeline's
 * own staging (plain Parquet writer) across our checkpoint, read identically in Spark; Spark appends on top of
 * our commits and we read the result.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendFiles, openTable, replacePartition, writeDataFile } from '../../delta';
import { commitPredictions, stagePredictions } from '../../pipeline/gold-predictions';
import { engineRows, ourRows, python, pythonScript, rowDiff, tempDir } from './helpers';

type Op = Record<string, unknown>;

/** Runs the ops in one Spark session; returns the table version after each. */
function spark(ops: Op[]): number[] {
  const r = spawnSync(process.env.SPARK_PYTHON ?? python, [pythonScript('spark_table.py'), JSON.stringify(ops)], {
    encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, `spark_table.py failed:\n${r.stderr.slice(-4000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as number[];
}

async function sameAsSpark(table: string, sparkRowsFile: string, expectedRows: number, version?: number): Promise<void> {
  const theirs = (await fs.readFile(sparkRowsFile, 'utf8')).split('\n').filter((l) => l.trim() !== '');
  const ours = await ourRows(table, version);
  assert.equal(ours.error, undefined, ours.error);
  assert.equal(ours.rows!.length, expectedRows, `${table}${version === undefined ? '' : `@${version}`}: our row count`);
  assert.equal(rowDiff(ours.rows!, theirs, 'Spark'), undefined);
}

describe('interop with Spark (opt-in: INTEROP_SPARK=1)', function () {
  this.timeout(15 * 60_000);
  let dir: string;
  before(async function () {
    if (process.env.INTEROP_SPARK !== '1') this.skip(); // reported as pending, never as a pass
    dir = await tempDir('spark');
  });
  after(async () => { if (dir) await fs.rm(dir, { recursive: true, force: true }); });

  it('Spark-written tables read identically here; ours on top, and a pipeline Gold table past our checkpoint, read identically in Spark', async () => {
    const part = path.join(dir, 'spark-partitioned');
    const flat = path.join(dir, 'spark-flat');
    const gold = path.join(dir, 'gold');
    const out = (name: string) => path.join(dir, `${name}.jsonl`);

    // 1. Spark writes: a partitioned table with a replaceWhere and enough commits for its checkpoint at 10,
    //    and an unpartitioned one with an overwrite.
    const w = (table: string, o: Op): Op => ({ op: 'write', table, ...o });
    const ops: Op[] = [
      w(part, { mode: 'append', partitioned: true, day: '2026-01-01', start: 0, count: 40 }),
      w(part, { mode: 'append', partitioned: true, day: '2026-01-02', start: 40, count: 40 }),
      w(part, { mode: 'overwrite', partitioned: true, day: '2026-01-02', start: 500, count: 5, replaceWhere: "day = '2026-01-02'" }),
      ...Array.from({ length: 9 }, (_, k) => w(part, { mode: 'append', partitioned: true, day: '2026-01-03', start: 600 + 5 * k, count: 5 })),
      { op: 'read', table: part, out: out('part') },
      { op: 'read', table: part, version: 1, out: out('part-v1') },
      w(flat, { mode: 'append', day: '2026-01-01', start: 0, count: 50 }),
      w(flat, { mode: 'append', day: '2026-01-01', start: 50, count: 30 }),
      w(flat, { mode: 'overwrite', day: '2026-01-01', start: 1000, count: 7, checkpoint: true }),
      { op: 'read', table: flat, out: out('flat') },
      { op: 'read', table: flat, version: 1, out: out('flat-v1') },
    ];
    const versions = spark(ops);
    assert.equal(versions[11], 11);
    assert.ok((await fs.readdir(path.join(part, '_delta_log'))).includes('00000000000000000010.checkpoint.parquet'), "Spark's own checkpoint");
    await sameAsSpark(part, out('part'), 40 + 5 + 45);
    await sameAsSpark(part, out('part-v1'), 80, 1);
    await sameAsSpark(flat, out('flat'), 7);
    await sameAsSpark(flat, out('flat-v1'), 80, 1);

    // 2. We write on top of Spark's table, and build a Gold table through the pipeline's own staging: eleven
    //    dates, so our checkpoint (at version 10) is in what Spark reads.
    const schema = (await openTable(part)).schema;
    await appendFiles(part, [await writeDataFile(part, { schema, partitionColumns: ['day'], partitionValues: { day: '2026-01-04' }, batch: engineRows(900, 12) })]);
    await replacePartition(part, { day: '2026-01-01' }, [await writeDataFile(part, { schema, partitionColumns: ['day'], partitionValues: { day: '2026-01-01' }, batch: engineRows(700, 3) })]);
    for (let d = 1; d <= 11; d++) {
      const scoreDate = `2026-02-${String(d).padStart(2, '0')}`;
      const n = 1000 + d;
      const userIds = BigInt64Array.from({ length: n }, (_, i) => BigInt(i + 1));
      const probabilities = Float64Array.from({ length: n }, (_, i) => ((i * 7919 + d) % 1000) / 999);
      const add = await stagePredictions({
        goldTable: gold, scoreDate, runId: `run-${d}`, unitIndex: 0, attempt: 1, threshold: 0.5, scoredAt: new Date(Date.UTC(2026, 1, d, 6)),
        model: { uri: 'models:/purchase_propensity/3', name: 'purchase_propensity', version: '3', sha256: 'ab'.repeat(32) },
        scored: { userIds, probabilities },
      });
      await commitPredictions({ goldTable: gold, scoreDate, workflowId: 'spark-interop', runId: `run-${d}`, adds: [add], txn: { appId: `run-${d}`, version: d }, commitInfo: {} });
    }
    assert.ok((await fs.readdir(path.join(gold, '_delta_log'))).includes('00000000000000000010.checkpoint.parquet'), 'our checkpoint');
    const goldRows = Array.from({ length: 11 }, (_, d) => 1001 + d).reduce((a, b) => a + b, 0);

    // 3. Spark reads ours, then appends on top of our commits.
    spark([
      { op: 'read', table: part, out: out('part-ours') },
      { op: 'read', table: gold, out: out('gold') },
      { op: 'read', table: gold, version: 3, out: out('gold-v3') },
      w(part, { mode: 'append', partitioned: true, day: '2026-01-05', start: 2000, count: 4 }),
      { op: 'read', table: part, out: out('part-final') },
    ]);
    await sameAsSpark(gold, out('gold'), goldRows);
    await sameAsSpark(gold, out('gold-v3'), 1001 + 1002 + 1003, 3); // version 0 creates the table
    const ourPart = 3 + 5 + 45 + 12; // day 1 replaced by ours, day 2, day 3, our day 4
    await sameAsSpark(part, out('part-ours'), ourPart, 13); // Spark's 0–11, then our two commits
    await sameAsSpark(part, out('part-final'), ourPart + 4);
  });
});
