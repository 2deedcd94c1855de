/**
 * A scoring unit (what planning cuts, pipeline/silver-plan.ts) and scoring it: some row groups of some Silver
 * data files, read one row group at a time (only user_id and the model's features), so memory is bounded by a
 * row group whatever the table's size.
 */
import { AddFile, ColumnBatch, readDataFile, StructType } from '../delta';
import { FeatureTypeError, MissingColumnError } from './errors';
import { NullPolicy } from './matrix';
import { ScoredBatch, Scorer } from './scorer';

/**
 * A data file as a unit carries it: what reading needs, its deletion vector included (Databricks tables have
 * them by default); stats stay in the log, out of workflow history.
 */
export type UnitFile = Omit<AddFile, 'stats' | 'tags'>;

/** Whole row groups of one data file, and the rows they hold. */
export interface UnitSegment {
  file: UnitFile;
  rowGroups: number[];
  rows: number;
}

/** A unit of work: one scoreUnit activity scores it and stages one Gold file. */
export interface ScoringUnit {
  index: number;
  rows: number;
  segments: UnitSegment[];
}

export interface ScoreUnitOptions {
  silverTablePath: string;
  schema: StructType;
  /** The segments to read (their row counts are not needed). */
  segments: Pick<UnitSegment, 'file' | 'rowGroups'>[];
  scorer: Scorer;
  nullPolicy: NullPolicy;
  /** Called after each row group with the unit's rows read so far. */
  onProgress?: (rowsDone: number) => void;
  /** Called with each batch as read (deletion vectors applied), before the null policy drops any row. */
  onRead?: (batch: ColumnBatch, file: UnitFile) => void;
}

const NUMERIC = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'boolean']);

/** A Silver column type a feature may have: numeric, decimal or boolean (training reads the same). */
export function isFeatureType(type: string): boolean {
  return NUMERIC.has(type) || type.startsWith('decimal');
}

export async function* scoreUnit(opts: ScoreUnitOptions): AsyncGenerator<ScoredBatch> {
  checkColumns(opts.silverTablePath, opts.schema, opts.scorer);
  let rowsDone = 0;
  for (const segment of opts.segments) {
    const source = `${opts.silverTablePath}/${segment.file.path}`;
    // The reader yields one batch per row group and reads the next only when asked: one footer read per file,
    // one row group in memory.
    const batches = readDataFile(opts.silverTablePath, segment.file, {
      schema: opts.schema,
      columns: opts.scorer.columns,
      rowGroups: segment.rowGroups,
    });
    for await (const batch of batches) {
      opts.onRead?.(batch, segment.file);
      const scored = await opts.scorer.scoreBatch(batch, { nullPolicy: opts.nullPolicy, source });
      rowsDone += batch.numRows;
      opts.onProgress?.(rowsDone);
      yield scored;
    }
  }
}

/** Every column the model needs exists with a numeric or boolean type; extra columns are ignored. */
export function checkColumns(table: string, schema: StructType, scorer: Scorer): void {
  const fields = new Map(schema.fields.map((f) => [f.name, f]));
  const model = `model ${scorer.pinned.name} version ${scorer.pinned.version}`;
  for (const name of scorer.columns) {
    const field = fields.get(name);
    if (!field) {
      throw new MissingColumnError(
        `Silver table ${table} has no column "${name}" (needed by ${model}); its columns: ${[...fields.keys()].join(', ')}`,
      );
    }
    const type = typeof field.type === 'string' ? field.type : JSON.stringify(field.type);
    const ok = name === 'user_id' ? type === 'long' || type === 'integer' : isFeatureType(type);
    if (!ok) {
      throw new FeatureTypeError(
        `column "${name}" of Silver table ${table} has type ${type}; ${name === 'user_id' ? 'user_id must be long' : 'features must be numeric or boolean'} (${model})`,
      );
    }
  }
}
