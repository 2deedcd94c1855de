/**
 * Argument parsing shared by the CLI's commands: node:util parseArgs plus `--help`, and option values checked
 * with messages that name the option and the value given. Every problem here is bad usage (exit 2).
 */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { usageError } from './exit-codes';
import { isCalendarDate } from '../workflows/run-input';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse args; prints `help` and returns undefined for --help. */
export function parseCommand(help: string, options: Options, args: string[]): Parsed | undefined {
  const { values, positionals } = parseOrUsage(() => parseArgs({
    args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true,
  }));
  if (values.help) {
    console.log(help.trim());
    return undefined;
  }
  return { values: values as Parsed['values'], positionals };
}

/** node:util's errors (unknown option, option without its value) as usage errors, first sentence only. */
function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw err;
    const first = (err as Error).message.split(/\.( |$)/)[0];
    throw usageError(`${first} (--help lists the options)`);
  }
}

/** For verbs that take options only: a stray word (`run 2026-11-23`) is refused, not ignored. */
export function noPositionals(p: Parsed, verb: string): void {
  if (p.positionals.length) throw usageError(`${verb} takes options only, got ${JSON.stringify(p.positionals[0])} (--help lists the options)`);
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** What a numeric option accepts: the check, and the words that tell a user what was expected. */
export interface NumberKind {
  expected: string;
  valid: (n: number) => boolean;
}

export const anyNumber: NumberKind = { expected: 'a number', valid: Number.isFinite };
export const integer: NumberKind = { expected: 'a whole number', valid: Number.isInteger };
export const positiveInt: NumberKind = { expected: 'a whole number > 0', valid: (n) => Number.isInteger(n) && n > 0 };
export const nonNegativeInt: NumberKind = { expected: 'a whole number >= 0', valid: (n) => Number.isInteger(n) && n >= 0 };

/** `--name` as the user typed it (`-n` for one-letter options). */
export function optionName(name: string): string {
  return name.length === 1 ? `-${name}` : `--${name}`;
}

/** A numeric option, or undefined when absent; a value of the wrong kind is bad usage saying what was expected. */
export function num(p: Parsed, name: string, kind: NumberKind = anyNumber): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !kind.valid(n)) throw usageError(`${optionName(name)}: ${JSON.stringify(v)} is not ${kind.expected}`);
  return n;
}

export function date(p: Parsed, name: string): string | undefined {
  const v = str(p, name);
  if (v !== undefined && !isCalendarDate(v)) {
    throw usageError(`--${name}: ${JSON.stringify(v)} is not a calendar date YYYY-MM-DD (${whyNotCalendarDate(v)})`);
  }
  return v;
}

/** A number of days like `7d` (or `7`), or `fallback` when the option is absent. */
export function days(p: Parsed, name: string, fallback: number): number {
  const v = str(p, name);
  if (v === undefined) return fallback;
  const m = /^(\d+)d?$/.exec(v);
  if (!m || Number(m[1]) < 1) throw usageError(`${optionName(name)}: ${JSON.stringify(v)} is not a number of days like 7d`);
  return Number(m[1]);
}

/** Why a string that is not a calendar date is not one: the form, the month or the day. */
export function whyNotCalendarDate(s: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return 'expected four-digit year, two-digit month and two-digit day, e.g. 2026-11-23';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `there is no month ${m[2]}`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${m[2]} has ${days} days, not ${day}`;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
