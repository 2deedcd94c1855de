/**
 * `batch-score delta show|history|read|vacuum TABLE`: look at and maintain Delta tables (ours, Spark's,
 * delta-rs's). `read --json` prints one JSON object per row (longs as JSON numbers, dates 'YYYY-MM-DD',
 * timestamps ISO-8601 UTC with microseconds), the form the conformance test compares with delta-rs.
 */
import { parseArgs } from 'node:util';
import {
  DeltaError, Snapshot, openTable, scanTable, tableHistory, toJsonText, toJsonValue, typeName, vacuumTable, fieldOf,
} from '../delta';

export interface Output {
  write(s: string): boolean | void;
  once?(event: 'drain', cb: () => void): unknown;
}
export interface DeltaIo {
  out: Output;
  err: Output;
}

const VACUUM_SCOPE = 'Vacuum deletes only files a Delta writer makes: Parquet data files, deletion vector files\n' +
  '(deletion_vector_*.bin) and stale writer temp files. Other files in the table folder are kept, and\n' +
  '_delta_log is never touched (except temp entries of commits that died before linking).';

const HELP: Record<string, string> = {
  delta: `Usage: batch-score delta <show|history|read|vacuum> TABLE [options]   (--help after a verb for its options)

  show TABLE      version, files, rows, partitioning, schema, protocol
  history TABLE   the commits, newest first
  read TABLE      the rows (one JSON object per row with --json)
  vacuum TABLE    delete data files no version within the retention refers to (only files a Delta writer makes)`,
  show: `Usage: batch-score delta show TABLE [--version N | --timestamp ISO] [--json]

  --version N       the table as of version N (time travel)
  --timestamp ISO   the table as of that time
  --json            one JSON object: version, timestamp, numFiles, numRows, sizeBytes, partitionColumns, schema, protocol, metadata`,
  history: `Usage: batch-score delta history TABLE [--limit N] [--json]

  --limit N   the N newest commits only
  --json      one JSON object per commit, newest first`,
  read: `Usage: batch-score delta read TABLE [--version N | --timestamp ISO] [--columns a,b] [--limit N] [--json]

  --version N       read the table as of version N
  --timestamp ISO   read the table as of that time
  --columns a,b     only these columns
  --limit N         at most N rows
  --json            one JSON object per row (longs as numbers, dates YYYY-MM-DD, timestamps ISO-8601 UTC with
                    microseconds, decimals as strings, binary base64, NaN/Infinity as strings)`,
  vacuum: `Usage: batch-score delta vacuum TABLE [--retain-hours H] [--dry-run] [--json]

  --retain-hours H   keep files referenced within the last H hours (default: the table's
                     delta.deletedFileRetentionDuration, else 168)
  --dry-run          list what would be deleted, delete nothing
  --json             one JSON object: version, retentionHours, dryRun, deleted, bytes

${VACUUM_SCOPE}`,
};

const processIo: DeltaIo = { out: process.stdout, err: process.stderr };

// `batch-score delta read T | head` closes the pipe early: stop quietly instead of crashing on EPIPE.
let epipeHandled = false;
function quietOnClosedPipe(): void {
  if (epipeHandled) return;
  epipeHandled = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

/** Entry point routed from `batch-score delta ...`; returns the exit code. */
export async function deltaCommand(args: string[], io: DeltaIo = processIo): Promise<number> {
  if (io === processIo) quietOnClosedPipe();
  const [verb, ...rest] = args;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out.write(HELP.delta + '\n');
    return verb ? 0 : 2;
  }
  const run = VERBS[verb];
  if (!run) {
    io.err.write(`batch-score delta: unknown verb ${JSON.stringify(verb)}\n\n${HELP.delta}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...OPTIONS[verb], help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    io.err.write(`batch-score delta ${verb}: ${(err as Error).message}\n\n${HELP[verb]}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.out.write(HELP[verb] + '\n');
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    io.err.write(`batch-score delta ${verb}: expected exactly one TABLE path\n\n${HELP[verb]}\n`);
    return 2;
  }
  try {
    await run(parsed.positionals[0], parsed.values as Values, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err.write(`batch-score delta ${verb}: ${err.message}\n`);
      return 2;
    }
    const code = err instanceof DeltaError ? ` [${err.code}]` : '';
    io.err.write(`batch-score delta ${verb}: ${(err as Error).message}${code}\n`);
    return 1;
  }
}

type Values = Record<string, string | boolean | undefined>;
class UsageError extends Error {}

const TIME_TRAVEL = { version: { type: 'string' }, timestamp: { type: 'string' } } as const;
const OPTIONS: Record<string, Record<string, { type: 'string' | 'boolean' }>> = {
  show: { ...TIME_TRAVEL, json: { type: 'boolean' } },
  history: { limit: { type: 'string' }, json: { type: 'boolean' } },
  read: { ...TIME_TRAVEL, columns: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  vacuum: { 'retain-hours': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
};

function intOption(v: Values, name: string): number | undefined {
  const s = v[name];
  if (typeof s !== 'string') return undefined;
  const n = Number(s);
  if (s.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: ${JSON.stringify(s)} is not a non-negative integer`);
  return n;
}

async function open(table: string, v: Values): Promise<Snapshot> {
  const version = intOption(v, 'version');
  const ts = typeof v.timestamp === 'string' ? Date.parse(v.timestamp) : undefined;
  if (ts !== undefined && Number.isNaN(ts)) throw new UsageError(`--timestamp: ${JSON.stringify(v.timestamp)} is not a date/time`);
  if (version !== undefined && ts !== undefined) throw new UsageError('give --version or --timestamp, not both');
  return openTable(table, { version, timestamp: ts });
}

/** Writes, waiting for the stream to drain when it asks (large `read` outputs). */
async function emit(out: Output, s: string): Promise<void> {
  if (out.write(s) === false && out.once) await new Promise<void>((resolve) => out.once!('drain', resolve));
}

const VERBS: Record<string, (table: string, v: Values, io: DeltaIo) => Promise<void>> = {
  async show(table, v, io) {
    const s = await open(table, v);
    const files = s.files();
    const info = {
      tablePath: s.tablePath,
      version: s.version,
      timestamp: new Date(s.timestamp).toISOString(),
      numFiles: files.length,
      numRows: s.numRecords() ?? null,
      sizeBytes: files.reduce((n, f) => n + f.size, 0),
      partitionColumns: s.partitionColumns,
      schema: s.schema,
      protocol: s.protocol,
      metadata: { id: s.metadata.id, name: s.metadata.name ?? null, description: s.metadata.description ?? null, configuration: s.metadata.configuration ?? {}, createdTime: s.metadata.createdTime ?? null },
    };
    if (v.json) {
      await emit(io.out, JSON.stringify(info) + '\n');
      return;
    }
    const lines = [
      `table       ${info.tablePath}`,
      `version     ${info.version} (${info.timestamp})`,
      `files       ${info.numFiles} (${info.sizeBytes} bytes)`,
      `rows        ${info.numRows ?? 'unknown (files without stats)'}`,
      `partitions  ${info.partitionColumns.length ? info.partitionColumns.join(', ') : 'none'}`,
      `protocol    reader ${s.protocol.minReaderVersion}, writer ${s.protocol.minWriterVersion}${s.protocol.readerFeatures ? `, reader features ${s.protocol.readerFeatures.join(',')}` : ''}${s.protocol.writerFeatures ? `, writer features ${s.protocol.writerFeatures.join(',')}` : ''}`,
      ...(s.metadata.name ? [`name        ${s.metadata.name}`] : []),
      ...(s.metadata.description ? [`description ${s.metadata.description}`] : []),
      ...Object.entries(info.metadata.configuration).map(([k, x]) => `property    ${k}=${x}`),
      'schema',
      ...s.schema.fields.map((f) => `  ${f.name.padEnd(24)} ${typeName(f.type)}${f.nullable ? '' : ' not null'}${s.partitionColumns.includes(f.name) ? ' (partition)' : ''}`),
    ];
    await emit(io.out, lines.join('\n') + '\n');
  },

  async history(table, v, io) {
    const entries = await tableHistory(table, { limit: intOption(v, 'limit') });
    for (const e of entries) {
      if (v.json) {
        await emit(io.out, JSON.stringify({ ...e, timestamp: new Date(e.timestamp).toISOString() }) + '\n');
      } else {
        const params = e.operationParameters ? ' ' + JSON.stringify(e.operationParameters) : '';
        await emit(io.out, `${String(e.version).padStart(6)}  ${new Date(e.timestamp).toISOString()}  ${e.operation ?? '?'}${params}${e.engineInfo ? `  (${e.engineInfo})` : ''}\n`);
      }
    }
  },

  async read(table, v, io) {
    const s = await open(table, v);
    const columns = typeof v.columns === 'string' ? v.columns.split(',').map((c) => c.trim()).filter(Boolean) : s.schema.fields.map((f) => f.name);
    const fields = columns.map((c) => fieldOf(s.schema, c, table));
    const limit = intOption(v, 'limit') ?? Infinity;
    let n = 0;
    if (!v.json) await emit(io.out, columns.join('\t') + '\n');
    for await (const batch of scanTable(s, { columns })) {
      const cols = fields.map((f) => batch.columns[f.name]);
      let text = '';
      for (let i = 0; i < batch.numRows && n < limit; i++, n++) {
        if (v.json) {
          const row: Record<string, unknown> = {};
          fields.forEach((f, j) => { row[f.name] = toJsonValue(cols[j][i], f.type); });
          text += toJsonText(row) + '\n';
        } else {
          text += fields.map((f, j) => { const x = toJsonValue(cols[j][i], f.type); return typeof x === 'string' ? x : toJsonText(x); }).join('\t') + '\n';
        }
      }
      await emit(io.out, text);
      if (n >= limit) break;
    }
  },

  async vacuum(table, v, io) {
    const h = v['retain-hours'];
    const retainHours = typeof h === 'string' ? Number(h) : undefined;
    if (retainHours !== undefined && (h === '' || !(retainHours >= 0))) throw new UsageError(`--retain-hours: ${JSON.stringify(h)} is not a non-negative number`);
    const r = await vacuumTable(table, { retainHours, dryRun: !!v['dry-run'] });
    if (v.json) {
      await emit(io.out, JSON.stringify(r) + '\n');
      return;
    }
    const verb = r.dryRun ? 'would delete' : 'deleted';
    for (const f of r.deleted) await emit(io.out, `${verb} ${f}\n`);
    await emit(io.out, `${r.deleted.length} files (${r.bytes} bytes) ${verb}, table version ${r.version}, retention ${r.retentionHours} hours\n`);
    if (r.dryRun) await emit(io.out, VACUUM_SCOPE + '\n');
  },
};
