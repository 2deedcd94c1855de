/**
 * Column mapping (reader side): with `delta.columnMapping.mode` = name or id, a column's data lives under its
 * physical name (field metadata `delta.columnMapping.physicalName`) in Parquet files, in add.partitionValues
 * and in stats, while the schema shows the logical name. This module translates between the two.
 */
import { PartitionValues } from './actions';
import { DataType, StructField, StructType, isArray, isMap, isStruct } from '../schema';

const PHYSICAL = 'delta.columnMapping.physicalName';

export function physicalName(f: StructField): string {
  const p = f.metadata?.[PHYSICAL];
  return typeof p === 'string' && p !== '' ? p : f.name;
}

function hasMapping(t: DataType): boolean {
  if (isStruct(t)) return t.fields.some((f) => physicalName(f) !== f.name || hasMapping(f.type));
  if (isArray(t)) return hasMapping(t.elementType);
  if (isMap(t)) return hasMapping(t.keyType) || hasMapping(t.valueType);
  return false;
}

/** The field as stored in data files: physical names at every nesting level. */
export function physicalField(f: StructField): StructField {
  return { ...f, name: physicalName(f), type: physicalType(f.type) };
}

function physicalType(t: DataType): DataType {
  if (!hasMapping(t)) return t;
  if (isStruct(t)) return { type: 'struct', fields: t.fields.map(physicalField) } as StructType;
  if (isArray(t)) return { ...t, elementType: physicalType(t.elementType) };
  if (isMap(t)) return { ...t, keyType: physicalType(t.keyType), valueType: physicalType(t.valueType) };
  return t;
}

/** Renames nested struct keys of values read with `physicalField(f)` back to logical names. */
export function logicalColumn(data: ArrayLike<unknown>, f: StructField): ArrayLike<unknown> {
  if (!hasMapping(f.type)) return data;
  return Array.from(data, (v) => toLogical(v, f.type));
}

function toLogical(v: unknown, t: DataType): unknown {
  if (v === null || v === undefined) return null;
  if (isStruct(t)) {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(t.fields.map((f) => [f.name, toLogical(o[physicalName(f)], f.type)]));
  }
  if (isArray(t)) return Array.from(v as ArrayLike<unknown>, (x) => toLogical(x, t.elementType));
  if (isMap(t)) return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toLogical(x, t.valueType)]));
  return v;
}

/** A partition column's raw value in add.partitionValues (keyed by physical name under column mapping). */
export function partitionValueOf(values: PartitionValues | undefined, f: StructField): string | null {
  if (!values) return null;
  const p = physicalName(f);
  const v = p in values ? values[p] : values[f.name];
  return v === undefined ? null : v;
}

export function hasPartitionValue(values: PartitionValues | undefined, f: StructField): boolean {
  return !!values && (physicalName(f) in values || f.name in values);
}
