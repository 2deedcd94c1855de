/** `batch-score dev-server`: the local Temporal dev server with its Web UI and a persistent database; stays up. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { num, parseCommand, positiveInt, str } from './args';
import { dataLayout } from '../config';
import { lockServerDatabase } from './server-lock';
import { CliError, EXIT } from './exit-codes';
import { DEV_SERVER_DYNAMIC_CONFIG, ensureTemporalCli, portInUse } from './temporal-server';

const HELP = `
Usage: batch-score dev-server [--port 7233] [--ui-port 8233] [--ip 127.0.0.1] [--db FILE] [--data-dir DIR]

Start the Temporal CLI's dev server (workflows persist in <data>/temporal/dev-server.db, shared with the demo).
The CLI binary: TEMPORAL_CLI_PATH, else temporal on PATH, else .tools/bin/temporal, else built with Go.
`;

export function devServerDb(dataDir?: string): string {
  return path.join(dataLayout(dataDir).root, 'temporal', 'dev-server.db');
}

export async function devServerCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    port: { type: 'string' }, 'ui-port': { type: 'string' }, ip: { type: 'string' }, db: { type: 'string' }, 'data-dir': { type: 'string' },
  }, args);
  if (!p) return 0;
  const cli = ensureTemporalCli((line) => console.error(line));
  if (!cli) throw new Error('no Temporal CLI and no Go to build one: set TEMPORAL_CLI_PATH');
  const port = num(p, 'port', positiveInt) ?? 7233;
  const uiPort = num(p, 'ui-port', positiveInt) ?? port + 1000;
  const db = str(p, 'db') ?? devServerDb(str(p, 'data-dir'));
  fs.mkdirSync(path.dirname(db), { recursive: true });
  const ip = str(p, 'ip') ?? '127.0.0.1';
  const host = ip === '0.0.0.0' ? 'localhost' : ip;
  // The lock first: another dev server on this database is named by it, more precisely than by its port.
  const lock = lockServerDatabase(db);
  try {
    await refuseTakenPorts(ip, host, port, uiPort);
  } catch (err) {
    lock.release();
    throw err;
  }
  lock.setAddress(`${host}:${port}`);
  console.log(`Temporal dev server on ${ip}:${port}, Web UI http://${host}:${uiPort}, database ${db}`);
  const server = spawn(cli, ['server', 'start-dev', '--ip', ip, '--port', String(port), '--ui-port', String(uiPort), '--db-filename', db, '--log-level', 'warn', ...DEV_SERVER_DYNAMIC_CONFIG], { stdio: 'inherit' });
  const stop = () => server.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise((resolve) => server.on('exit', (code) => {
    lock.release();
    resolve(code ?? 0);
  }));
}

/**
 * Refuses (exit 1) before anything is printed when the frontend or Web UI port is taken: the server would start,
 * log a raw bind error and exit, after this command had said it was up.
 */
async function refuseTakenPorts(ip: string, host: string, port: number, uiPort: number): Promise<void> {
  if (await portInUse(port, ip)) {
    throw new CliError(`port ${port} is in use: start it with --port N --ui-port M and export TEMPORAL_ADDRESS=${host}:N`, EXIT.failed);
  }
  if (await portInUse(uiPort, ip)) {
    throw new CliError(`Web UI port ${uiPort} is in use: start it with --ui-port M (or --port N --ui-port M and export TEMPORAL_ADDRESS=${host}:N)`, EXIT.failed);
  }
}
