/**
 * The run input contract of `scoreUsers` and `backfillScores`: whatever starts a run (the CLI, the Temporal UI,
 * a schedule, a backfill) hands the workflow JSON, and this module is the one place that decides whether it is
 * a valid input. Unknown fields are refused (with the closest known name: `score_date` → scoreDate), types are
 * exact (the string "0.5" is not a number), dates are real calendar dates (2026-02-30 is refused) and values are
 * in range. Every problem found is reported at once, as ONE non-retryable `InvalidInput` failure thrown before any
 * activity runs.
 *
 * Pure and deterministic (no Node built-ins): it runs inside the workflow sandbox and in plain unit tests.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { NullPolicy } from '../activities/types';
import { BACKFILL_DEFAULTS } from '../config/run-defaults';

/** What a person types into the Temporal UI; every field is optional. */
export interface ScoreUsersInput {
  /** YYYY-MM-DD; default: the scheduled time's date (schedules, backfills), else the date the run started (UTC). */
  scoreDate?: string;
  /** models:/NAME@ALIAS, models:/NAME/VERSION, models:/NAME/STAGE or a file path. */
  modelUri?: string;
  /** Ordered Silver columns the model takes; default: the MLflow signature, else the ONNX metadata. */
  features?: string[];
  /** The model's probability output, when it has several candidates. */
  outputName?: string;
  /** Column of the positive class in an [N, K] probability output (default: the model's metadata, else 1). */
  positiveColumn?: number;
  silverTable?: string;
  /** Pin a Silver table version instead of the latest. */
  silverVersion?: number;
  goldTable?: string;
  topBuyersTable?: string;
  topBuyers?: { fraction?: number; minProbability?: number; limit?: number };
  unitRows?: number;
  maxParallel?: number;
  /** Null, NaN or ±Infinity features: fail the run (default), impute from the model's metadata, or skip the user. */
  nullPolicy?: NullPolicy;
  /** predicted_buyer = probability >= this (default 0.5, as Spark's `prediction`). */
  predictionThreshold?: number;
  /** Publish a date whose Silver snapshot holds zero rows (default: such a run fails). */
  allowEmptySnapshot?: boolean;
}

export interface BackfillScoresInput extends Omit<ScoreUsersInput, 'scoreDate'> {
  from: string;
  to: string;
  /** Days between score dates (default 7: one run a week). */
  everyDays?: number;
  /** Dates scored at once (default 1: each run already scores its units in parallel). */
  maxConcurrent?: number;
}

/** One field of the contract: its JSON type and, for a value of that type, what is wrong with it (if anything). */
interface Field {
  type: 'string' | 'number' | 'boolean' | 'array' | 'object';
  /** What a valid value is, said in messages ("a whole number > 0"). */
  expected: string;
  valid?: (value: never) => boolean;
  required?: boolean;
  /** Fields of an object. */
  fields?: Fields;
}
type Fields = Record<string, Field>;

const DATE: Field = { type: 'string', expected: 'a calendar date YYYY-MM-DD', valid: isCalendarDate };
const NAME: Field = { type: 'string', expected: 'a non-empty string', valid: (s: string) => s.trim() !== '' };
const FRACTION: Field = { type: 'number', expected: 'a number between 0 and 1', valid: (n: number) => n >= 0 && n <= 1 };
const POSITIVE_INT: Field = { type: 'number', expected: 'a whole number > 0', valid: (n: number) => Number.isInteger(n) && n > 0 };
const NON_NEGATIVE_INT: Field = { type: 'number', expected: 'a whole number >= 0', valid: (n: number) => Number.isInteger(n) && n >= 0 };
const NULL_POLICIES: NullPolicy[] = ['error', 'impute', 'skip'];

/** The fields both workflows take for a run of one date (all but the date itself). */
const RUN_FIELDS: Fields = {
  modelUri: NAME,
  features: {
    type: 'array',
    expected: 'a non-empty list of column names (strings)',
    valid: (a: unknown[]) => a.length > 0 && a.every((f) => typeof f === 'string' && f.trim() !== ''),
  },
  outputName: NAME,
  positiveColumn: NON_NEGATIVE_INT,
  silverTable: NAME,
  silverVersion: NON_NEGATIVE_INT,
  goldTable: NAME,
  topBuyersTable: NAME,
  topBuyers: {
    type: 'object',
    expected: 'an object {fraction, minProbability, limit}',
    fields: { fraction: FRACTION, minProbability: FRACTION, limit: NON_NEGATIVE_INT },
  },
  unitRows: POSITIVE_INT,
  maxParallel: POSITIVE_INT,
  nullPolicy: { type: 'string', expected: `one of ${NULL_POLICIES.join(', ')}`, valid: (s: string) => (NULL_POLICIES as string[]).includes(s) },
  predictionThreshold: FRACTION,
  allowEmptySnapshot: { type: 'boolean', expected: 'true or false' },
};

export const SCORE_USERS_FIELDS: Fields = { scoreDate: DATE, ...RUN_FIELDS };

export const BACKFILL_FIELDS: Fields = {
  from: { ...DATE, required: true },
  to: { ...DATE, required: true },
  everyDays: POSITIVE_INT,
  maxConcurrent: POSITIVE_INT,
  ...RUN_FIELDS,
};

/** The `scoreUsers` input, checked; null or undefined means all defaults. Throws InvalidInput. */
export function checkScoreUsersInput(input: unknown): ScoreUsersInput {
  const value = input ?? {};
  refuse('scoreUsers', problemsOf(value, SCORE_USERS_FIELDS, ''));
  return value as ScoreUsersInput;
}

/** Dates a single backfill may cover: each is a child workflow, a few history events of the parent. */
export const MAX_BACKFILL_DATES = 1000;

/** The `backfillScores` input, checked (from and to are required, from ≤ to, at most 1000 dates). Throws InvalidInput. */
export function checkBackfillInput(input: unknown): BackfillScoresInput {
  const value = input ?? {};
  const problems = problemsOf(value, BACKFILL_FIELDS, '');
  if (problems.length === 0) {
    const { from, to, everyDays = BACKFILL_DEFAULTS.everyDays } = value as BackfillScoresInput;
    const dates = Math.floor((Date.parse(to) - Date.parse(from)) / (everyDays * 86_400_000)) + 1;
    if (from > to) problems.push(`no dates from ${from} to ${to}: from is after to`);
    else if (dates > MAX_BACKFILL_DATES) problems.push(`${from}..${to} every ${everyDays} days is ${dates} dates, over ${MAX_BACKFILL_DATES}: split it`);
  }
  refuse('backfillScores', problems);
  return value as BackfillScoresInput;
}

function refuse(workflow: string, problems: string[]): void {
  if (problems.length > 0) {
    throw ApplicationFailure.nonRetryable(`invalid ${workflow} input: ${problems.join('; ')}`, 'InvalidInput');
  }
}

/** Every problem of `value` against `fields`; `prefix` names the enclosing object ("topBuyers."). */
function problemsOf(value: unknown, fields: Fields, prefix: string): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${prefix ? prefix.slice(0, -1) : 'the input'} must be an object {...}, got ${describe(value)}`];
  }
  const problems: string[] = [];
  const given = value as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (Object.prototype.hasOwnProperty.call(fields, key)) continue;
    const near = closestName(key, Object.keys(fields));
    problems.push(`unknown field ${prefix}${key}${near ? `: did you mean ${prefix}${near}?` : ` (known fields: ${Object.keys(fields).join(', ')})`}`);
  }
  for (const [key, field] of Object.entries(fields)) {
    const v = Object.prototype.hasOwnProperty.call(given, key) ? given[key] : undefined;
    const name = prefix + key;
    if (v === undefined) {
      if (field.required) problems.push(`${name} is required (${field.expected})`);
      continue;
    }
    if (jsonType(v) !== field.type) {
      problems.push(`${name} must be ${field.expected}, got ${describe(v)}`);
    } else if (field.fields) {
      problems.push(...problemsOf(v, field.fields, `${name}.`));
    } else if (field.valid && !field.valid(v as never)) {
      problems.push(`${name} must be ${field.expected}, got ${describe(v)}`);
    }
  }
  return problems;
}

/** JSON's types; NaN and ±Infinity (which JSON cannot carry) are not numbers here. */
function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'non-finite number';
  return typeof v;
}

/** A value as a message shows it: its JSON type and the value itself (short). */
function describe(v: unknown): string {
  const type = jsonType(v);
  if (v === null || v === undefined) return String(v);
  if (type === 'non-finite number') return String(v);
  const text = JSON.stringify(v) ?? String(v);
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
  return type === 'number' || type === 'boolean' ? shown : `the ${type} ${shown}`;
}

/** YYYY-MM-DD naming a real day: the parsed date must print back as the same text (2026-02-30 does not). */
export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
}

/**
 * The known name a mistyped one most likely meant: the same name up to case, `_` and `-` (score_date,
 * ScoreDate), else the nearest by edit distance if it is close (at most 2 edits, fewer than half the name).
 */
export function closestName(name: string, known: string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
  const exact = known.find((k) => plain(k) === plain(name));
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(plain(name), plain(k));
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return bestDistance <= 2 && bestDistance * 2 < plain(name).length ? best : undefined;
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}
