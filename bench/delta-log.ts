/**
 * Benchmark: snapshot load of a large Delta log, ours vs delta-rs (Python deltalake) in the same run.
 *
 *   node dist/bench/delta-log.js [--commits 10000] [--files-per-commit 10] [--dir DIR] [--runs 5]
 *
 * Builds (once, reused if DIR already holds it) a table of N commits adding K files each (N×K live files,
 * log only: snapshot load never opens data files), then a copy with a checkpoint at the last version, and
 * times `openTable` + `files()` and `DeltaTable(path)` + `file_uris()` on both, each in a fresh process (ours and
 * theirs alternately, so machine load hits both alike), printing median wall time and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { checkpointAt, logStore, serializeActions, schemaToString, Action, StructType } from '../delta';
import { PYTHON, REPO_ROOT } from '../devkit';


const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'user_id', type: 'long', nullable: false, metadata: {} },
    { name: 'purchase_probability', type: 'double', nullable: true, metadata: {} },
    { name: 'score_date', type: 'date', nullable: true, metadata: {} },
  ],
};

async function buildLog(table: string, commits: number, perCommit: number): Promise<void> {
  const log = path.join(table, '_delta_log');
  await fs.mkdir(log, { recursive: true });
  const t0 = Date.UTC(2026, 0, 1);
  const v0: Action[] = [
    { commitInfo: { timestamp: t0, operation: 'CREATE TABLE' } },
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    { metaData: { id: '00000000-0000-0000-0000-000000000001', format: { provider: 'parquet', options: {} }, schemaString: schemaToString(SCHEMA), partitionColumns: ['score_date'], configuration: {}, createdTime: t0 } },
  ];
  await fs.writeFile(path.join(log, '00000000000000000000.json'), serializeActions(v0));
  for (let v = 1; v < commits; v++) {
    const day = new Date(t0 + (v % 365) * 86_400_000).toISOString().slice(0, 10);
    const actions: Action[] = [{ commitInfo: { timestamp: t0 + v * 1000, operation: 'WRITE', operationParameters: { mode: 'Append' }, readVersion: v - 1, isBlindAppend: true } }];
    for (let k = 0; k < perCommit; k++) {
      const n = v * perCommit + k;
      actions.push({
        add: {
          path: `score_date=${day}/part-${String(n).padStart(8, '0')}-c000.snappy.parquet`,
          partitionValues: { score_date: day }, size: 1000 + k, modificationTime: t0 + v * 1000, dataChange: true,
          stats: `{"numRecords":100,"minValues":{"user_id":${n * 100},"purchase_probability":0.01},"maxValues":{"user_id":${n * 100 + 99},"purchase_probability":0.99},"nullCount":{"user_id":0,"purchase_probability":0}}`,
        },
      });
    }
    await fs.writeFile(path.join(log, `${String(v).padStart(20, '0')}.json`), serializeActions(actions));
  }
}

interface Measure { seconds: number; maxRssMb: number; version: number; files: number }

function measureOurs(table: string): Measure {
  // Timed from after the module loads, as the Python side is timed from after `import deltalake`; the file
  // list is taken inside the timing, as the Python side's file_uris() is.
  const code = `const d=require(${JSON.stringify(path.join(REPO_ROOT, 'dist/delta'))});const t=process.hrtime.bigint();d.openTable(${JSON.stringify(table)}).then(s=>{const files=s.files().length;const sec=Number(process.hrtime.bigint()-t)/1e9;console.log(JSON.stringify({seconds:sec,maxRssMb:process.resourceUsage().maxRSS/1024,version:s.version,files}))})`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function measureDeltaRs(table: string): Measure {
  const code = `import time,resource,json,os,sys
from deltalake import DeltaTable
t=time.perf_counter()
dt=DeltaTable(${JSON.stringify(table)})
n=len(dt.file_uris())
sec=time.perf_counter()-t
print(json.dumps({"seconds":sec,"maxRssMb":resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024,"version":dt.version(),"files":n}))
sys.stdout.flush();os._exit(0)`;
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { commits: { type: 'string', default: '10000' }, 'files-per-commit': { type: 'string', default: '10' }, dir: { type: 'string' }, runs: { type: 'string', default: '5' } } });
  const commits = Number(values.commits);
  const per = Number(values['files-per-commit']);
  const dir = values.dir ?? path.join(os.tmpdir(), `delta-log-bench-${commits}x${per}`);
  const plain = path.join(dir, 'no-checkpoint');
  const withCp = path.join(dir, 'with-checkpoint');
  const ready = await fs.stat(path.join(withCp, '_delta_log', '_last_checkpoint')).then(() => true, () => false);
  if (!ready) {
    await fs.rm(dir, { recursive: true, force: true });
    let t = Date.now();
    await buildLog(plain, commits, per);
    console.log(`built ${commits} commits × ${per} files in ${((Date.now() - t) / 1000).toFixed(1)} s at ${dir}`);
    await fs.cp(plain, withCp, { recursive: true });
    t = Date.now();
    await checkpointAt(logStore(withCp), commits - 1);
    console.log(`checkpoint at version ${commits - 1} written by us in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const runs = Number(values.runs);
  console.log(`\nsnapshot load, ${commits} commits, ${(commits - 1) * per} live files; median of ${runs} fresh processes, run alternately (wall s, peak RSS MB; all runs' wall s after)`);
  console.log('| table | batch-score openTable | delta-rs DeltaTable |');
  console.log('| --- | --- | --- |');
  for (const [label, table] of [['without checkpoint', plain], ['with checkpoint', withCp]] as const) {
    const ours: Measure[] = [];
    const theirs: Measure[] = [];
    for (let i = 0; i < runs; i++) {
      ours.push(measureOurs(table));
      theirs.push(measureDeltaRs(table));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const cell = (m: Measure[]) =>
      `${median(m.map((x) => x.seconds)).toFixed(2)} s, ${median(m.map((x) => x.maxRssMb)).toFixed(0)} MB (${m.map((x) => x.seconds.toFixed(2)).join(' ')})`;
    for (const [o, d] of ours.map((o, i) => [o, theirs[i]] as const)) {
      if (o.files !== d.files || o.version !== d.version) throw new Error(`disagree: ours v${o.version}/${o.files} files, delta-rs v${d.version}/${d.files}`);
    }
    console.log(`| ${label} | ${cell(ours)} | ${cell(theirs)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
