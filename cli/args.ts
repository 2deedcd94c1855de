/**
 * Argument parsing shared by the CLI's commands: node:util parseArgs plus `--help`, and option values checked
 * with messages that name the option and the value given.
 */
import { parseArgs, ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse args; prints `help` and returns undefined for --help. */
export function parseCommand(help: string, options: Options, args: string[]): Parsed | undefined {
  const { values, positionals } = parseArgs({
    args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true,
  });
  if (values.help) {
    console.log(help.trim());
    return undefined;
  }
  return { values: values as Parsed['values'], positionals };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function num(p: Parsed, name: string, check: (n: number) => boolean = Number.isFinite): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !check(n)) throw new Error(`--${name}: ${JSON.stringify(v)} is not a valid value`);
  return n;
}

export const positiveInt = (n: number) => Number.isInteger(n) && n > 0;

export function date(p: Parsed, name: string): string | undefined {
  const v = str(p, name);
  if (v !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))) {
    throw new Error(`--${name}: ${JSON.stringify(v)} is not a date YYYY-MM-DD`);
  }
  return v;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}
