/**
 * One CSV line into its fields, RFC 4180 quoting: a field may be wrapped in double quotes, inside which commas
 * are data and `""` is one quote. A record is one line: a line break inside quotes is not joined with the next
 * line (the public format has none, and joining would let one stray quote swallow the rest of a file into
 * memory), so such a line is a quote error like any other. docs/decisions/ingest.md says why.
 */

/** The fields of `line`, or the reason it is not a CSV record. */
export function splitCsvLine(line: string): string[] | { error: string } {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34 /* " */) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = line.indexOf('"', from);
        if (q < 0) return { error: `quote error: unterminated quoted field in column ${fields.length + 1}` };
        value += line.slice(from, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line.charCodeAt(i) !== 44 /* , */) return { error: `quote error: text after the closing quote in column ${fields.length}` };
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return { error: `quote error: quote inside unquoted field in column ${fields.length + 1}` };
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}
