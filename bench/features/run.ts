/**
 * How fast and in how much memory `batch-score features` builds one date from a Bronze table of many events, and
 * the alternative it was chosen over (docs/decisions/features-from-events.md). Each candidate runs in its own
 * process (clean peak RSS, from the kernel's maxrss of that process, DuckDB's native memory included), in
 * alternating order for `--rounds` rounds: on a shared machine only ratios within one run mean anything.
 *
 *   node dist/bench/features/run.js [--events 10000000] [--users 700000] [--days 45] [--rounds 2] [--candidates duckdb,ts-stream]
 *
 * The date built is the 8th-last day, so its label week is covered: every Bronze event is read.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { dateFromDays, daysFromDate, openTable } from '../../delta';
import { bronzeFor, buildSnapshot } from '../../features';
import { benchBronze, FIRST_DAY } from './bronze';
import { streamingFeatures } from './streaming-candidate';

const run = promisify(execFile);

async function child(candidate: string, table: string, date: string, memory: string | undefined): Promise<void> {
  const started = process.hrtime.bigint();
  let users: number;
  if (candidate === 'duckdb') {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-features-'));
    const tables = { bronzeEvents: table, silverFeatures: path.join(scratch, 'user_features'), silverLabels: path.join(scratch, 'purchase_labels') };
    const built = await buildSnapshot(tables, await bronzeFor(tables, [date]), date, { memoryLimit: memory });
    users = built.users;
    await fs.rm(scratch, { recursive: true, force: true });
  } else if (candidate === 'ts-stream') {
    users = (await streamingFeatures(table, date)).users;
  } else {
    throw new Error(`unknown candidate ${candidate}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = (await openTable(table)).numRecords();
  console.log(JSON.stringify({ candidate, seconds: +seconds.toFixed(2), users, bronzeEvents: events, eventsPerSecond: Math.round(events! / seconds), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000000' }, users: { type: 'string', default: '700000' }, days: { type: 'string', default: '45' },
      rounds: { type: 'string', default: '2' }, candidates: { type: 'string', default: 'duckdb,ts-stream' }, memory: { type: 'string' },
      child: { type: 'string' }, table: { type: 'string' }, date: { type: 'string' }, dir: { type: 'string', default: path.join(os.tmpdir(), 'batch-score-bench-features') },
    },
  });
  if (values.child) return child(values.child, values.table!, values.date!, values.memory);
  const bronze = await benchBronze(values.dir!, Number(values.events), Number(values.users), Number(values.days));
  const date = dateFromDays(daysFromDate(FIRST_DAY) + bronze.days - 7);
  console.error(`Bronze ${bronze.table}: ${bronze.events} events, ${bronze.users} users drawn, ${bronze.days} days; building ${date}`);
  const candidates = values.candidates!.split(',');
  for (let r = 0; r < Number(values.rounds); r++) {
    const order = r % 2 === 0 ? candidates : [...candidates].reverse();
    for (const c of order) {
      const args = [__filename, '--child', c, '--table', bronze.table, '--date', date, ...(values.memory ? ['--memory', values.memory] : [])];
      const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 24 });
      console.log(stdout.trim());
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
