/**
 * `batch-score dev-server` on a taken port: refused before it says it started, exit 1, with the options to choose
 * other ports and the TEMPORAL_ADDRESS the other commands then need; no server started, the database lock released.
 * The ports are held by a real listener in this process, as another server would hold them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { closedPort, tempDir } from '../support/processes';
import { cli } from './cli-world';

describe('cli: dev-server on a port in use', function () {
  this.timeout(30_000);
  let dir: string;
  let holder: net.Server;
  let taken: number;
  before(async () => {
    dir = await tempDir('dev-server-ports');
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    taken = (holder.address() as net.AddressInfo).port;
  });
  after(async () => {
    await new Promise((resolve) => holder.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the frontend port: exit 1 naming it, --port/--ui-port and TEMPORAL_ADDRESS, nothing on stdout', async () => {
    const r = await cli(['dev-server', '--port', String(taken), '--ui-port', String(await closedPort()), '--data-dir', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `batch-score dev-server: port ${taken} is in use: start it with --port N --ui-port M and export TEMPORAL_ADDRESS=127.0.0.1:N\n`);
    assert.equal(fs.existsSync(path.join(dir, 'temporal', 'dev-server.db.lock')), false, 'the lock is released');
  });

  it('the Web UI port: exit 1 naming it', async () => {
    const r = await cli(['dev-server', '--port', String(await closedPort()), '--ui-port', String(taken), '--data-dir', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `batch-score dev-server: Web UI port ${taken} is in use: start it with --ui-port M ` +
      '(or --port N --ui-port M and export TEMPORAL_ADDRESS=127.0.0.1:N)\n');
  });
});
