/**
 * `bench/top-buyers-phases`: where the time of the top-buyers selection goes at 10M users, phase by phase,
 * without Temporal: each unit's `unitCandidates` and `handOnCandidates` (40 units of 250,000 rows), then the
 * selection's reading of the staged files alone, the merge (reading + ranking: `mergeCandidateColumns`, or
 * `mergeCandidates` in a build without it) and `commitTopBuyers` (Parquet file + Delta commit). Compares two
 * builds of the pipeline in one process, alternating rounds (on a shared machine only A/B ratios of one run mean
 * anything), and checks they rank the same users in the same order (docs/decisions/top-buyer-candidates.md):
 *
 *   git archive <base> | tar -x -C /tmp/topk-before && (cd /tmp/topk-before && ln -s <worktree>/node_modules && npx tsc -p .)
 *   node dist/bench/top-buyers-phases.js [--users 10000000] [--dir BENCH_DIR] [--before /tmp/topk-before/dist] [--rounds 5]
 *
 * The scores are the demo LR's on the bench Silver (bench/score/data.ts), scored on the first run and kept in the
 * bench folder (top-buyers-scores-N.bin, 16 bytes a user), split into units of 250,000 in file order; the default
 * rule (10% at probability >= 0.8). Each round writes into its own temporary folder, removed at the end.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AddFile, openTable, readDataFile } from '../delta';
import { PREDICTIONS_SCHEMA } from '../pipeline/gold-schemas';
import { loadScorer } from '../scoring';
import { DEFAULT_TOP_BUYERS_RULE } from '../pipeline/top-buyers-rule';
import { RankedColumns, RankedUser, rankedUsers } from '../pipeline/top-k';
import { BENCH_DATE, benchDir, benchModel, benchSilver } from './score/data';

const UNIT_ROWS = 250_000;

/** The pipeline functions compared, from one build (dist folder). */
interface Build {
  name: string;
  candidatePlan: typeof import('../pipeline/candidate-plan').candidatePlan;
  runCandidates: typeof import('../pipeline/candidate-plan').runCandidates;
  unitCandidates: typeof import('../pipeline/top-candidates').unitCandidates;
  handOnCandidates: typeof import('../pipeline/top-candidates').handOnCandidates;
  /** The merge the activity uses: columns, or one object per buyer in builds before mergeCandidateColumns. */
  merge: (req: Parameters<typeof import('../pipeline/top-candidates').mergeCandidateColumns>[0]) => Promise<RankedColumns | RankedUser[]>;
  candidateFilePath: typeof import('../pipeline/top-candidates').candidateFilePath;
  commitTopBuyers: typeof import('../pipeline/gold-top-buyers').commitTopBuyers;
}

function build(name: string, dist: string): Build {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const plan = require(path.join(dist, 'pipeline/candidate-plan.js'));
  const candidates = require(path.join(dist, 'pipeline/top-candidates.js'));
  const gold = require(path.join(dist, 'pipeline/gold-top-buyers.js'));
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { name, ...plan, ...candidates, ...gold, merge: candidates.mergeCandidateColumns ?? candidates.mergeCandidates };
}

interface Scores { userIds: BigInt64Array; probabilities: Float64Array }

/**
 * The demo LR's scores of the bench Silver of `users` users, in file order; scored once and kept in the bench folder as raw columns, so every round and build ranks the same scores.
 */
async function benchScores(dir: string, users: number): Promise<Scores> {
  const cache = path.join(dir, `top-buyers-scores-${users}.bin`);
  const bytes = await fs.readFile(cache).catch(() => undefined);
  if (bytes?.length === 16 * users) {
    const copy = new Uint8Array(bytes).buffer; // aligned for the typed views
    return { userIds: new BigInt64Array(copy, 0, users), probabilities: new Float64Array(copy, 8 * users, users) };
  }
  const { table } = await benchSilver(dir, users);
  const snapshot = await openTable(table);
  const scorer = await loadScorer(await benchModel(dir, 'lr'), { intraOpThreads: 1 });
  const files = snapshot.files({ snapshot_date: BENCH_DATE }).sort((a, b) => a.path.localeCompare(b.path));
  const scores = { userIds: new BigInt64Array(users), probabilities: new Float64Array(users) };
  let at = 0;
  for (const file of files) {
    for await (const rows of readDataFile(table, file, { schema: snapshot.schema, columns: scorer.columns })) {
      const batch = await scorer.scoreBatch(rows, { nullPolicy: 'error', source: file.path });
      scores.userIds.set(batch.userIds, at);
      scores.probabilities.set(batch.probabilities, at);
      at += batch.userIds.length;
    }
  }
  if (at !== users) throw new Error(`${table}: scored ${at} users, expected ${users}`);
  await fs.writeFile(cache, Buffer.concat([Buffer.from(scores.userIds.buffer), Buffer.from(scores.probabilities.buffer)]));
  return scores;
}

const now = () => performance.now();

interface Round { unitCandidates: number; unitCandidatesMax: number; handOn: number; readStaged: number; merge: number; commit: number; selection: number; buyers: number }

async function round(b: Build, scores: Scores, dir: string, runId: string): Promise<{ times: Round; ranked: RankedUser[] }> {
  const rule = DEFAULT_TOP_BUYERS_RULE;
  const n = scores.userIds.length;
  const units = Math.ceil(n / UNIT_ROWS);
  const plan = b.candidatePlan(rule, n, units);
  const topBuyersTable = path.join(dir, 'top_buyers');
  const perUnit = [];
  let uc = 0;
  let ucMax = 0;
  let handOn = 0;
  for (let u = 0; u < units; u++) {
    const ids = scores.userIds.subarray(u * UNIT_ROWS, Math.min(n, (u + 1) * UNIT_ROWS));
    const probs = scores.probabilities.subarray(u * UNIT_ROWS, Math.min(n, (u + 1) * UNIT_ROWS));
    const t0 = now();
    const ranked = b.unitCandidates(ids, probs, plan);
    const t1 = now();
    perUnit.push({ unitIndex: u, candidates: await b.handOnCandidates(ranked, plan, { topBuyersTable, scoreDate: BENCH_DATE, runId, unitIndex: u, attempt: 1 }) });
    uc += t1 - t0;
    ucMax = Math.max(ucMax, t1 - t0);
    handOn += now() - t1;
  }
  const candidates = b.runCandidates(perUnit);
  // The staged files read alone (no ranking): the floor of the merge.
  const t0 = now();
  if (candidates.delivery === 'staged') {
    await Promise.all(candidates.attempts.map(async (attempt, u) => {
      if (attempt === 0) return;
      const file: AddFile = { path: b.candidateFilePath(BENCH_DATE, runId, u, attempt), partitionValues: { score_date: BENCH_DATE }, size: 0, modificationTime: 0, dataChange: false };
      for await (const _ of readDataFile(topBuyersTable, file, { schema: { type: 'struct', fields: PREDICTIONS_SCHEMA.fields.slice(0, 2) }, columns: ['user_id', 'purchase_probability'] })) void _;
    }));
  }
  const t1 = now();
  const buyers = await b.merge({ topBuyersTable, scoreDate: BENCH_DATE, runId, rule, scoredUsers: n, candidates });
  const t2 = now();
  await b.commitTopBuyers({
    topBuyersTable, scoreDate: BENCH_DATE, workflowId: `bench-${runId}`, runId, model: { uri: 'bench', name: 'bench', version: '1', sha256: '0' } as never,
    buyers: buyers as never, // columns, or objects for a build before the columns (each build takes its own merge's output)
    txn: { appId: runId, version: Date.now() }, commitInfo: {},
  });
  const t3 = now();
  const ranked = Array.isArray(buyers) ? buyers : rankedUsers(buyers);
  const times = { unitCandidates: uc, unitCandidatesMax: ucMax, handOn, readStaged: t1 - t0, merge: t2 - t1, commit: t3 - t2, selection: t3 - t1, buyers: ranked.length };
  return { times, ranked };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { users: { type: 'string', default: '10000000' }, dir: { type: 'string' }, before: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
  const builds = [build('after', path.join(__dirname, '..'))];
  if (values.before) builds.unshift(build('before', path.resolve(values.before)));
  const scores = await benchScores(benchDir(values.dir), Number(values.users));
  console.log(`${scores.userIds.length} scores read`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-top-buyers-phases-'));
  const rows: Record<string, Round[]> = Object.fromEntries(builds.map((b) => [b.name, []]));
  try {
    for (let r = 0; r < Number(values.rounds); r++) {
      const order = r % 2 === 0 ? builds : [...builds].reverse();
      const lists: RankedUser[][] = [];
      for (const b of order) {
        const { times, ranked } = await round(b, scores, path.join(dir, `${b.name}-${r}`), `run-${b.name}-${r}`);
        rows[b.name].push(times);
        lists.push(ranked);
        console.log(b.name, JSON.stringify(Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(v * 10) / 10]))));
        await fs.rm(path.join(dir, `${b.name}-${r}`), { recursive: true, force: true });
      }
      for (const other of lists.slice(1)) {
        const same = other.length === lists[0].length && other.every((x, i) => x.userId === lists[0][i].userId && Object.is(x.probability, lists[0][i].probability));
        if (!same) throw new Error(`round ${r}: the builds rank different users`);
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, rs] of Object.entries(rows)) {
    const keys = Object.keys(rs[0]) as (keyof Round)[];
    console.log(`median ${name}`, JSON.stringify(Object.fromEntries(keys.map((k) => [k, Math.round(median(rs.map((x) => x[k])) * 10) / 10]))));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
