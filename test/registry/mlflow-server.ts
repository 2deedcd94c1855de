/**
 * A real MLflow tracking server for tests: `mlflow server` from the project's virtual environment on a free
 * loopback port, SQLite backend and a local artifact destination served through its artifact proxy.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { PYTHON } from '../support/processes';

export interface MlflowServer {
  uri: string;
  dir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * `artifacts: 'proxy'` (MLflow's default): artifacts under DIR/artifacts, served through the server's proxy.
 * `artifacts: 'local'`: --no-serve-artifacts with a local artifact root, which clients read and write directly.
 */
export async function startMlflowServer(dir: string, opts: { artifacts?: 'proxy' | 'local' } = {}): Promise<MlflowServer> {
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(dir, 'mlflow-server.log'), 'a');
  const child: ChildProcess = spawn(
    path.join(path.dirname(PYTHON), 'mlflow'),
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
      '--backend-store-uri', `sqlite:///${path.join(dir, 'mlflow.db')}`,
      ...(opts.artifacts === 'local'
        ? ['--no-serve-artifacts', '--default-artifact-root', path.join(dir, 'artifacts')]
        : ['--artifacts-destination', path.join(dir, 'artifacts')])],
    {
      cwd: dir,
      detached: true, // own process group: stop() ends the server and its workers
      stdio: ['ignore', log, log],
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' }, // no background job runner processes
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    if (child.pid) {
      group('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      group('SIGKILL'); // stragglers of the group
    }
    fs.closeSync(log);
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode}; see ${path.join(dir, 'mlflow-server.log')}`);
    const ok = await fetch(`${uri}/health`).then((r) => r.ok, () => false);
    if (ok) return { uri, dir, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`mlflow server not healthy after 120 s; see ${path.join(dir, 'mlflow-server.log')}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
