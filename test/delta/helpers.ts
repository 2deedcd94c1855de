/**
 * Shared test helpers for the Delta layer: temp tables, the independent reader (Python deltalake, i.e.
 * delta-rs), the CLI's `read --json` in-process, and an order-insensitive row comparison.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { deltaCommand } from '../../cli/delta';
import { ColumnBatch, DeltaTimestamp, StructType } from '../../delta';
import { PREDICTIONS_SCHEMA } from '../../pipeline/gold-schemas';
import { GOLDEN_ROOT, PYTHON, REPO_ROOT, tempDir as supportTempDir } from '../support/processes';

export { GOLDEN_ROOT as goldenRoot, PYTHON as python, REPO_ROOT as repoRoot };
export const pythonScript = (name: string) => path.join(REPO_ROOT, 'python/delta', name);

export const tempDir = (prefix = 'delta-test') => supportTempDir(prefix.replace(/-$/, ''));

/** Runs a helper script under python/delta; returns stdout, throws with stderr on failure. */
export function runPython(script: string, args: string[], opts: { allowFail?: boolean; input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(PYTHON, [pythonScript(script), ...args], { encoding: 'utf8', maxBuffer: 1 << 28, input: opts.input });
  if (r.error) throw r.error;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${script} ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout.slice(0, 2000)}`);
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** delta-rs's rows of a table as JSON lines, or {error} when it refuses. */
export function deltaRsRows(table: string, version?: number): { rows?: string[]; error?: string } {
  const r = runPython('read_table.py', version === undefined ? [table] : [table, '--version', String(version)], { allowFail: true });
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  if (r.status !== 0) return { error: lines.length && lines[lines.length - 1].startsWith('{"error"') ? JSON.parse(lines[lines.length - 1]).error : '' };
  return { rows: lines };
}

/** `batch-score delta <args>` in-process: exit code, stdout, stderr. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await deltaCommand(args, { out: { write: (s: string) => { out += s; return true; } }, err: { write: (s: string) => { err += s; return true; } } });
  return { code, out, err };
}

/** Our rows of a table via `delta read --json`, or {error}. */
export async function ourRows(table: string, version?: number): Promise<{ rows?: string[]; error?: string }> {
  const r = await cli(['read', table, '--json', ...(version === undefined ? [] : ['--version', String(version)])]);
  if (r.code !== 0) return { error: r.err.trim() };
  return { rows: r.out.split('\n').filter((l) => l.trim() !== '') };
}

/** JSON.parse that keeps integers beyond 2^53 exact (as tagged strings) on both sides of a comparison. */
function parseExact(line: string): unknown {
  return JSON.parse(line.replace(/([:\[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"__int:$2"'));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canonical(o[k])]));
  }
  return v;
}

/** Canonical, sorted row texts (keys sorted, numbers normalised), for order-insensitive comparison. */
export function canonicalRows(lines: string[]): string[] {
  return lines.map((l) => JSON.stringify(canonical(parseExact(l)))).sort();
}

/** First difference between two row sets (naming the differing columns), or undefined when they hold the same rows. */
export function rowDiff(ours: string[], theirs: string[], label = 'delta-rs'): string | undefined {
  const a = canonicalRows(ours);
  const b = canonicalRows(theirs);
  if (a.length !== b.length) return `row counts differ: ours ${a.length}, ${label} ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const x = JSON.parse(a[i]) as Record<string, unknown>;
    const y = JSON.parse(b[i]) as Record<string, unknown>;
    const cols = [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]));
    return `values differ in column(s) ${cols.join(', ')}: first differing row\n  ours:     ${a[i]}\n  ${label.padEnd(9)} ${b[i]}`;
  }
  return undefined;
}

const field = (name: string, type: StructType['fields'][number]['type'], nullable = true) => ({ name, type, nullable, metadata: {} });

/** The Gold purchase_predictions schema: the product's own contract. */
export const GOLD_SCHEMA: StructType = PREDICTIONS_SCHEMA;

export const SILVER_FEATURES = ['f_recency_days', 'f_frequency', 'f_monetary', 'f_sessions', 'f_pageviews', 'f_cart_adds', 'f_discount_rate', 'f_tenure_days', 'f_returns', 'f_email_ctr'];

/** A Silver user_features-like schema: user_id, 10 double/integer features, snapshot_date partition. */
export const SILVER_SCHEMA: StructType = {
  type: 'struct',
  fields: [
    field('user_id', 'long', false),
    ...SILVER_FEATURES.map((f, i) => field(f, i % 3 === 1 ? 'integer' : 'double')),
    field('snapshot_date', 'date'),
  ],
};

/** A value as comparable text: exact for bigints, NaN and -0, timestamps (micros) and bytes. */
export function canonValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (v instanceof DeltaTimestamp) return `ts:${v.micros}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  return `${typeof v}:${String(v)}`;
}

/**
 * Rows as python/delta/write_table.py and spark_table.py make them (id, value = id / 4, name null every 7th,
 * ts = 2026-01-01 + id seconds + id microseconds), written by us: the other engines' rows and ours line up.
 */
export function engineRows(start: number, count: number): ColumnBatch {
  const ids = Array.from({ length: count }, (_, i) => start + i);
  const base = BigInt(Date.UTC(2026, 0, 1)) * 1000n;
  return {
    numRows: count,
    columns: {
      id: ids.map(BigInt), value: ids.map((i) => i / 4), name: ids.map((i) => (i % 7 === 0 ? null : `n${i}`)),
      ts: ids.map((i) => new DeltaTimestamp(base + BigInt(i) * 1_000_001n)),
    },
  };
}
