/**
 * A newcomer's first hour, end to end: a git clone of this checkout's HEAD in a temp folder, `npm ci` there (its
 * own node_modules, from npm's cache when warm, as in CI), then the README's quickstart and the commands its
 * quickstart lists, as written, each without an error or an npm warning; SIGTERM to `npm run demo` leaves
 * nothing running; then the walk-through from raw events to a report, line by line as a user types it. Slow
 * (minutes: npm ci, the TypeScript build, two demos, the walk-through), and the only test that shows the README
 * works from a clean checkout.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../cli/temporal-server';
import { allGone, closedPort, descendantsOf, printed, REPO_ROOT, tempDir, terminate } from '../support/processes';

const run = promisify(execFile);

/** The lines of the README's ```sh block that contains `marker`, comments removed. */
function readmeBlock(readme: string, marker: string): string[] {
  const block = readme.split('```sh\n').map((b) => b.split('```')[0]).find((b) => b.includes(marker));
  assert.ok(block, `README has a sh block with ${marker}`);
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
}

describe('a fresh clone follows the README', function () {
  this.timeout(900_000);
  let dir: string;
  let clone: string;
  let env: NodeJS.ProcessEnv;

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // reads /proc
    dir = await tempDir('fresh-clone');
    clone = path.join(dir, 'batch-score');
    await run('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
    // Nothing of the npm that runs these tests (npm_config_*, npm_lifecycle_*) may reach the clone's npm.
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'ONNXRUNTIME_NODE_INSTALL' && k !== 'BATCH_SCORE_DATA'));
    // The machine's Temporal CLI (the README's TEMPORAL_CLI_PATH), so the clone does not build one with Go; and a
    // free port for the commands to look at, so a server already on 7233 here does not decide the outcome.
    env.TEMPORAL_CLI_PATH = findTemporalCli();
    env.TEMPORAL_ADDRESS = `localhost:${await closedPort()}`;
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const inClone = (cmd: string, args: string[]) => run(cmd, args, { cwd: clone, env, maxBuffer: 1 << 26 });

  it('npm ci builds the CLI, without npm warnings and without the GPU download; npx batch-score answers', async function () {
    const { stdout, stderr } = await inClone('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
    assert.doesNotMatch(stdout + stderr, /npm warn/i);
    assert.ok(fs.existsSync(path.join(clone, 'dist', 'cli', 'main.js')), 'npm ci built dist/');
    const ortBin = path.join(clone, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', `${process.platform}`, process.arch);
    assert.ok(fs.existsSync(ortBin), ortBin);
    assert.deepEqual(fs.readdirSync(ortBin).filter((f) => f.includes('cuda')), [], 'no CUDA provider was downloaded');

    const help = await inClone('npx', ['batch-score', '--help']);
    assert.match(help.stdout, /^Usage: batch-score <command>/);
    assert.equal(help.stderr, '');
  });

  it("the quickstart's demo, then the commands the README tries against the kept-running demo; SIGTERM stops it all", async function () {
    const readme = fs.readFileSync(path.join(clone, 'README.md'), 'utf8');
    const quickstart = readmeBlock(readme, 'npm run demo');
    assert.equal(quickstart[0], 'npm ci && npm run demo');
    const demo = await inClone('npm', ['run', 'demo']);
    assert.match(demo.stdout, /scored 100,000 users for 2026-11-23/);
    assert.doesNotMatch(demo.stdout + demo.stderr, /npm (warn|error)/i);

    const [keep, ...commands] = readmeBlock(readme, 'npm run demo -- --keep-running');
    assert.equal(keep, 'npm run demo -- --keep-running');
    assert.ok(commands.length >= 3 && commands.every((c) => c.startsWith('npx batch-score ')), commands.join('\n'));
    const npm = spawn('npm', keep.split(' ').slice(1), { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await printed(npm, /The other commands reach them as they are/);
      for (const command of [...commands, 'npx batch-score status score-users-2026-11-23']) {
        const [cmd, ...args] = command.split(/\s+/);
        const r = await inClone(cmd, args).catch((err: { stderr?: string }) => assert.fail(`${command}: ${err.stderr ?? err}`));
        assert.doesNotMatch(r.stderr, /npm (warn|error)/i, command);
        assert.notEqual(r.stdout.trim(), '', command);
      }
      const stopped = await terminate(npm);
      assert.equal(stopped.code, 0);
      assert.deepEqual(stopped.leftBehind, [], 'processes npm run demo started outlived SIGTERM');
    } finally {
      npm.kill('SIGKILL');
    }
  });

  it('the walk-through from raw events to a report, line by line (5,000 users; the dev server on free ports, as its note says)', async function () {
    const readme = fs.readFileSync(path.join(clone, 'README.md'), 'utf8');
    const [exportLine, ...lines] = readmeBlock(readme, 'npx batch-score ingest');
    assert.equal(exportLine, 'export BATCH_SCORE_DATA=$PWD/lake');
    const [port, uiPort] = [await closedPort(), await closedPort()];
    const walkEnv = { ...env, BATCH_SCORE_DATA: path.join(clone, 'lake'), TEMPORAL_ADDRESS: `127.0.0.1:${port}` };
    const jobs: ChildProcess[] = [];
    const out: string[] = [];
    try {
      for (const line of lines) {
        if (line.startsWith('kill %')) {
          // `kill %1 %2` in an interactive shell: SIGTERM to each job's process group.
          const pids = (await Promise.all(jobs.map((j) => descendantsOf(j.pid!)))).flat();
          for (const j of jobs) process.kill(-j.pid!, 'SIGTERM');
          assert.ok(await allGone([...jobs.map((j) => j.pid!), ...pids], 15_000), `${line}: the jobs and what they started are gone`);
          continue;
        }
        let command = line.replace(/\s*&$/, '').replace('--users 100000', '--users 5000');
        if (command === 'npx batch-score dev-server') command += ` --port ${port} --ui-port ${uiPort}`;
        const [cmd, ...args] = command.split(/\s+/);
        if (line.endsWith('&')) {
          // A background job of the shell: its own process group, as job control gives it.
          const job = spawn(cmd, args, { cwd: clone, env: walkEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
          jobs.push(job);
          await printed(job, command.includes('dev-server') ? /Temporal dev server on/ : /batch-score worker \(all\)/);
          continue;
        }
        const r = await run(cmd, args, { cwd: clone, env: walkEnv, maxBuffer: 1 << 26 }).catch((err: { stderr?: string }) => assert.fail(`${command}: ${err.stderr ?? err}`));
        assert.doesNotMatch(r.stderr, /npm (warn|error)/i, command);
        out.push(r.stdout + r.stderr);
      }
    } finally {
      for (const j of jobs) if (j.exitCode === null) process.kill(-j.pid!, 'SIGKILL');
    }
    const all = out.join('\n');
    assert.match(all, /rows? ingested, 0 quarantined/);
    assert.match(all, /labels 2026-11-23: [\d,]+ users, [\d,]+ purchased in the next 7 days/);
    assert.match(all, /held out\s+\d+\s+[\d.]+%\s+0\.\d{4}/);
    // The backfill's own summary: one line per date it scored (not merely the dates named somewhere).
    for (const day of ['2026-11-16', '2026-11-23']) assert.match(all, new RegExp(`^${day} {2}[\\d,]+ users {2}gold version \\d+ {2}\\d+ top buyers {2}\\(score-users-${day}\\)$`, 'm'));
    const html = fs.readFileSync(path.join(clone, 'lake', 'reports', 'purchase-propensity-2026-11-23.html'), 'utf8');
    for (const section of ['Deciles', 'Lift and cumulative gain', 'Drift against 2026-11-16']) assert.ok(html.includes(section), section);
    assert.match(all, /created schedule score-users-weekly/);
  });
});
