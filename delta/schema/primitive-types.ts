/**
 * The Delta primitive types, listed once, and the one way to dispatch on them: a module that treats each type
 * its own way (Parquet elements and values, DuckDB columns, stats, partition values, JSON) keeps a
 * `PerPrimitive<Handler>` table, a record with an entry for every kind, instead of a switch. The compiler then
 * checks that every table covers every type, so a new type cannot be half supported. Hot loops resolve the
 * handler once per column (`primitiveOf`) and call it per value.
 */
import { DataType, decimalType } from './schema';

/** Every primitive kind; `decimal` stands for every decimal(p,s) (its precision and scale come from decimalType). */
export const PRIMITIVE_KINDS = [
  'string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date', 'timestamp',
  'timestamp_ntz', 'variant', 'decimal',
] as const;

export type PrimitiveKind = (typeof PRIMITIVE_KINDS)[number];

/** One entry per primitive kind (use `T | undefined` where a kind is not supported: the entry is still required). */
export type PerPrimitive<T> = { readonly [K in PrimitiveKind]: T };

const KINDS: ReadonlySet<string> = new Set(PRIMITIVE_KINDS.filter((k) => k !== 'decimal'));

/** The primitive kind of a Delta type; undefined for nested types and names that are no Delta type. */
export function primitiveKind(type: DataType): PrimitiveKind | undefined {
  if (typeof type !== 'string') return undefined;
  if (KINDS.has(type)) return type as PrimitiveKind;
  return decimalType(type) ? 'decimal' : undefined;
}

/** The entry of `type` in a per-primitive table; undefined for nested and unknown types. */
export function primitiveOf<T>(table: PerPrimitive<T>, type: DataType): T | undefined {
  const kind = primitiveKind(type);
  return kind === undefined ? undefined : table[kind];
}

/** The number kinds whose values are JavaScript numbers (long is a bigint). */
export const NUMBER_KINDS: ReadonlySet<string> = new Set(['integer', 'short', 'byte', 'float', 'double']);
