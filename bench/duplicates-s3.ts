/**
 * Benchmark: the Silver duplicate-user check on local disk (DuckDB reads the files) and on S3 (the Delta reader
 * feeds user_id into DuckDB, pipeline/silver-duplicates.ts), on the same demo Silver in the same run.
 *
 *   node dist/bench/duplicates-s3.js [--users 1000000] [--file-rows 100000] [--runs 3]
 *
 * Generates the Silver date locally, uploads it to a fresh MinIO bucket (devkit/minio.ts), then times
 * `findDuplicateUsers` in a fresh process per run (local and S3 alternately), printing wall time and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { dataLayout } from '../config';
import { openTable } from '../delta';
import { generateSilver } from '../demo';
import { startMinio, uploadFolder } from '../devkit';
import { findDuplicateUsers } from '../pipeline/silver-duplicates';

const DAY = '2026-11-23';

async function check(table: string): Promise<void> {
  const started = process.hrtime.bigint();
  const snapshot = await openTable(table);
  const found = await findDuplicateUsers(table, snapshot.schema, snapshot.files({ snapshot_date: DAY }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), duplicates: found.count }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string' }, 'file-rows': { type: 'string' }, runs: { type: 'string' }, check: { type: 'string' } } });
  if (values.check) return check(values.check);
  const users = Number(values.users ?? 1_000_000);
  const runs = Number(values.runs ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-bench-dups-'));
  const minio = await startMinio();
  try {
    const data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users, seed: 3, snapshotDate: DAY, fileRows: Number(values['file-rows'] ?? 100_000) });
    Object.assign(process.env, minio.env);
    const remote = `s3://${minio.bucket}/silver/user_features`;
    await uploadFolder(data.silverFeatures, remote);
    const results: Record<string, { seconds: number; maxRssMB: number }[]> = { local: [], s3: [] };
    for (let i = 0; i < runs; i++) {
      for (const [name, table] of [['local', data.silverFeatures], ['s3', remote]] as const) {
        const r = spawnSync(process.execPath, [__filename, '--check', table], { env: process.env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
        results[name].push(JSON.parse(r.stdout.trim().split('\n').pop()!));
      }
    }
    for (const [name, rs] of Object.entries(results)) {
      console.log(`${name}: ${users} users, wall ${rs.map((r) => r.seconds.toFixed(2)).join(' / ')} s, peak RSS ${rs.map((r) => r.maxRssMB).join(' / ')} MB`);
    }
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await minio.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
