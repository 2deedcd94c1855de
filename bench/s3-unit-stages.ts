/**
 * Benchmark: where a scoring unit's time goes on S3 against local disk, the same units in the same run, so an
 * S3 read or write change can be judged by its S3 / local ratio on a loaded machine (issue 10 must-have 8).
 *
 *   node dist/bench/s3-unit-stages.js [--users 1000000] [--rounds 5] [--dir DIR]
 *
 * Uploads the bench's Silver table (bench/score/data.ts) once to a fresh MinIO bucket (devkit/minio.ts), then per
 * round runs, for each storage, one fresh process that plans the snapshot and scores its units one after another
 * with the LR model, timing per unit the read alone (the Silver row groups, as scoring reads them) and the whole
 * unit (read, score, stage its Gold file). Rounds alternate the storages; the S3 / local ratio is taken per
 * round. Every run's probability sum must agree (exactness), or the bench fails.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RUN_DEFAULTS } from '../config';
import { openTable, readDataFile } from '../delta';
import { startMinio, uploadFolder } from '../devkit';
import { scoreAndStageUnit } from '../pipeline/score-unit';
import { planUnits } from '../pipeline/silver-plan';
import { loadScorer } from '../scoring';
import { BENCH_DATE, benchDir, benchModel, benchSilver } from './score/data';

interface ChildResult {
  storage: string;
  planMs: number;
  readMs: number[];
  unitMs: number[];
  checksum: number;
}

async function child(spec: { silver: string; gold: string; storage: string; dir: string }): Promise<void> {
  const pinned = await benchModel(spec.dir, 'lr');
  const scorer = await loadScorer(pinned, { intraOpThreads: 1 });
  const t0 = performance.now();
  const plan = await planUnits({ silverTable: spec.silver, scoreDate: BENCH_DATE, unitRows: RUN_DEFAULTS.unitRows });
  const planMs = performance.now() - t0;
  const readMs: number[] = [];
  const unitMs: number[] = [];
  let checksum = 0;
  const runId = randomUUID();
  for (const unit of plan.units) {
    const r0 = performance.now();
    for (const segment of unit.segments) {
      for await (const batch of readDataFile(spec.silver, segment.file, { schema: plan.silverSchema, columns: scorer.columns, rowGroups: segment.rowGroups })) {
        if (batch.numRows === 0) throw new Error('empty row group');
      }
    }
    readMs.push(performance.now() - r0);
    const u0 = performance.now();
    const scored = await scoreAndStageUnit({
      silverTable: spec.silver, silverSchema: plan.silverSchema, unit, scorer, nullPolicy: 'error', goldTable: spec.gold,
      scoreDate: BENCH_DATE, runId, attempt: 1, threshold: 0.5,
    });
    unitMs.push(performance.now() - u0);
    for await (const b of readDataFile(spec.gold, scored.add, { schema: { type: 'struct', fields: [{ name: 'purchase_probability', type: 'double', nullable: false, metadata: {} }] }, columns: ['purchase_probability'] })) {
      const p = b.columns.purchase_probability as Float64Array;
      for (let i = 0; i < p.length; i++) checksum += p[i];
    }
  }
  const out: ChildResult = { storage: spec.storage, planMs, readMs, unitMs, checksum };
  console.log(JSON.stringify(out));
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string' }, rounds: { type: 'string' }, dir: { type: 'string' }, child: { type: 'string' } } });
  if (values.child) return child(JSON.parse(values.child));
  const dir = benchDir(values.dir);
  const users = Number(values.users ?? 1_000_000);
  const rounds = Number(values.rounds ?? 5);
  const { table } = await benchSilver(dir, users);
  await benchModel(dir, 'lr');
  const minio = await startMinio();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-bench-stages-'));
  try {
    Object.assign(process.env, minio.env);
    const remote = `s3://${minio.bucket}/silver-${users}/user_features`;
    await uploadFolder(table, remote);
    const results: ChildResult[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const storage of ['local', 's3']) {
        const silver = storage === 'local' ? table : remote;
        const gold = storage === 'local' ? path.join(out, `gold-${round}`) : `s3://${minio.bucket}/gold-${round}`;
        const spec = { silver, gold, storage, dir };
        const r = spawnSync(process.execPath, [__filename, '--child', JSON.stringify(spec)], { env: process.env, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${storage}: ${r.stderr}`);
        const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
        results.push(res);
        console.error(`round ${round} ${storage.padEnd(5)} plan ${res.planMs.toFixed(0)} ms, read ${sum(res.readMs).toFixed(0)} ms, units ${sum(res.unitMs).toFixed(0)} ms (${res.unitMs.map((m) => m.toFixed(0)).join(' ')}), load ${os.loadavg()[0].toFixed(1)}`);
      }
    }
    const checksums = new Set(results.map((r) => r.checksum.toFixed(6)));
    console.log(`checksums ${checksums.size === 1 ? 'agree' : 'DIFFER'}: ${[...checksums].join(', ')}`);
    if (checksums.size !== 1) process.exitCode = 1;
    const [local, s3] = [results.filter((r) => r.storage === 'local'), results.filter((r) => r.storage === 's3')];
    const m = (rs: ChildResult[], f: (r: ChildResult) => number) => median(rs.map(f)).toFixed(0);
    const unitsRatio = median(s3.map((r, i) => sum(r.unitMs) / sum(local[i].unitMs)));
    console.log(`units local ${m(local, (r) => sum(r.unitMs))} ms, s3 ${m(s3, (r) => sum(r.unitMs))} ms (median of per-round S3/local ${unitsRatio.toFixed(2)}×); ` +
      `read local ${m(local, (r) => sum(r.readMs))}, s3 ${m(s3, (r) => sum(r.readMs))} ms; plan local ${m(local, (r) => r.planMs)}, s3 ${m(s3, (r) => r.planMs)} ms`);
  } finally {
    await minio.stop();
    fs.rmSync(out, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
