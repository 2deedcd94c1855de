/**
 * The duplicate-user fast path in pieces: which check footer ranges call for (duplicate-check.ts), and what a unit
 * finds among the ids it reads (unit-duplicates.ts): nothing for increasing disjoint row groups, every duplicate
 * otherwise, with row counts and files, skipping no row it was given.
 */
import * as assert from 'node:assert/strict';
import { duplicateCheckFor } from '../../pipeline/duplicate-check';
import { describeDuplicates } from '../../pipeline/silver-duplicates';
import { UnitUserIds } from '../../pipeline/unit-duplicates';

const range = (min: bigint, max: bigint) => ({ min, max });

describe('duplicate-user check in the units', function () {
  it("footer ranges: 'units' only when every row group has one and none meet", function () {
    assert.equal(duplicateCheckFor([range(10n, 19n), range(-5n, 9n), range(20n, 20n)]), 'units');
    assert.equal(duplicateCheckFor([]), 'units');
    assert.equal(duplicateCheckFor([range(0n, 10n), range(10n, 20n)]), 'plan', 'a shared bound may be the same user');
    assert.equal(duplicateCheckFor([range(0n, 100n), range(40n, 50n)]), 'plan');
    assert.equal(duplicateCheckFor([range(0n, 10n), undefined, range(20n, 30n)]), 'plan', 'a row group without statistics');
    assert.equal(duplicateCheckFor([range(-(2n ** 63n), -1n), range(0n, 2n ** 63n - 1n)]), 'units', 'signed int64 bounds');
  });

  it('row groups read in increasing order, not meeting: no duplicate, in any file order', function () {
    const read = new UnitUserIds();
    read.add(BigInt64Array.from([7n, 8n, 9n]), 'b.parquet');
    read.add(BigInt64Array.from([1n, 2n, 3n]), 'a.parquet');
    read.add(Int32Array.from([4, 6]), 'c.parquet');
    assert.deepEqual(read.duplicates(), { count: 0, examples: [] });
  });

  it('unsorted ids are sorted and checked: each duplicate with its rows and files, the first five by user_id', function () {
    const read = new UnitUserIds();
    read.add(BigInt64Array.from([9n, 3n, 5n, 3n, 1n]), 'a.parquet');
    read.add(BigInt64Array.from([2n, 4n, 6n]), 'b.parquet');
    read.add([8n, null, 7n, 9n, 9n, 2n, 11n, 11n, 10n, 10n], 'c.parquet');
    const found = read.duplicates();
    assert.deepEqual(found, {
      count: 5,
      examples: [
        { userId: 2n, rows: 2, files: ['b.parquet', 'c.parquet'] },
        { userId: 3n, rows: 2, files: ['a.parquet'] },
        { userId: 9n, rows: 3, files: ['a.parquet', 'c.parquet'] },
        { userId: 10n, rows: 2, files: ['c.parquet'] },
        { userId: 11n, rows: 2, files: ['c.parquet'] },
      ],
    });
    assert.equal(describeDuplicates(found).split('; ')[0], '5 user(s) have more than one row: user_id 2 (2 rows in b.parquet, c.parquet)');
  });

  it('increasing row groups whose ranges meet: the shared id is found', function () {
    const read = new UnitUserIds();
    read.add(BigInt64Array.from([1n, 2n, 3n]), 'a.parquet');
    read.add(BigInt64Array.from([3n, 4n]), 'a.parquet');
    assert.deepEqual(read.duplicates(), { count: 1, examples: [{ userId: 3n, rows: 2, files: ['a.parquet'] }] });
  });
});
