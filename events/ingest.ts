/**
 * `batch-score ingest`: event CSV files (plain or .gz, read as a stream) into the Bronze events table, the
 * lines that cannot be read into the quarantine table, in one run:
 *
 *   each file: sha256 (already in Bronze? skip it) → header check → lines → typed events into the bounded
 *   BronzeBuffer (data files staged by event_date) | malformed lines into its QuarantineBuffer; the bytes parsed
 *   are hashed as they are read and must match the first sha256 (else EventsFileChanged, before any commit)
 *   → ONE quarantine commit (files of inputs not yet quarantined) → ONE Bronze append for all the files
 *
 * Each commit carries a Delta txn (appId `batch-score ingest sha256:<digest>`) per input file, so the same
 * content is never ingested twice, whatever its name, and a run that failed before its Bronze commit publishes
 * no events and can simply be run again. docs/decisions/ingest.md says why this way.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as readline from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AddFile, commitWithRetry, createTable, dataFilePath, loadSnapshot, logStore, objectAt, planAppend, Snapshot } from '../delta';
import { BatchScoreError, messageOf } from '../errors';
import { BRONZE_EVENTS_SCHEMA, EVENT_DATE, EVENT_HEADER, QUARANTINE_SCHEMA } from './bronze-schema';
import { BronzeBuffer } from './bronze-buffer';
import { splitCsvLine } from './csv-line';
import { parseEventRecord } from './event-record';
import { QuarantineBuffer, QuarantinedLine } from './quarantine';

export interface IngestOptions {
  bronzePath: string;
  quarantinePath: string;
  files: string[];
  /** Events held in memory across all dates before one date is written out (default 500,000). */
  bufferRows?: number;
  /** How many quarantined lines the result lists (default 5). */
  firstProblems?: number;
  /** Bytes of the input files read so far (compressed bytes for .gz), of all of them. */
  progress?: (stage: string, bytesDone: number, bytesTotal: number) => void;
}

export interface IngestedFile {
  file: string;
  sha256: string;
  /** Events appended to Bronze (0 when skipped). */
  rows: number;
  quarantined: number;
  /** Set when nothing was read: the content is already in Bronze, or given twice in this run. */
  skipped?: 'already ingested' | 'same content as an earlier file of this run';
}

export interface IngestResult {
  files: IngestedFile[];
  /** The first quarantined lines of the run, in reading order. */
  firstProblems: QuarantinedLine[];
  bronzeVersion: number;
  quarantineVersion: number;
  dataFiles: number;
}

export const DEFAULT_BUFFER_ROWS = 500_000;
/** Quarantined lines held before a quarantine file is written: each keeps up to RAW_LINE_LIMIT characters. */
const QUARANTINE_BUFFER_LINES = 10_000;

/** The txn appId recording that a file with this content is in a table. */
export function ingestAppId(sha256: string): string {
  return `batch-score ingest sha256:${sha256}`;
}

export async function ingestEvents(opts: IngestOptions): Promise<IngestResult> {
  if (opts.files.length === 0) throw new BatchScoreError('InvalidInput', 'ingest needs at least one events file');
  const budget = opts.bufferRows ?? DEFAULT_BUFFER_ROWS;
  const sizes = await Promise.all(opts.files.map(fileSize));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  const report = (stage: string) => (bytes: number) => opts.progress?.(stage, (done += bytes), total);

  // A wrong header fails before any file is read or any table touched.
  for (const file of opts.files) await readEvents(file, () => undefined, () => 'stop');
  // Both tables exist before anything is staged: a table of another shape is refused before reading a byte.
  await createTable(opts.bronzePath, { schema: BRONZE_EVENTS_SCHEMA, partitionColumns: [EVENT_DATE], name: 'bronze_events' });
  await createTable(opts.quarantinePath, { schema: QUARANTINE_SCHEMA, partitionColumns: [], name: 'bronze_events_quarantine' });
  const bronzeAtStart = await loadSnapshot(logStore(opts.bronzePath));

  const results: IngestedFile[] = [];
  const seen = new Set<string>();
  for (const file of opts.files) {
    const sha256 = await digestOf(file, report(`checking ${file}`));
    let skipped: IngestedFile['skipped'];
    if (bronzeAtStart.txnVersion(ingestAppId(sha256)) !== undefined) skipped = 'already ingested';
    else if (seen.has(sha256)) skipped = 'same content as an earlier file of this run';
    seen.add(sha256);
    results.push({ file, sha256, rows: 0, quarantined: 0, skipped });
  }
  done = 0;

  const bronze = new BronzeBuffer(opts.bronzePath, budget);
  const quarantined = new Map<string, AddFile[]>();
  const firstProblems: QuarantinedLine[] = [];
  const ingestedAt = new Date();
  let quarantine: QuarantineBuffer | undefined;
  try {
    for (const [i, r] of results.entries()) {
      if (r.skipped) {
        report(`skipping ${r.file}`)(sizes[i]);
        continue;
      }
      quarantine = new QuarantineBuffer(opts.quarantinePath, Math.min(budget, QUARANTINE_BUFFER_LINES), ingestedAt, r);
      // Synchronous for a good line that fits the budget: a promise only when something is written.
      const parsedSha256 = await readEvents(r.file, report(`reading ${r.file}`), (lineNumber, line) => {
        const fields = splitCsvLine(line);
        const event = 'error' in fields ? fields : parseEventRecord(fields);
        if ('error' in event) {
          if (firstProblems.length < (opts.firstProblems ?? 5)) firstProblems.push({ file: r.file, line: lineNumber, reason: event.error });
          return quarantine!.add(lineNumber, event.error, line);
        }
        r.rows++;
        return bronze.add(event);
      });
      // The txn records the first pass's digest: the rows must come from those very bytes, or a file still being
      // written would be recorded as its first bytes and ingested again, whole, once complete.
      if (parsedSha256 !== r.sha256) {
        throw new BatchScoreError('EventsFileChanged', `${r.file} changed while it was read (sha256 ${r.sha256.slice(0, 12)} when checked, ${parsedSha256?.slice(0, 12)} when parsed); nothing was published: ingest it once it is complete`);
      }
      await quarantine.flush();
      r.quarantined = quarantine.count;
      quarantined.set(r.sha256, quarantine.files);
    }
    await bronze.flush();
  } catch (err) {
    // Nothing was committed yet: the files this run staged would only lie in the folders until a vacuum.
    await removeStaged([
      ...bronze.files.map((f) => dataFilePath(opts.bronzePath, f.path)),
      ...[...quarantined.values(), quarantine?.files ?? []].flat().map((f) => dataFilePath(opts.quarantinePath, f.path)),
    ]);
    throw err;
  }

  const fresh = results.filter((r) => !r.skipped);
  if (fresh.length === 0) {
    const q = await loadSnapshot(logStore(opts.quarantinePath));
    return { files: results, firstProblems, bronzeVersion: bronzeAtStart.version, quarantineVersion: q.version, dataFiles: 0 };
  }
  opts.progress?.('committing', total, total);
  const commitInfo = { operation: 'BATCH-SCORE INGEST', files: fresh.map((r) => ({ file: r.file, sha256: r.sha256, rows: r.rows, quarantined: r.quarantined })) };
  // Quarantine first: lines of an input already quarantined by an earlier attempt are left out, so a re-run
  // after a failed Bronze commit neither loses nor repeats them.
  const notQuarantined = (snapshot: Snapshot) => fresh.filter((r) => snapshot.txnVersion(ingestAppId(r.sha256)) === undefined);
  const quarantineAtEnd = await loadSnapshot(logStore(opts.quarantinePath));
  let quarantineCommitted: IngestedFile[] = [];
  const quarantineVersion = notQuarantined(quarantineAtEnd).length === 0
    ? quarantineAtEnd.version
    : (await commitWithRetry(opts.quarantinePath, (snapshot) => {
      quarantineCommitted = notQuarantined(snapshot);
      return withTxns(planAppend(snapshot, quarantineCommitted.flatMap((r) => quarantined.get(r.sha256) ?? [])), quarantineCommitted.map((r) => r.sha256));
    }, { commitInfo })).version;
  // The lines of an input another ingest quarantined first: this run's copies of them are never referenced.
  await removeStaged(fresh.filter((r) => !quarantineCommitted.includes(r)).flatMap((r) => (quarantined.get(r.sha256) ?? []).map((f) => dataFilePath(opts.quarantinePath, f.path))));
  // Bronze: every file or none. Data files mix the rows of several inputs, so an input another ingest
  // committed meanwhile cannot be left out: the run stops and publishes nothing.
  // A lost race (another ingest of the same file, or writers that kept committing first) certainly left this
  // run's data files unreferenced: removed like a failure before the commit. Any other error may have come after
  // the log entry was written, so the files stay (vacuum removes them if they are not referenced).
  const bronzeCommit = await commitWithRetry(opts.bronzePath, (snapshot) => withTxns(planAppend(snapshot, bronze.files), fresh.map((r) => r.sha256)), {
    commitInfo,
    check: async (snapshot: Snapshot) => {
      const raced = fresh.find((r) => snapshot.txnVersion(ingestAppId(r.sha256)) !== undefined);
      if (raced) {
        throw new BatchScoreError('ConcurrentModification', `${opts.bronzePath}: another ingest committed ${raced.file} (sha256 ${raced.sha256}) while this one ran; no events were published; the quarantined lines of this run's files are committed in ${opts.quarantinePath} and a re-run does not quarantine them again: run ingest again`);
      }
    },
  }).catch(async (err: unknown) => {
    if (err instanceof BatchScoreError && err.code === 'ConcurrentModification') await removeStaged(bronze.files.map((f) => dataFilePath(opts.bronzePath, f.path)));
    throw err;
  });
  return { files: results, firstProblems, bronzeVersion: bronzeCommit.version, quarantineVersion, dataFiles: bronze.files.length };
}

/** Deletes files this run wrote and never committed (best effort: what stays is found by vacuum). */
async function removeStaged(files: string[]): Promise<void> {
  await Promise.all([...new Set(files)].map((file) => { const { store, key } = objectAt(file); return store.delete(key).catch(() => undefined); }));
}

function withTxns<T extends { actions: unknown[] }>(planned: T, digests: string[]): T {
  const lastUpdated = Date.now();
  planned.actions.unshift(...digests.map((d) => ({ txn: { appId: ingestAppId(d), version: 0, lastUpdated } })));
  return planned;
}

async function fileSize(file: string): Promise<number> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new BatchScoreError('InvalidInput', `${file} is not a file`);
    return st.size;
  } catch (err) {
    if (err instanceof BatchScoreError) throw err;
    throw new BatchScoreError('InvalidInput', `cannot read ${file}: ${messageOf(err)}`);
  }
}

/** sha256 of the file's bytes as stored (a .gz file's compressed bytes). */
async function digestOf(file: string, read: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    read((chunk as Buffer).length);
  }
  return hash.digest('hex');
}

type LineOutcome = void | undefined | 'stop';

/**
 * Checks the header, then calls `onLine` for every line after it, with its 1-based line number in the file (the
 * header is line 1), awaiting each call that returns a promise: the stream is paused meanwhile, so a slow writer
 * bounds what is read ahead. `onLine` returning 'stop' ends the reading. Resolves to the sha256 of the bytes
 * parsed, hashed as they are read (as stored, before gunzip), or undefined when the reading was stopped.
 */
async function readEvents(file: string, read: (bytes: number) => void, onLine: (lineNumber: number, line: string) => LineOutcome | Promise<LineOutcome>): Promise<string | undefined> {
  const raw = createReadStream(file);
  const hash = createHash('sha256');
  raw.on('data', (chunk) => {
    hash.update(chunk as Buffer);
    read(chunk.length);
  });
  const text: Readable = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  if (text !== raw) raw.on('error', (err) => text.destroy(err));
  const lines = readline.createInterface({ input: text, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (lineNumber === 1) {
        checkHeader(file, line.replace(/^\uFEFF/, ''));
        continue;
      }
      let outcome = onLine(lineNumber, line);
      if (outcome instanceof Promise) outcome = await outcome;
      if (outcome === 'stop') return undefined;
    }
  } catch (err) {
    if (err instanceof BatchScoreError) throw err;
    throw new BatchScoreError('InvalidInput', `cannot read ${file} after line ${lineNumber}: ${messageOf(err)}`, { cause: err });
  } finally {
    lines.close();
    raw.destroy();
    // Reading stopped early (the header check stops at once): gunzip may still fail on what it already holds
    // (a cut file) after readline stopped listening; that error is of no interest any more and must not crash.
    if (text !== raw) text.on('error', () => undefined).destroy();
  }
  if (lineNumber === 0) throw new BatchScoreError('EventsBadHeader', `${file} is empty: expected the header ${EVENT_HEADER}`);
  return hash.digest('hex');
}

function checkHeader(file: string, header: string): void {
  if (header === EVENT_HEADER) return;
  const expected = EVENT_HEADER.split(',');
  const got = header.split(',');
  const missing = expected.filter((c) => !got.includes(c));
  const extra = got.filter((c) => !expected.includes(c));
  const detail = missing.length || extra.length
    ? `${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`
    : 'same columns in another order';
  throw new BatchScoreError('EventsBadHeader', `${file}: the header is not the events format (${detail}): got ${JSON.stringify(header.slice(0, 300))}, expected ${EVENT_HEADER}`);
}
