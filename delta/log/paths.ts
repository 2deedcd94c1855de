/**
 * Data file paths: Hive-style partition folders escaped as Spark escapes them, the relative URI written in
 * `add.path` (URL-encoded as Spark's Path.toUri does), and the way back from `add.path` to a location (a local
 * file, or `s3://bucket/key` for a table on S3) or to a key of the table's store.
 *
 *   value 'a b/c'  → folder  col=a b%2Fc  (Hive escaping)  → add.path  col=a%20b%252Fc/part-....parquet (URI)
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { joinLocation, keyUnder, rootedLocation } from '../storage';

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

/**
 * The location of an `add.path`: relative URIs are decoded and joined to the table; `file:` URIs decoded to local
 * files; `s3:`, `s3a:` and `s3n:` URIs (Spark's spellings) to `s3://bucket/key`; an absolute path is a local file
 * for a local table and a key from the bucket's root for a table on S3 (URI resolution).
 */
export function dataFilePath(tablePath: string, addPath: string): string {
  if (/^file:/i.test(addPath)) {
    try {
      return fileURLToPath(addPath.replace(/^file:\/(?!\/)/i, 'file:///'));
    } catch {
      return decode(addPath.replace(/^file:/i, ''));
    }
  }
  if (/^s3[an]?:\/\//i.test(addPath)) return decode(addPath.replace(/^s3[an]?:/i, 's3:'));
  if (path.isAbsolute(addPath)) return rootedLocation(tablePath, decode(addPath));
  return joinLocation(tablePath, decode(addPath));
}

/**
 * The store key (relative to the table, '/'-separated) of a path the log names relative to the table's folder
 * `base` (`_delta_log/_sidecars` for sidecars; '' for data files); undefined when it lies outside the table.
 */
export function tableKey(tablePath: string, logPath: string, base = ''): string | undefined {
  return keyUnder(tablePath, dataFilePath(joinLocation(tablePath, base), logPath));
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
