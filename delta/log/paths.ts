/**
 * Data file paths: Hive-style partition folders escaped as Spark escapes them, the relative URI written in
 * `add.path` (URL-encoded as Spark's Path.toUri does), and the way back from `add.path` to a local file or to
 * a key of the table's store.
 *
 *   value 'a b/c'  → folder  col=a b%2Fc  (Hive escaping)  → add.path  col=a%20b%252Fc/part-....parquet (URI)
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Characters Hive's FileUtils.escapePathName escapes in partition folder names.
const HIVE_ESCAPE = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\x7f', '{', '[', ']', '^']);

function hiveEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    out += (c >= 0x01 && c <= 0x1f) || HIVE_ESCAPE.has(ch) ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : ch;
  }
  return out;
}

/** `col=value/` folders for the partition values, in partition column order. */
export function partitionFolder(partitionColumns: string[], values: Record<string, string | null>): string {
  return partitionColumns
    .map((c) => {
      const v = values[c];
      return `${hiveEscape(c)}=${v === null || v === undefined || v === '' ? HIVE_DEFAULT_PARTITION : hiveEscape(v)}`;
    })
    .join('/');
}

// Characters java.net.URI keeps unescaped in a path (unreserved, punct, '/', '@'); everything else ASCII is %XX.
const URI_PATH_SAFE = /[A-Za-z0-9\-_.!~*'()/,;:$&+=@]/;

/** Relative file path (OS separators → '/') as the URI string stored in `add.path`. */
export function toAddPath(relative: string): string {
  let out = '';
  for (const ch of relative.split(path.sep).join('/')) {
    if (URI_PATH_SAFE.test(ch) || ch.codePointAt(0)! > 0x7f) out += ch;
    else out += '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Local file of an `add.path`: relative URIs are decoded and joined to the table; `file:` URIs decoded. */
export function dataFilePath(tablePath: string, addPath: string): string {
  if (/^file:/i.test(addPath)) {
    try {
      return fileURLToPath(addPath.replace(/^file:\/(?!\/)/i, 'file:///'));
    } catch {
      return decode(addPath.replace(/^file:/i, ''));
    }
  }
  if (path.isAbsolute(addPath)) return decode(addPath);
  return path.join(tablePath, decode(addPath));
}

/**
 * The store key (relative to the table, '/'-separated) of a path the log names relative to the table's folder
 * `base` (`_delta_log/_sidecars` for sidecars; '' for data files); undefined when it lies outside the table.
 */
export function tableKey(tablePath: string, logPath: string, base = ''): string | undefined {
  const rel = path.relative(tablePath, dataFilePath(path.join(tablePath, base), logPath));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
