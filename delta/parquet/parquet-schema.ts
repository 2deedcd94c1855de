/**
 * Delta schema → Parquet schema elements (depth-first, as in the footer): primitive types per
 * schema/primitive-types.ts, structs as groups, arrays and maps in the standard 3-level LIST / MAP layouts.
 * Timestamps are INT64 TIMESTAMP(MICROS, UTC-adjusted), as Spark 3.x and delta-rs write them.
 */
import { DeltaError } from '../errors';
import { DataType, MapType, PerPrimitive, decimalType, isArray, isStruct, primitiveOf } from '../schema';
import type { SchemaElement } from './hyparquet-adapter';

/** Parquet schema elements (depth-first, as in the footer) for a Delta field. */
export function schemaElements(name: string, type: DataType, nullable: boolean): SchemaElement[] {
  const repetition_type = nullable ? 'OPTIONAL' : 'REQUIRED';
  if (typeof type === 'string') return [{ name, repetition_type, ...primitiveElement(type, name) }];
  if (isStruct(type)) {
    return [
      { name, repetition_type, num_children: type.fields.length },
      ...type.fields.flatMap((f) => schemaElements(f.name, f.type, f.nullable)),
    ];
  }
  if (isArray(type)) {
    return [
      { name, repetition_type, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      ...schemaElements('element', type.elementType, type.containsNull),
    ];
  }
  const m = type as MapType;
  return [
    { name, repetition_type, num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' } },
    { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
    ...schemaElements('key', m.keyType, false),
    ...schemaElements('value', m.valueType, m.valueContainsNull),
  ];
}

type Element = Omit<SchemaElement, 'name'>;

/** The Parquet element of each primitive kind (undefined: not written by this layer). */
const ELEMENTS: PerPrimitive<((type: string) => Element) | undefined> = {
  long: () => ({ type: 'INT64' }),
  integer: () => ({ type: 'INT32' }),
  short: () => ({ type: 'INT32', converted_type: 'INT_16', logical_type: { type: 'INTEGER', bitWidth: 16, isSigned: true } }),
  byte: () => ({ type: 'INT32', converted_type: 'INT_8', logical_type: { type: 'INTEGER', bitWidth: 8, isSigned: true } }),
  float: () => ({ type: 'FLOAT' }),
  double: () => ({ type: 'DOUBLE' }),
  boolean: () => ({ type: 'BOOLEAN' }),
  string: () => ({ type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }),
  binary: () => ({ type: 'BYTE_ARRAY' }),
  date: () => ({ type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }),
  timestamp: () => ({ type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } }),
  timestamp_ntz: () => ({ type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } }),
  decimal: (type) => {
    const d = decimalType(type)!;
    const common = { converted_type: 'DECIMAL' as const, precision: d.precision, scale: d.scale, logical_type: { type: 'DECIMAL' as const, precision: d.precision, scale: d.scale } };
    if (d.precision <= 9) return { type: 'INT32', ...common };
    if (d.precision <= 18) return { type: 'INT64', ...common };
    return { type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(d.precision), ...common };
  },
  variant: undefined,
};

export function primitiveElement(type: string, column: string): Element {
  const element = primitiveOf(ELEMENTS, type);
  if (!element) throw new DeltaError('SchemaMismatch', `column ${column}: cannot write type ${type}`);
  return element(type);
}

/** Fewest bytes holding any unscaled value of the given precision (as Spark sizes FIXED_LEN_BYTE_ARRAY). */
function decimalBytes(precision: number): number {
  let n = 1;
  while (2n ** BigInt(8 * n - 1) < 10n ** BigInt(precision)) n++;
  return n;
}
