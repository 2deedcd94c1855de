/**
 * The local Temporal server: the Temporal CLI's dev server, used by `demo`, `dev-server` and the tests.
 *
 * Finding the CLI binary, in order:
 *   TEMPORAL_CLI_PATH  →  `temporal` on PATH  →  the project's tools folder (.tools/bin)
 *   →  build it there with `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
 *   →  only where Go is absent: the SDK's own download (needs the internet).
 * v1.5.1 is the newest tag `go install pkg@version` accepts (later go.mod files carry a replace directive).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPathFromEnv } from '../config';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';
export const TOOLS_BIN = path.resolve(__dirname, '..', '..', '.tools', 'bin');

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** The Temporal CLI binary already on this machine, or undefined. */
export function findTemporalCli(): string | undefined {
  const fromEnv = temporalCliPathFromEnv();
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file`);
    return fromEnv;
  }
  return onPath('temporal') ?? (isExecutable(path.join(TOOLS_BIN, 'temporal')) ? path.join(TOOLS_BIN, 'temporal') : undefined);
}

/**
 * The Temporal CLI binary, built into the tools folder with Go when it is nowhere yet.
 * Returns undefined only when Go is absent too (then the SDK downloads the CLI itself).
 */
export function ensureTemporalCli(log: (line: string) => void = () => {}): string | undefined {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go');
  if (!go) return undefined;
  fs.mkdirSync(TOOLS_BIN, { recursive: true });
  log(`building the Temporal CLI (${TEMPORAL_CLI_MODULE}) into ${TOOLS_BIN}; this happens once and takes a few minutes`);
  const built = spawnSync(go, ['install', TEMPORAL_CLI_MODULE], {
    env: { ...process.env, GOBIN: TOOLS_BIN },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const binary = path.join(TOOLS_BIN, 'temporal');
  if (built.status !== 0 || !isExecutable(binary)) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${built.status}); set TEMPORAL_CLI_PATH to a Temporal CLI binary`);
  }
  return binary;
}

/**
 * Dynamic config of every dev server this project starts: one partition per task queue instead of four. A task
 * that finds no poller waits in its partition's backlog until a poll lands on that partition; with one scoring
 * slot per process (`--processes cores`) a few pollers cover four partitions badly, and units waited up to 2 s
 * in a 10M-user run (docs/decisions/task-queue-partitions.md).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  '--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1',
];

export interface LocalServerOptions {
  /** SQLite file to persist to; in memory when absent. */
  dbFilename?: string;
  port?: number;
  /** Serve the Web UI (on port + 1000 unless uiPort is given). */
  ui?: boolean;
  uiPort?: number;
  log?: (line: string) => void;
}

/** Start the CLI's dev server and connect to it; `teardown()` stops it. */
export async function startLocalServer(opts: LocalServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const cli = ensureTemporalCli(opts.log);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli ? { type: 'existing-path', path: cli } : { type: 'cached-download' },
      dbFilename: opts.dbFilename,
      port: opts.port,
      ui: opts.ui ?? false,
      uiPort: opts.uiPort,
      log: { format: 'pretty', level: 'error' },
      extraArgs: DEV_SERVER_DYNAMIC_CONFIG,
    },
  });
}

/** The port bound on `ip` (0: one the OS picks) and released at once, or undefined when it cannot be bound. */
function bindable(port: number, ip = '127.0.0.1'): Promise<number | undefined> {
  return new Promise<number | undefined>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, ip, () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** `preferred` if nothing listens on it on this machine, else a port the OS picks as free. */
export async function freePortOr(preferred: number): Promise<number> {
  return (await bindable(preferred)) ?? (await bindable(0))!;
}

/** True when something already listens on `port` at `ip` (a server started there would fail to bind). */
export async function portInUse(port: number, ip = '127.0.0.1'): Promise<boolean> {
  return (await bindable(port, ip)) === undefined;
}
