/**
 * The Gold targets of a run, checked at planning, before anything is scored or committed: each of
 * `purchase_predictions` and `top_buyers` must be absent, an empty folder, or a Delta table this writer may
 * write with the contract's schema and partitioning (gold-schemas.ts). Refusing here is what keeps a run from
 * committing 20,000 predictions into somebody else's table, or publishing Gold and then failing on top_buyers.
 */
import {
  checkWriteSupport, DeltaError, foreignEntries, isAppendOnly, objectAt, openTable, StructField, StructType, TableDefinition, tableExists, typeName,
} from '../delta';
import { PREDICTIONS_TABLE, SCORE_DATE, TOP_BUYERS_TABLE } from './gold-schemas';
import { PipelineError } from './pipeline-error';

export interface GoldTargets {
  goldTable: string;
  topBuyersTable: string;
  scoreDate: string;
}

/** Refuses (GoldSchemaMismatch, TargetNotDelta, AppendOnly, UnsupportedWriterFeature) what the run could not publish. */
export async function checkGoldTargets(t: GoldTargets): Promise<void> {
  // Both at once (on S3 each is a few round trips); when both fail, the predictions table's failure is reported.
  const [gold, topBuyers] = await Promise.allSettled([
    checkGoldTarget(t.goldTable, PREDICTIONS_TABLE, t.scoreDate),
    checkGoldTarget(t.topBuyersTable, TOP_BUYERS_TABLE, t.scoreDate),
  ]);
  for (const r of [gold, topBuyers]) if (r.status === 'rejected') throw r.reason;
}

/** One Gold target against its contract (`def.name` names it in messages). */
export async function checkGoldTarget(table: string, def: TableDefinition & { name: string }, scoreDate: string): Promise<void> {
  // A file where the table belongs (on S3: an object whose key is the location itself) is refused; an absent
  // table and an empty folder or prefix are fine (the commit creates the table).
  const { store, key } = objectAt(table);
  if (key !== '' && (await store.head(key))) {
    throw new PipelineError('TargetNotDelta', `Gold table ${def.name} path ${table} is a file, not a Delta table folder`);
  }
  if (!(await tableExists(table))) {
    const foreign = await foreignEntries(table, def.partitionColumns);
    if (foreign.length > 0) {
      throw new PipelineError('TargetNotDelta', `Gold table ${def.name} path ${table} is a folder that is not empty and holds no Delta table (no _delta_log commits); it has ${foreign.join(', ')}${foreign.length >= 5 ? ', ...' : ''}`);
    }
    return; // empty, or only files staged by an earlier run that never committed
  }
  const snapshot = await openTable(table);
  const problems = schemaProblems(snapshot.schema, def.schema);
  if (snapshot.partitionColumns.join(',') !== def.partitionColumns.join(',')) {
    problems.push(`partitioned by [${snapshot.partitionColumns.join(', ')}], wanted [${def.partitionColumns.join(', ')}]`);
  }
  if (problems.length > 0) {
    throw new PipelineError('GoldSchemaMismatch', `Gold table ${def.name} at ${table} (version ${snapshot.version}) does not have the ${def.name} schema: ${problems.join('; ')}`);
  }
  checkWriteSupport(snapshot.protocol, snapshot.metadata, snapshot.schema, table);
  const partition = { [SCORE_DATE]: scoreDate };
  if (isAppendOnly(snapshot.metadata) && snapshot.files(partition).length > 0) {
    throw new DeltaError('AppendOnly', `Gold table ${def.name} at ${table}: delta.appendOnly=true forbids replacing partition ${SCORE_DATE}=${scoreDate}`);
  }
}

/** Missing, extra and mistyped columns of `found` against `wanted` (types and nullability as Delta declares them). */
function schemaProblems(found: StructType, wanted: StructType): string[] {
  const byName = new Map(found.fields.map((f) => [f.name, f]));
  const wantedNames = new Set(wanted.fields.map((f) => f.name));
  const missing = wanted.fields.filter((f) => !byName.has(f.name));
  const extra = found.fields.filter((f) => !wantedNames.has(f.name));
  const mistyped = wanted.fields.filter((f) => byName.has(f.name) && describe(byName.get(f.name)!) !== describe(f));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing columns ${missing.map(describeNamed).join(', ')}`);
  if (extra.length > 0) problems.push(`extra columns ${extra.map(describeNamed).join(', ')}`);
  for (const f of mistyped) problems.push(`column ${f.name} is ${describe(byName.get(f.name)!)}, wanted ${describe(f)}`);
  return problems;
}

function describe(f: StructField): string {
  return `${typeName(f.type)}${f.nullable ? '' : ' not null'}`;
}

function describeNamed(f: StructField): string {
  return `${f.name} (${describe(f)})`;
}
