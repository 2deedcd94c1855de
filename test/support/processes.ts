/** Running the project's own CLI and the Python side (delta-rs) from tests; where things are; temp folders. */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const PYTHON = process.env.BATCH_SCORE_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
export const GOLDEN_ROOT = path.resolve(REPO_ROOT, '..', 'shared', 'delta-golden');

/** A fresh folder under the system temp folder, named batch-score-<prefix>-XXXXXX. */
export function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `batch-score-${prefix}-`));
}

/** `batch-score ARGS…` as a user runs it (the compiled bin), returning stdout. */
export async function batchScore(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'bin', 'batch-score.js'), ...args], {
    env: { ...process.env, ...env }, maxBuffer: 1 << 30,
  });
  return stdout;
}

/** A script under python/ run in the project's virtual environment, returning stdout. */
export async function python(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [path.join(REPO_ROOT, 'python', script), ...args], { maxBuffer: 1 << 30 });
  return stdout;
}

export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
