/**
 * The guard before `batch-score features` writes a Silver table: a table already there with another schema (the
 * demo's ten-feature user_features, say) is refused, naming the table and the columns that differ, before any
 * event is read. Replacing a partition of it would fail at commit, and replacing the table would drop data
 * others train and score on: it is never overwritten silently.
 */
import { openTable, sameSchema, StructField, StructType, tableExists, typeName } from '../delta';
import { BatchScoreError } from '../errors';

export async function checkSilverTarget(tablePath: string, schema: StructType, partitionColumns: string[]): Promise<void> {
  if (!(await tableExists(tablePath))) return;
  const existing = await openTable(tablePath);
  const samePartitions = existing.partitionColumns.join('\u0000') === partitionColumns.join('\u0000');
  if (sameSchema(existing.schema, schema) && samePartitions) return;
  const differences = schemaDifferences(existing.schema.fields, schema.fields);
  if (!samePartitions) differences.push(`partitioned by [${existing.partitionColumns.join(', ')}], not [${partitionColumns.join(', ')}]`);
  throw new BatchScoreError(
    'SilverSchemaMismatch',
    `Silver table ${tablePath} exists with another schema than batch-score features writes (${differences.join('; ')}); ` +
      'it is never overwritten: pass another --data-dir (or BATCH_SCORE_DATA), or move that table away',
  );
}

/** What differs, column by column: missing, extra, other type or nullability, other order. */
function schemaDifferences(existing: StructField[], wanted: StructField[]): string[] {
  const byName = new Map(existing.map((f) => [f.name, f]));
  const wantedNames = new Set(wanted.map((f) => f.name));
  const out: string[] = [];
  const missing = wanted.filter((f) => !byName.has(f.name)).map((f) => f.name);
  const extra = existing.filter((f) => !wantedNames.has(f.name)).map((f) => f.name);
  if (missing.length) out.push(`it lacks ${missing.join(', ')}`);
  if (extra.length) out.push(`it has ${extra.join(', ')}, which features does not write`);
  for (const f of wanted) {
    const e = byName.get(f.name);
    if (!e) continue;
    if (typeName(e.type) !== typeName(f.type)) out.push(`${f.name} is ${typeName(e.type)}, not ${typeName(f.type)}`);
    else if (e.nullable !== f.nullable) out.push(`${f.name} is ${e.nullable ? 'nullable' : 'not null'}, features writes it ${f.nullable ? 'nullable' : 'not null'}`);
  }
  const common = (fields: StructField[]) => fields.map((f) => f.name).filter((n) => byName.has(n) && wantedNames.has(n)).join(', ');
  if (out.length === 0 && common(existing) !== common(wanted)) out.push(`its columns are in another order (${existing.map((f) => f.name).join(', ')})`);
  return out;
}
