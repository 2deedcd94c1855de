/**
 * Benchmark: planning a run over the bench Silver with the duplicate-user check where the footers put it
 * (pipeline/duplicate-check.ts), against planning with the GROUP BY over every user_id as before
 * (docs/decisions/duplicate-users.md). Same build, same data, a fresh process per round (cold footer cache, as
 * a worker's first run), the two alternating so that the shared machine's load hits both alike.
 *
 *   node dist/bench/plan-duplicate-check.js [--users 10000000] [--rounds 5]
 *
 *   units   planUnits as it is: on demo Silver (disjoint row groups) no user_id is read at planning; then,
 *           apart, what the units' own checks cost together (UnitUserIds over every unit's user_id, read time
 *           left out)
 *   plan    planUnits followed by the GROUP BY (findDuplicateUsers): what planning cost before the fast path
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { RUN_DEFAULTS } from '../config';
import { readDataFile } from '../delta';
import { findDuplicateUsers } from '../pipeline/silver-duplicates';
import { planUnits, SilverPlan } from '../pipeline/silver-plan';
import { UnitUserIds } from '../pipeline/unit-duplicates';
import { BENCH_DATE, benchDir, benchSilver } from './score/data';

type Mode = 'units' | 'plan';

interface Round {
  mode: Mode;
  planSeconds: number;
  duplicateCheck: string;
  /** The units' checks summed over every unit (mode units only). */
  unitChecksSeconds?: number;
}

async function round(mode: Mode, table: string): Promise<Round> {
  const started = process.hrtime.bigint();
  const plan = await planUnits({ silverTable: table, scoreDate: BENCH_DATE, unitRows: RUN_DEFAULTS.unitRows });
  if (mode === 'plan') {
    const files = [...new Map(plan.units.flatMap((u) => u.segments.map((s) => [s.file.path, s.file] as const))).values()];
    const found = await findDuplicateUsers(plan.silverTable, plan.silverSchema, files);
    if (found.count > 0) throw new Error(`${found.count} duplicated users in the bench Silver`);
  }
  const planSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: Round = { mode, planSeconds, duplicateCheck: plan.duplicateCheck };
  if (mode === 'units') result.unitChecksSeconds = await unitChecks(plan);
  return result;
}

async function unitChecks(plan: SilverPlan): Promise<number> {
  let ns = 0n;
  for (const unit of plan.units) {
    const read = new UnitUserIds();
    for (const segment of unit.segments) {
      for await (const batch of readDataFile(plan.silverTable, segment.file, { schema: plan.silverSchema, columns: ['user_id'], rowGroups: segment.rowGroups })) {
        const t = process.hrtime.bigint();
        read.add(batch.columns.user_id, segment.file.path);
        ns += process.hrtime.bigint() - t;
      }
    }
    const t = process.hrtime.bigint();
    if (read.duplicates().count > 0) throw new Error(`unit ${unit.index} holds duplicated users`);
    ns += process.hrtime.bigint() - t;
  }
  return Number(ns) / 1e9;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string' }, rounds: { type: 'string' }, round: { type: 'string' }, table: { type: 'string' } } });
  if (values.round) return console.log(JSON.stringify(await round(values.round as Mode, values.table!)));
  const users = Number(values.users ?? 10_000_000);
  const { table } = await benchSilver(benchDir(), users);
  const rounds: Round[] = [];
  for (let i = 0; i < Number(values.rounds ?? 5); i++) {
    for (const mode of (i % 2 === 0 ? ['units', 'plan'] : ['plan', 'units']) as Mode[]) {
      const r = spawnSync(process.execPath, [__filename, '--round', mode, '--table', table], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${mode}: ${r.stderr}`);
      rounds.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  console.log(`| planUnits, ${users} users | seconds per round | median |\n| --- | --- | --- |`);
  for (const mode of ['plan', 'units'] as Mode[]) {
    const rs = rounds.filter((r) => r.mode === mode);
    const label = mode === 'plan' ? 'GROUP BY at planning (before)' : `footer ranges (after; decision: ${rs[0].duplicateCheck})`;
    console.log(`| ${label} | ${rs.map((r) => r.planSeconds.toFixed(3)).join(', ')} | ${median(rs.map((r) => r.planSeconds)).toFixed(3)} |`);
  }
  const checks = rounds.filter((r) => r.unitChecksSeconds !== undefined).map((r) => r.unitChecksSeconds!);
  console.log(`| the units' own checks, all units together | ${checks.map((s) => s.toFixed(3)).join(', ')} | ${median(checks).toFixed(3)} |`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
