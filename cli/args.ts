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

export function num(p: Parsed, name: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !check(n)) throw usageError(`--${name}: ${JSON.stringify(v)} is not a valid value`);
  return n;
}

export const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

export function date(p: Parsed, name: string): string | undefined {
  const v = str(p, name);
  if (v !== undefined && !isCalendarDate(v)) {
    throw usageError(`--${name}: ${JSON.stringify(v)} is not a calendar date YYYY-MM-DD`);
  }
  return v;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
