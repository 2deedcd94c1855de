/**
 * One dev server per database file (cli/server-lock.ts): a lock held by a live process refuses the next server
 * with a message naming the database, the holder's pid and address; a lock left by a dead process is taken over;
 * release removes it. The holder here is a real other process (a sleeping node), as a second server would see.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lockServerDatabase } from '../../cli/server-lock';
import { tempDir } from '../support/processes';

describe('cli: one dev server per database file', function () {
  let dir: string;
  let db: string;
  let holder: ChildProcess;
  before(async () => {
    dir = await tempDir('server-lock');
    db = path.join(dir, 'dev-server.db');
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  });
  after(() => {
    holder.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses while another live process holds the lock, naming the database, its pid and address', function () {
    fs.writeFileSync(`${db}.lock`, JSON.stringify({ pid: holder.pid, address: '127.0.0.1:7233' }));
    assert.throws(() => lockServerDatabase(db), (err: Error & { exitCode?: number }) => {
      assert.equal(err.message, `another Temporal dev server uses the database ${db} (pid ${holder.pid} at 127.0.0.1:7233); ` +
        'stop it first, or use it with TEMPORAL_ADDRESS=127.0.0.1:7233, or choose another --data-dir');
      assert.equal(err.exitCode, 1);
      return true;
    });
    assert.deepEqual(JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')), { pid: holder.pid, address: '127.0.0.1:7233' }, 'the holder keeps its lock');
  });

  it('takes over the lock of a process that is gone, records its address, and release removes it', async function () {
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const lock = lockServerDatabase(db);
    lock.setAddress('127.0.0.1:45678');
    assert.deepEqual(JSON.parse(fs.readFileSync(`${db}.lock`, 'utf8')), { pid: process.pid, address: '127.0.0.1:45678' });
    lock.release();
    assert.equal(fs.existsSync(`${db}.lock`), false);
    lockServerDatabase(db).release(); // free again
  });
});
