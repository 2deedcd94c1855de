/**
 * Locations (storage/locations.ts) and the log's paths on them: a local path joins and relativises as node:path
 * does; an s3:// location by '/' arithmetic that keeps the scheme and bucket and never climbs above the bucket;
 * an add.path resolves against either the way Spark's Path does.
 */
import * as assert from 'node:assert/strict';
import { dataFilePath, joinLocation, keyUnder, splitLocation, tableKey } from '../../../delta';

describe('table locations: local paths and s3:// URIs', () => {
  it('joins local paths as path.join and s3:// locations by their path, normalised', () => {
    assert.equal(joinLocation('/data/gold', 'day=1', 'part-0.parquet'), '/data/gold/day=1/part-0.parquet');
    assert.equal(joinLocation('gold/', '_delta_log', '00.json'), 'gold/_delta_log/00.json');
    assert.equal(joinLocation('s3://b/gold/t', 'day=1/part-0.parquet'), 's3://b/gold/t/day=1/part-0.parquet');
    assert.equal(joinLocation('s3://b/gold/t/', '_delta_log', '00.json'), 's3://b/gold/t/_delta_log/00.json');
    assert.equal(joinLocation('s3://b/gold/t', '../u/x'), 's3://b/gold/u/x');
    assert.equal(joinLocation('s3://b/t', '../../../x'), 's3://b/x', 'never above the bucket');
    assert.equal(joinLocation('s3://b', 'x'), 's3://b/x');
  });

  it('finds the key of a location inside another, and nothing outside it, in another bucket or scheme', () => {
    assert.equal(keyUnder('/data/gold', '/data/gold/day=1/p.parquet'), 'day=1/p.parquet');
    assert.equal(keyUnder('/data/gold', '/data/other/p.parquet'), undefined);
    assert.equal(keyUnder('/data/gold', '/data/gold'), undefined);
    assert.equal(keyUnder('s3://b/gold', 's3://b/gold/day=1/p.parquet'), 'day=1/p.parquet');
    assert.equal(keyUnder('s3://b/gold/', 's3://b/gold/_delta_log/x'), '_delta_log/x');
    assert.equal(keyUnder('s3://b/gold', 's3://b/golden/p.parquet'), undefined);
    assert.equal(keyUnder('s3://b/gold', 's3://c/gold/p.parquet'), undefined);
    assert.equal(keyUnder('s3://b/gold', '/b/gold/p.parquet'), undefined);
    assert.deepEqual(splitLocation('s3://b/t/x.parquet'), { parent: 's3://b/t', name: 'x.parquet' });
    assert.deepEqual(splitLocation('/d/t'), { parent: '/d', name: 't' });
  });

  it('resolves add.path on an S3 table: relative and escaped, absolute from the bucket root, s3a:// as s3://', () => {
    const t = 's3://lake/gold/predictions';
    assert.equal(dataFilePath(t, 'score_date=2026-11-23/part-0.parquet'), `${t}/score_date=2026-11-23/part-0.parquet`);
    assert.equal(dataFilePath(t, 'name=a%20b%252Fc/part-0.parquet'), `${t}/name=a b%2Fc/part-0.parquet`);
    assert.equal(dataFilePath(t, '/other/part-1.parquet'), 's3://lake/other/part-1.parquet');
    assert.equal(dataFilePath(t, 's3a://lake/gold/predictions/x%20y.parquet'), `${t}/x y.parquet`);
    assert.equal(tableKey(t, 's3a://lake/gold/predictions/day=1/x.parquet'), 'day=1/x.parquet');
    assert.equal(tableKey(t, '../elsewhere/x.parquet'), undefined);
    assert.equal(tableKey(t, 'part-00000-uuid.c000.snappy.parquet', '_delta_log/_sidecars'), '_delta_log/_sidecars/part-00000-uuid.c000.snappy.parquet');
    assert.equal(dataFilePath('/data/gold', 'day=1/p.parquet'), '/data/gold/day=1/p.parquet');
    assert.equal(dataFilePath('/data/gold', 'file:///elsewhere/p.parquet'), '/elsewhere/p.parquet');
  });
});
