/** `batch-score ingest FILE...`: event CSV files (public eCommerce format, plain or .gz) into the Bronze table. */
import { dataLayout } from '../config';
import { DEFAULT_BUFFER_ROWS, ingestEvents } from '../events';
import { num, parseCommand, positiveInt, str } from './args';
import { usageError } from './exit-codes';
import { progressOn } from './progress';

const HELP = `
Usage: batch-score ingest FILE... [--buffer-rows N] [--data-dir DIR]

Appends the events of each CSV file (header event_time,event_type,product_id,category_id,category_code,brand,
price,user_id,user_session; a .gz file is decompressed as it is read) to the Bronze table <data>/bronze/events,
partitioned by event_date, in ONE commit: a failure publishes nothing. A file whose content is already in
Bronze is skipped (same sha256, whatever its name). Lines that cannot be read go to
<data>/bronze/events_quarantine with the file, line number and reason.
  --buffer-rows N  events held in memory before a date is written out (default ${DEFAULT_BUFFER_ROWS.toLocaleString('en-US')})
  --data-dir DIR   data root (default ./data or BATCH_SCORE_DATA)
`;

export async function ingestCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, { 'buffer-rows': { type: 'string' }, 'data-dir': { type: 'string' } }, args);
  if (!p) return 0;
  if (p.positionals.length === 0) throw usageError('ingest needs at least one events file (--help shows the format)');
  const layout = dataLayout(str(p, 'data-dir'));
  const started = Date.now();
  const progress = progressOn('ingest');
  let result;
  try {
    result = await ingestEvents({
      bronzePath: layout.bronzeEvents,
      quarantinePath: layout.bronzeQuarantine,
      files: p.positionals,
      bufferRows: num(p, 'buffer-rows', positiveInt),
      progress: (stage, done, total) => progress.update(stage, done, total, 'bytes'),
    });
  } finally {
    progress.end();
  }
  for (const f of result.files) {
    const what = f.skipped ? `skipped, ${f.skipped} (sha256 ${f.sha256.slice(0, 12)})` : `${counted(f.rows, 'row')} ingested, ${f.quarantined} quarantined`;
    console.log(`${f.file}: ${what}`);
  }
  const quarantined = result.files.reduce((n, f) => n + f.quarantined, 0);
  if (quarantined > 0) {
    console.log(`${counted(quarantined, 'line')} quarantined in ${layout.bronzeQuarantine} (version ${result.quarantineVersion}), first:`);
    for (const q of result.firstProblems) console.log(`  ${q.file}:${q.line}: ${q.reason}`);
  }
  const rows = result.files.reduce((n, f) => n + f.rows, 0);
  console.log(`Bronze ${layout.bronzeEvents}: version ${result.bronzeVersion}, ${counted(rows, 'row')} appended in ${result.dataFiles} file(s) (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

/** "1 row", "2 rows": a count with its noun. */
function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
