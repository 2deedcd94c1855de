/**
 * The project's Python side (python/, the .venv interpreter: delta-rs, scikit-learn, pyarrow), run from tests and
 * benchmarks to make reference data and to compare against.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The checkout's root (this file runs from dist/devkit/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const PYTHON = process.env.BATCH_SCORE_PYTHON ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');

/** A script under python/ run in the project's virtual environment, returning stdout. */
export async function python(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [path.join(REPO_ROOT, 'python', script), ...args], { maxBuffer: 1 << 30 });
  return stdout;
}
