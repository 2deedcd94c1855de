/**
 * The lines of an input file that could not be read, on their way to the quarantine table: file, line number,
 * reason, the raw line (truncated to RAW_LINE_LIMIT characters) and the ingest time. Rows are buffered for one input
 * file up to a budget and written as staged data files of that file alone, so a commit can leave out the files
 * of an input whose lines were already quarantined (a re-run after a failed Bronze commit).
 */
import { AddFile, writeDataFile } from '../delta';
import { QUARANTINE_SCHEMA, RAW_LINE_LIMIT } from './bronze-schema';
import { detached } from './bronze-buffer';

export interface QuarantinedLine {
  file: string;
  line: number;
  reason: string;
}

export class QuarantineBuffer {
  private lines: QuarantinedLine[] = [];
  private raws: string[] = [];
  /** The staged data files of this input's lines. */
  readonly files: AddFile[] = [];
  count = 0;

  constructor(
    private readonly tablePath: string,
    private readonly budget: number,
    private readonly ingestedAt: Date,
    private readonly input: { file: string; sha256: string },
  ) {}

  async add(line: number, reason: string, raw: string): Promise<void> {
    this.count++;
    this.lines.push({ file: this.input.file, line, reason: detached(reason) });
    this.raws.push(detached(raw.length > RAW_LINE_LIMIT ? raw.slice(0, RAW_LINE_LIMIT) : raw));
    if (this.lines.length >= this.budget) await this.flush();
  }

  async flush(): Promise<void> {
    const n = this.lines.length;
    if (n === 0) return;
    this.files.push(await writeDataFile(this.tablePath, {
      schema: QUARANTINE_SCHEMA,
      partitionColumns: [],
      partitionValues: {},
      batch: {
        numRows: n,
        columns: {
          file: this.lines.map((l) => l.file),
          file_sha256: this.lines.map(() => this.input.sha256),
          line_number: BigInt64Array.from(this.lines, (l) => BigInt(l.line)),
          reason: this.lines.map((l) => l.reason),
          raw_line: this.raws,
          ingested_at: this.lines.map(() => this.ingestedAt),
        },
      },
    }));
    this.lines = [];
    this.raws = [];
  }
}
