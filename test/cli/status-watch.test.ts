/**
 * `batch-score status WORKFLOW_ID --watch` (issue 11, must-have 6): against a real dev server and a `batch-score
 * worker` process, it follows a run from before any worker is up until the run ends, showing plain `progress ...`
 * lines on stderr (not a terminal) whose counts rise, and then prints exactly what `status` prints for the ended
 * run, with its exit code: a plain run (units), a sharded run (units across its shards), a backfill (dates done)
 * and a failed run (exit 1). The worker starts only after the watch did, so the watch sees the whole run.
 */
import * as assert from 'node:assert/strict';
import { dataLayout } from '../../config';
import { generateSilver } from '../../demo';
import { batchScore } from '../support/processes';
import { cli, CliResult, CliWorld, startCliWorld } from './cli-world';

const DAY = '2026-11-23';
const EARLIER_DAY = '2026-11-16';
const MANY_UNITS_DAY = '2026-11-09';
const SHARDED_DAY = '2026-11-02';
const NO_DATA_DAY = '2026-11-30';
const USERS = 2_000;
const SHARDED_UNITS = 1_300; // two shards of scoreShard (1,000 units each at most)

describe('batch-score status --watch', function () {
  this.timeout(300_000);
  let world: CliWorld;

  before(async function () {
    world = await startCliWorld({ day: DAY, users: USERS, worker: false });
    const { temporal, dir } = world;
    await batchScore(['generate', '--users', String(USERS), '--date', EARLIER_DAY, '--seed', '4'], temporal);
    // Files of 10 users (one row group each): 200 units of 10 rows, so a run lasts long enough to watch its counts.
    await batchScore(['generate', '--users', String(USERS), '--date', MANY_UNITS_DAY, '--seed', '5', '--file-rows', '10'], temporal);
    // One user a row group: --unit-rows 1 makes one unit per user, past one shard.
    const data = dataLayout(dir);
    await generateSilver({ tablePath: data.silverFeatures, labelsPath: data.silverLabels, users: SHARDED_UNITS, seed: 6, snapshotDate: SHARDED_DAY, fileRows: 100, rowGroupRows: 1 });
  });

  after(async function () {
    await world?.stop();
  });

  /**
   * `start` (a command that starts a workflow without waiting) while no worker runs, then `status ID --watch`,
   * then a worker: the watch's result, and `status ID` once it ended.
   */
  async function watch(workflowId: string, start: string[]): Promise<{ watched: CliResult; status: CliResult; progress: string[] }> {
    await world.stopWorker();
    const started = await cli(start, world.temporal);
    assert.equal(started.code, 0, started.stderr);
    const watching = cli(['status', workflowId, '--watch'], world.temporal);
    await new Promise((r) => setTimeout(r, 1500)); // the watch is connected and polling a run nobody works on
    await world.startWorker();
    const watched = await watching;
    const status = await cli(['status', workflowId], world.temporal);
    // A worker slow to start (a loaded machine) may first be missed: the watch then says no worker polls the run.
    const progress = watched.stderr.trimEnd().split('\n').filter((l) => l !== '' && !l.startsWith('batch-score: no worker polls task queue '));
    for (const line of progress) assert.match(line, new RegExp(`^progress ${workflowId}: `), watched.stderr);
    // What it printed once the run ended is what status prints of the ended run, with the same exit code.
    assert.equal(watched.stdout, status.stdout);
    assert.equal(watched.code, status.code);
    return { watched, status, progress };
  }

  /** The counts of the progress lines matching `pattern` (its first group), in order. */
  const counts = (lines: string[], pattern: RegExp) => lines.map((l) => pattern.exec(l)).filter((m) => m !== null).map((m) => Number(m![1].replace(/,/g, '')));

  const rising = (values: number[]) => values.every((v, i) => i === 0 || v > values[i - 1]);

  it('a plain run: units scored rise in the progress lines, then the run\'s result; exit 0', async function () {
    const workflowId = `score-users-${MANY_UNITS_DAY}`;
    const { watched, progress } = await watch(workflowId, ['run', '--date', MANY_UNITS_DAY, '--unit-rows', '10', '--max-parallel', '1']);
    assert.equal(watched.code, 0, watched.stderr);
    const scored = counts(progress, new RegExp(`^progress ${workflowId}: scoring, ([\\d,]+)/200 units$`));
    assert.ok(scored.length >= 2 && rising(scored), `rising unit counts while scoring:\n${watched.stderr}`);
    assert.ok(scored[scored.length - 1] <= 200);
    const out = watched.stdout.split('\n');
    assert.match(out[0], new RegExp(`^${workflowId} \\(run \\S+\\): COMPLETED$`));
    assert.ok(watched.stdout.includes(`scored ${USERS.toLocaleString('en-US')} users for ${MANY_UNITS_DAY} in 200 unit(s)`), watched.stdout);
  });

  it('a sharded run: units across its shards, the second shard counting on from the first', async function () {
    const workflowId = `score-users-${SHARDED_DAY}`;
    const { watched, progress } = await watch(workflowId, ['run', '--date', SHARDED_DAY, '--unit-rows', '1']);
    assert.equal(watched.code, 0, watched.stderr);
    const total = SHARDED_UNITS.toLocaleString('en-US');
    const first = counts(progress, new RegExp(`^progress ${workflowId}: scoring \\(shard 1 of 2\\), ([\\d,]+)/${total} units$`));
    const second = counts(progress, new RegExp(`^progress ${workflowId}: scoring \\(shard 2 of 2\\), ([\\d,]+)/${total} units$`));
    assert.ok(first.length >= 1 && second.length >= 1, `lines of both shards:\n${watched.stderr}`);
    assert.ok(rising([...first, ...second]), watched.stderr);
    assert.ok(second[0] >= 1_000, `the second shard's line counts the first shard's 1,000 units:\n${watched.stderr}`);
    assert.match(watched.stdout.split('\n')[0], new RegExp(`^${workflowId} \\(run \\S+\\): COMPLETED$`));
  });

  it('a backfill: dates done, then one line per date; exit 0', async function () {
    const workflowId = `backfill-${EARLIER_DAY}-${DAY}`;
    const { watched, progress } = await watch(workflowId, ['backfill', '--from', EARLIER_DAY, '--to', DAY]);
    assert.equal(watched.code, 0, watched.stderr);
    const dates = counts(progress, new RegExp(`^progress ${workflowId}: running (?:${EARLIER_DAY}|${DAY}), (\\d)/2 dates$`));
    assert.ok(dates.length >= 1 && dates.every((d) => d <= 1), `dates done while running:\n${watched.stderr}`);
    const out = watched.stdout.trimEnd().split('\n');
    assert.match(out[0], new RegExp(`^${workflowId} \\(run \\S+\\): COMPLETED$`));
    assert.deepEqual(out.slice(1).map((l) => l.slice(0, 10)), [EARLIER_DAY, DAY]);
  });

  it('a run that fails: its failure as status prints it; exit 1', async function () {
    const workflowId = `score-users-${NO_DATA_DAY}`;
    const { watched } = await watch(workflowId, ['run', '--date', NO_DATA_DAY]);
    assert.equal(watched.code, 1, watched.stderr);
    const out = watched.stdout.split('\n');
    assert.match(out[0], new RegExp(`^${workflowId} \\(run \\S+\\): FAILED$`));
    assert.equal(out[1], '  code    SilverNoData');
  });
});
