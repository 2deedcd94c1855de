/**
 * Protocol gating, in one place: which protocol versions and table features this implementation reads and
 * writes. A table needing anything else is refused with an error naming the feature, never read wrongly.
 */
import { MetadataAction, ProtocolAction } from './actions';
import { DeltaError } from '../errors';
import { DataType, StructType, isArray, isMap, isStruct, primitiveKind } from '../schema';

/** What createTable writes: the plain protocol (reader 1, writer 2: appendOnly and invariants). */
export const DEFAULT_PROTOCOL: ProtocolAction = { minReaderVersion: 1, minWriterVersion: 2 };

/** Reader features whose semantics this reader implements (or which do not change what a reader sees). */
// variantType: variant columns are read in their binary encoding (not decoded, not shredded).
// deletionVectors: read (rows a file's deletion vector marks are dropped); never written.
// typeWidening: read (parquet/conversion.ts widens stored values); nested decimal/date widenings are refused below.
// v2Checkpoint: UUID-named JSON/Parquet checkpoints and their sidecars are read (this writer writes classic ones
// only, so it does not write such tables).
export const SUPPORTED_READER_FEATURES = new Set<string>(['vacuumProtocolCheck', 'columnMapping', 'timestampNtz', 'variantType', 'variantType-preview', 'deletionVectors', 'typeWidening', 'typeWidening-preview', 'v2Checkpoint']);

/** Writer features this writer honours. */
export const SUPPORTED_WRITER_FEATURES = new Set<string>(['appendOnly', 'invariants', 'timestampNtz']);

/** Refuses a table this reader cannot read correctly. */
export function checkReadSupport(protocol: ProtocolAction, metadata: MetadataAction | undefined, schema: StructType | undefined, table: string): void {
  const rv = protocol.minReaderVersion;
  if (!Number.isInteger(rv) || rv < 1 || rv > 3) {
    throw new DeltaError('UnsupportedReaderFeature', `${table}: unsupported reader protocol version ${rv} (supported: 1, 2, 3)`);
  }
  const mapping = metadata?.configuration?.['delta.columnMapping.mode'];
  if (mapping && mapping !== 'none' && mapping !== 'name' && mapping !== 'id') {
    throw new DeltaError('UnsupportedReaderFeature', `${table}: table feature columnMapping with mode ${mapping} is not supported`);
  }
  if (rv === 3) {
    for (const f of protocol.readerFeatures ?? []) {
      if (!SUPPORTED_READER_FEATURES.has(f)) {
        throw new DeltaError('UnsupportedReaderFeature', `${table}: reader table feature ${f} is not supported`);
      }
    }
  }
  if (schema) {
    checkTypes(schema, table, 'UnsupportedReaderFeature');
    checkTypeChanges(schema, table);
  }
}

const INTEGERS = new Set(['byte', 'short', 'integer', 'long']);

/**
 * Widenings the reader applies: integer → wider integer or double, float → double anywhere; integer or
 * decimal → decimal and date → timestamp_ntz for top-level columns (their stored values need the file's
 * type, which the reader knows only for top-level columns).
 */
function checkTypeChanges(schema: StructType, table: string): void {
  const visit = (t: DataType, at: string, top: boolean): void => {
    if (!isStruct(t)) return;
    for (const f of t.fields) {
      const name = at ? `${at}.${f.name}` : f.name;
      const changes = f.metadata?.['delta.typeChanges'];
      if (Array.isArray(changes)) {
        for (const c of changes as { fromType?: string; toType?: string; fieldPath?: string }[]) {
          const from = String(c.fromType);
          const to = String(c.toType);
          const plain = (INTEGERS.has(from) && (INTEGERS.has(to) || to === 'double')) || (from === 'float' && to === 'double');
          const topLevel = top && !c.fieldPath && typeof f.type === 'string';
          const valueChange = (INTEGERS.has(from) || from.startsWith('decimal')) && to.startsWith('decimal') || (from === 'date' && to === 'timestamp_ntz');
          if (!plain && !(topLevel && valueChange)) {
            throw new DeltaError('UnsupportedReaderFeature', `${table}: table feature typeWidening: column ${name}${c.fieldPath ? `.${c.fieldPath}` : ''} widened from ${from} to ${to} is not supported`);
          }
        }
      }
      visit(f.type, name, false);
    }
  };
  visit(schema, '', true);
}

/** Refuses a table this writer cannot write without breaking a rule of its protocol. */
export function checkWriteSupport(protocol: ProtocolAction, metadata: MetadataAction, schema: StructType, table: string): void {
  checkReadSupport(protocol, metadata, schema, table);
  const mapping = metadata.configuration?.['delta.columnMapping.mode'];
  if (mapping && mapping !== 'none') {
    throw new DeltaError('UnsupportedWriterFeature', `${table}: writer table feature columnMapping (mode ${mapping}) is not supported`);
  }
  const wv = protocol.minWriterVersion;
  if (!Number.isInteger(wv) || wv < 1 || (wv > 2 && wv !== 7)) {
    throw new DeltaError('UnsupportedWriterFeature', `${table}: writer protocol version ${wv} is not supported (supported: 1, 2, 7 with appendOnly/invariants)`);
  }
  if (wv === 7) {
    for (const f of protocol.writerFeatures ?? []) {
      if (!SUPPORTED_WRITER_FEATURES.has(f)) {
        throw new DeltaError('UnsupportedWriterFeature', `${table}: writer table feature ${f} is not supported`);
      }
    }
  }
  // Invariants are part of writer version 2; we do not evaluate SQL expressions, so refuse tables that use them.
  const withInvariant = findField(schema, (meta) => 'delta.invariants' in meta);
  if (withInvariant) {
    throw new DeltaError('UnsupportedWriterFeature', `${table}: column ${withInvariant} has a delta.invariants constraint, which this writer cannot evaluate`);
  }
  for (const key of Object.keys(metadata.configuration ?? {})) {
    if (key.startsWith('delta.constraints.')) {
      throw new DeltaError('UnsupportedWriterFeature', `${table}: CHECK constraint ${key} is not supported by this writer`);
    }
  }
}

/** Whether the table forbids removing data (delta.appendOnly=true). */
export function isAppendOnly(metadata: MetadataAction): boolean {
  return String(metadata.configuration?.['delta.appendOnly'] ?? '').toLowerCase() === 'true';
}

function findField(t: DataType, pred: (meta: Record<string, unknown>) => boolean, prefix = ''): string | undefined {
  if (isStruct(t)) {
    for (const f of t.fields) {
      const name = prefix ? `${prefix}.${f.name}` : f.name;
      if (pred(f.metadata ?? {})) return name;
      const inner = findField(f.type, pred, name);
      if (inner) return inner;
    }
  } else if (isArray(t)) return findField(t.elementType, pred, prefix);
  else if (isMap(t)) return findField(t.keyType, pred, prefix) ?? findField(t.valueType, pred, prefix);
  return undefined;
}

/** Column types outside the implemented set (variant, timestamp_ntz without its feature...) are refused by name. */
function checkTypes(t: DataType, table: string, code: 'UnsupportedReaderFeature', at = ''): void {
  if (typeof t === 'string') {
    if (primitiveKind(t) !== undefined) return; // every primitive kind is read
    throw new DeltaError(code, `${table}: column ${at} has type ${t}, which is not supported`);
  }
  if (isStruct(t)) for (const f of t.fields) checkTypes(f.type, table, code, at ? `${at}.${f.name}` : f.name);
  else if (isArray(t)) checkTypes(t.elementType, table, code, at);
  else if (isMap(t)) {
    checkTypes(t.keyType, table, code, at);
    checkTypes(t.valueType, table, code, at);
  }
}
