/**
 * The demo as a newcomer meets it: `npm run demo -- --keep-running` serves where the other commands look, the
 * README's dates have data there (`run --date 2026-11-23`, `backfill --from 2026-11-09 --to 2026-11-23`), a
 * second server on its database is refused, and SIGTERM to npm stops every process the demo started. When the
 * port is taken the demo serves elsewhere and prints the line that reaches it. Real processes, real dev server.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ScoreUsersResult } from '../../workflows/score-users';
import { DEMO_DATES } from '../../cli/demo';
import { closedPort, printed, REPO_ROOT, tempDir, terminate } from '../support/processes';
import { cli } from './cli-world';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
// The demo's last words: one line when it serves where the commands look, two when it prints the line to reach it.
const KEEP_RUNNING = /server, UI and worker stay up; Ctrl-C to stop\. The other commands reach them (as they are.*\n|after:\n.*\n)/;

describe('batch-score demo: the first hour', function () {
  let dir: string;
  let db: string;
  before(async function () {
    if (process.platform !== 'linux') this.skip(); // reads /proc
    dir = await tempDir('demo');
    db = path.join(dir, 'temporal', 'dev-server.db');
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('npm run demo --keep-running serves where the commands look, the README dates have data, a second server is refused, SIGTERM stops all', async function () {
    const port = await closedPort();
    const env = { TEMPORAL_ADDRESS: `localhost:${port}`, BATCH_SCORE_DATA: dir };
    // --ignore-scripts skips predemo's build (dist/ is built; rebuilding it under running tests is not wanted)
    const npm = spawn('npm', ['run', 'demo', '--ignore-scripts', '--', '--users', '2000', '--keep-running'], {
      cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await printed(npm, KEEP_RUNNING);
      assert.match(out, new RegExp(`Temporal at 127\\.0\\.0\\.1:${port}, Web UI http://127\\.0\\.0\\.1:${port + 1000}\\n`));
      for (const day of DEMO_DATES) assert.match(out, new RegExp(`generating 2,000 users into .* \\(snapshot_date=${day}\\)`));
      assert.match(out, /The other commands reach them as they are, e.g. npx batch-score status score-users-2026-11-23\n/);

      assert.ok(README.includes('batch-score run --date 2026-11-23 --wait'));
      const run = await cli(['run', '--date', '2026-11-23', '--wait', '--json'], env);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as ScoreUsersResult).rowsScored, 2000);
      assert.ok(README.includes('batch-score backfill --from 2026-11-09 --to 2026-11-23 --every 7d'));
      const backfill = await cli(['backfill', '--from', '2026-11-09', '--to', '2026-11-23', '--every', '7d', '--wait'], env);
      assert.equal(backfill.code, 0, backfill.stderr);
      assert.deepEqual(backfill.stdout.trim().split('\n').map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
        ['2026-11-09 2000 users', '2026-11-16 2000 users', '2026-11-23 2000 users']);

      for (const second of [['dev-server'], ['demo', '--users', '2000']]) {
        const refused = await cli(second, env);
        assert.equal(refused.code, 1, refused.stderr);
        assert.match(refused.stderr, new RegExp(`^batch-score ${second[0]}: another Temporal dev server uses the database ${db} \\(pid \\d+ at 127\\.0\\.0\\.1:${port}\\); stop it first`));
      }
      assert.ok(fs.existsSync(`${db}.lock`));

      const stopped = await terminate(npm);
      assert.ok(stopped.started.length >= 3, `the demo's processes (launcher, demo, server): ${stopped.started}`);
      assert.equal(stopped.code, 0);
      assert.deepEqual(stopped.leftBehind, [], 'processes the demo started outlived SIGTERM to npm');
      assert.equal(fs.existsSync(`${db}.lock`), false, 'the database lock is released');
    } finally {
      npm.kill('SIGKILL');
    }
  });

  it('serves on another port when the one the commands look at is taken, and prints the line that reaches it', async function () {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const demo = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), 'demo', '--users', '2000', '--keep-running'], {
      env: { ...process.env, TEMPORAL_ADDRESS: `localhost:${port}`, BATCH_SCORE_DATA: dir }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await printed(demo, KEEP_RUNNING);
      const line = /The other commands reach them after:\n {2}export TEMPORAL_ADDRESS=(127\.0\.0\.1:(\d+))\n/.exec(out);
      assert.ok(line, out);
      assert.notEqual(Number(line[2]), port);
      const status = await cli(['status', 'score-users-2026-11-23', '--json'], { TEMPORAL_ADDRESS: line[1], BATCH_SCORE_DATA: dir });
      assert.equal(status.code, 0, status.stderr);
      assert.equal(JSON.parse(status.stdout).status, 'COMPLETED');

      const stopped = await terminate(demo);
      assert.equal(stopped.code, 0);
      assert.deepEqual(stopped.leftBehind, [], 'processes the demo started outlived SIGTERM');
    } finally {
      demo.kill('SIGKILL');
      taken.close();
    }
  });
});
