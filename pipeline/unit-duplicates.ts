/**
 * Duplicate user_ids among the rows one unit reads, for runs whose plan proved that a duplicate can only sit
 * inside one row group (duplicate-check.ts 'units'): then checking each unit's own rows finds every duplicate,
 * and planning skips the GROUP BY over the whole date (docs/decisions/duplicate-users.md).
 *
 * Rows are counted as read (deletion vectors applied), before the null policy drops any: a user twice in Silver is
 * wrong whether or not one of its rows is scored, as at planning. Cheap in the common case: each row group read in
 * strictly increasing user_id order, the row groups' [first, last] not meeting, proves the unit's ids unique
 * without sorting; only otherwise are they copied together and sorted.
 */
import { DUPLICATE_EXAMPLES, DuplicateUsers } from './silver-duplicates';

interface ReadIds {
  ids: BigInt64Array;
  /** The data file as the Delta log names it. */
  file: string;
  increasing: boolean;
}

export class UnitUserIds {
  private readonly parts: ReadIds[] = [];
  private rows = 0;

  /** The user_id column of one batch read from `file` (nulls are left to the scorer, which refuses them). */
  add(column: ArrayLike<unknown>, file: string): void {
    const ids = column instanceof BigInt64Array ? column.slice() : integersOf(column);
    let increasing = true;
    for (let i = 1; i < ids.length && increasing; i++) increasing = ids[i - 1] < ids[i];
    if (ids.length > 0) this.parts.push({ ids, file, increasing });
    this.rows += ids.length;
  }

  /** The unit's duplicated users: how many, and the first few by user_id with their row counts and files. */
  duplicates(): DuplicateUsers {
    if (this.provenUnique()) return { count: 0, examples: [] };
    const all = new BigInt64Array(this.rows);
    let at = 0;
    for (const p of this.parts) {
      all.set(p.ids, at);
      at += p.ids.length;
    }
    all.sort();
    let count = 0;
    const found: { userId: bigint; rows: number }[] = [];
    for (let i = 0; i < all.length; ) {
      let j = i + 1;
      while (j < all.length && all[j] === all[i]) j++;
      if (j - i > 1) {
        count++;
        if (found.length < DUPLICATE_EXAMPLES) found.push({ userId: all[i], rows: j - i });
      }
      i = j;
    }
    const examples = found.map((e) => ({ ...e, files: [...new Set(this.parts.filter((p) => p.ids.includes(e.userId)).map((p) => p.file))].sort() }));
    return { count, examples };
  }

  /** Every part strictly increasing and no two parts' [first, last] meeting. */
  private provenUnique(): boolean {
    if (!this.parts.every((p) => p.increasing)) return false;
    const ranges = this.parts.map((p) => [p.ids[0], p.ids[p.ids.length - 1]]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 1; i < ranges.length; i++) if (!(ranges[i - 1][1] < ranges[i][0])) return false;
    return true;
  }
}

/** An integer column that is not a BigInt64Array (an `integer` user_id, or one holding nulls) as int64s. */
function integersOf(column: ArrayLike<unknown>): BigInt64Array {
  const out: bigint[] = [];
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (typeof v === 'bigint') out.push(v);
    else if (typeof v === 'number' && Number.isInteger(v)) out.push(BigInt(v));
  }
  return BigInt64Array.from(out);
}
