/**
 * Running the project's own CLI from tests; where things are; temp folders. The Python side (delta-rs) is in
 * devkit/python.ts, shared with the benchmarks, and re-exported here for the tests.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../devkit/python';

export { PYTHON, python, REPO_ROOT } from '../../devkit/python';

const run = promisify(execFile);

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

export function jsonLines<T = Record<string, unknown>>(text: string): T[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T);
}
