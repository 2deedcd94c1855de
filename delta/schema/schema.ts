/**
 * Table schema: the Delta `schemaString` JSON model (struct / array / map / primitive type names), parsing
 * with validation, and the comparisons writers need (same schema, partition columns present).
 */
import { DeltaError } from '../errors';

export interface StructField {
  name: string;
  type: DataType;
  nullable: boolean;
  metadata: Record<string, unknown>;
}
export interface StructType {
  type: 'struct';
  fields: StructField[];
}
export interface ArrayType {
  type: 'array';
  elementType: DataType;
  containsNull: boolean;
}
export interface MapType {
  type: 'map';
  keyType: DataType;
  valueType: DataType;
  valueContainsNull: boolean;
}
/** 'long','double','boolean','string','date','timestamp','integer','decimal(10,2)',... or a nested type. */
export type DataType = string | StructType | ArrayType | MapType;

const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/;

/** Precision and scale of a `decimal(p,s)` type name (bare `decimal` is decimal(10,0)). */
export function decimalType(type: DataType): { precision: number; scale: number } | undefined {
  if (typeof type !== 'string') return undefined;
  if (type === 'decimal') return { precision: 10, scale: 0 };
  const m = DECIMAL.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

export function isStruct(t: DataType): t is StructType {
  return typeof t === 'object' && t.type === 'struct';
}
export function isArray(t: DataType): t is ArrayType {
  return typeof t === 'object' && t.type === 'array';
}
export function isMap(t: DataType): t is MapType {
  return typeof t === 'object' && t.type === 'map';
}

/** Parses and validates a metaData.schemaString; `where` (table path) is named in errors. */
export function parseSchemaString(schemaString: string, where: string): StructType {
  if (typeof schemaString !== 'string') {
    throw new DeltaError('CorruptLog', `${where}: metaData has no schemaString`);
  }
  let json: unknown;
  try {
    json = JSON.parse(schemaString);
  } catch (err) {
    throw new DeltaError('CorruptLog', `${where}: schemaString is not JSON (${(err as Error).message})`);
  }
  const t = checkType(json, where, 'schema');
  if (!isStruct(t)) throw new DeltaError('CorruptLog', `${where}: schemaString is not a struct`);
  return t;
}

function bad(where: string, at: string, what: string): DeltaError {
  return new DeltaError('CorruptLog', `${where}: invalid schema at ${at}: ${what}`);
}

function checkType(t: unknown, where: string, at: string): DataType {
  // Primitive names, known or not, are kept: protocol gating and the reader refuse unknown ones by name when used.
  if (typeof t === 'string') return t;
  if (t === null || typeof t !== 'object') throw bad(where, at, 'type must be a name or an object');
  const o = t as Record<string, unknown>;
  switch (o.type) {
    case 'struct': {
      if (!Array.isArray(o.fields)) throw bad(where, at, 'struct without fields');
      const fields = o.fields.map((f: unknown, i: number): StructField => {
        if (f === null || typeof f !== 'object') throw bad(where, `${at}.fields[${i}]`, 'not an object');
        const fo = f as Record<string, unknown>;
        if (typeof fo.name !== 'string') throw bad(where, `${at}.fields[${i}]`, 'field without name');
        return {
          name: fo.name,
          type: checkType(fo.type, where, `${at}.${fo.name}`),
          nullable: fo.nullable !== false,
          metadata: (fo.metadata && typeof fo.metadata === 'object' ? fo.metadata : {}) as Record<string, unknown>,
        };
      });
      return { type: 'struct', fields };
    }
    case 'array':
      return { type: 'array', elementType: checkType(o.elementType, where, `${at}[]`), containsNull: o.containsNull !== false };
    case 'map':
      return {
        type: 'map',
        keyType: checkType(o.keyType, where, `${at}.key`),
        valueType: checkType(o.valueType, where, `${at}.value`),
        valueContainsNull: o.valueContainsNull !== false,
      };
    default:
      throw bad(where, at, `unknown type ${JSON.stringify(o.type)}`);
  }
}

/** Serialises a schema for metaData.schemaString. */
export function schemaToString(schema: StructType): string {
  return JSON.stringify(schema);
}

/** Type equality ignoring field metadata (column comments etc. do not change data layout). */
export function sameType(a: DataType, b: DataType): boolean {
  if (typeof a === 'string' || typeof b === 'string') return normalizeName(a) === normalizeName(b);
  if (a.type !== b.type) return false;
  if (isStruct(a) && isStruct(b)) {
    return a.fields.length === b.fields.length &&
      a.fields.every((f, i) => f.name === b.fields[i].name && f.nullable === b.fields[i].nullable && sameType(f.type, b.fields[i].type));
  }
  if (isArray(a) && isArray(b)) return a.containsNull === b.containsNull && sameType(a.elementType, b.elementType);
  if (isMap(a) && isMap(b)) {
    return a.valueContainsNull === b.valueContainsNull && sameType(a.keyType, b.keyType) && sameType(a.valueType, b.valueType);
  }
  return false;
}

function normalizeName(t: DataType): string {
  if (typeof t !== 'string') return JSON.stringify(t);
  const d = decimalType(t);
  return d ? `decimal(${d.precision},${d.scale})` : t;
}

export function sameSchema(a: StructType, b: StructType): boolean {
  return sameType(a, b);
}

/** The field of a top-level column, or a SchemaMismatch error naming the table and the column. */
export function fieldOf(schema: StructType, column: string, where: string): StructField {
  const f = schema.fields.find((x) => x.name === column);
  if (!f) {
    throw new DeltaError('SchemaMismatch', `${where}: no column ${JSON.stringify(column)} (columns: ${schema.fields.map((x) => x.name).join(', ')})`);
  }
  return f;
}

/** Human-readable type name, for errors and `delta show`. */
export function typeName(t: DataType): string {
  if (typeof t === 'string') return t;
  if (isStruct(t)) return `struct<${t.fields.map((f) => `${f.name}:${typeName(f.type)}`).join(',')}>`;
  if (isArray(t)) return `array<${typeName(t.elementType)}>`;
  return `map<${typeName(t.keyType)},${typeName(t.valueType)}>`;
}
