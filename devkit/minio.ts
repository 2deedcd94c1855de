/**
 * A real S3-compatible server for tests and benchmarks: MinIO (scripts/minio.sh builds it once into .tools/bin),
 * started on free loopback ports with generated root credentials and its data in a temp folder, with one bucket.
 * `env` holds the standard AWS variables that point the SDK's chain (and delta-rs) at it; `stop()` ends it
 * (SIGTERM, then SIGKILL) and removes its data. docs/decisions/s3-test-server.md says why MinIO.
 */
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './python';

const run = promisify(execFile);

export interface MinioServer {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY for this server. */
  env: Record<string, string>;
  /** The server's process (benchmarks count its CPU time). */
  pid: number;
  stop(): Promise<void>;
}

/** The MinIO binary, built into .tools/bin the first time (minutes); later calls return at once. */
export async function ensureMinio(): Promise<string> {
  const { stdout } = await run('bash', [path.join(REPO_ROOT, 'scripts', 'minio.sh')], { maxBuffer: 1 << 24 });
  return stdout.trim().split('\n').pop() as string;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(endpoint: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`MinIO exited (${child.exitCode ?? child.signalCode}):\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(`${endpoint}/minio/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`MinIO did not become ready at ${endpoint} in ${timeoutMs} ms:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => { if (!exited(child)) child.kill('SIGKILL'); }, graceMs);
  await gone;
  clearTimeout(timer);
}

/** Start MinIO on 127.0.0.1 with a fresh data folder and credentials, and create `bucket` there. */
export async function startMinio(opts: { bucket?: string } = {}): Promise<MinioServer> {
  const binary = await ensureMinio();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'batch-score-minio-'));
  const [port, consolePort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const region = 'us-east-1';
  const logFile = path.join(dir, 'minio.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    binary,
    ['server', path.join(dir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    {
      env: { ...process.env, MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: 'off', MINIO_UPDATE: 'off' },
      stdio: ['ignore', log, log],
    },
  );
  fs.closeSync(log);
  const stop = async () => {
    await stopProcess(child, 5000);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(endpoint, child, logFile, 30_000);
    const bucket = opts.bucket ?? 'batch-score-test';
    // Loaded here, not at the top: devkit's index is imported by every benchmark process, and the SDK alone takes
    // ~0.2 s to load, which bench/score would count as batch-score's time.
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    client.destroy();
    const env = { AWS_ENDPOINT_URL: endpoint, AWS_REGION: region, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
    return { endpoint, region, accessKeyId, secretAccessKey, bucket, env, pid: child.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
