/**
 * `batch-score report` on tables in an S3 bucket (MinIO): Gold, top buyers, Silver and labels given as s3://
 * locations give the same report as the same tables on disk (DuckDB reads sparse local copies of the columns it
 * needs), and leave no copy behind in the temp folder.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MinioServer, startMinio, uploadFolder } from '../../devkit';
import { batchScore } from '../support/processes';
import { REPORT_DAY, reportWorld, ReportWorld, TOP_BUYERS } from '../support/report-tables';

describe('report on tables in S3 (MinIO)', function () {
  this.timeout(15 * 60_000); // the first run builds MinIO (minutes)
  let minio: MinioServer;
  let dir: string;
  let tmp: string;
  let world: ReportWorld;
  let saved: Record<string, string | undefined> = {};

  before(async () => {
    minio = await startMinio();
    // This process uploads the tables; the CLI gets the same variables.
    saved = Object.fromEntries(Object.keys(minio.env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, minio.env);
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-report-s3-'));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'batch-score-report-s3-tmp-'));
    world = await reportWorld(path.join(dir, 'local'));
  });
  after(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await minio?.stop();
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('reads Gold, top buyers, Silver and labels from s3:// locations: the same numbers as on disk', async () => {
    const remote = (t: string) => `s3://${minio.bucket}/lake/${path.relative(world.dir, t)}`;
    for (const t of [world.gold, world.topBuyers, world.silver, world.labels]) await uploadFolder(t, remote(t));
    // An empty data root: nothing can come from local defaults.
    const empty = path.join(dir, 'empty');
    const out = path.join(dir, 'report-s3.html');
    const s3 = JSON.parse(await batchScore([
      'report', '--date', REPORT_DAY, '--data-dir', empty, '--json', '--out', out,
      '--gold', remote(world.gold), '--top-buyers', remote(world.topBuyers), '--silver', remote(world.silver), '--labels', remote(world.labels),
    ], { ...minio.env, TMPDIR: tmp }));
    const local = JSON.parse(await batchScore(['report', '--date', REPORT_DAY, '--data-dir', world.dir, '--json']));

    assert.equal(s3.goldTable, remote(world.gold));
    assert.equal(s3.labels.table, remote(world.labels));
    assert.equal(s3.drift.silverTable, remote(world.silver));
    assert.equal(s3.labels.available, true);
    assert.equal(s3.drift.features.length, 3);
    // Everything but the locations, and the commit times (a Delta commit's time is its log file's: the upload's).
    const numbers = (r: Record<string, unknown>) => ({
      ...r, goldTable: 0, html: 0, labels: { ...(r.labels as object), table: 0 }, drift: { ...(r.drift as object), silverTable: 0 },
      lineage: (r.lineage as object[]).map((l) => ({ ...l, committedAt: 0 })),
    });
    // Sums of doubles may be added in another order (DuckDB's threads): equal to 1e-12.
    const rounded = (x: unknown): unknown => (typeof x === 'number' && !Number.isInteger(x) ? Number(x.toPrecision(12))
      : Array.isArray(x) ? x.map(rounded) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rounded(v)])) : x);
    assert.deepEqual(rounded(numbers(s3)), rounded(numbers(local)));
    assert.equal((await fs.readFile(out, 'utf8')).match(/<tr><td>\d+<\/td><td>\d+<\/td><td>0\.\d{6}<\/td><\/tr>/g)?.length, TOP_BUYERS);
    // The local copies DuckDB read are gone.
    assert.deepEqual((await fs.readdir(tmp)).filter((f) => f.startsWith('batch-score-read-')), []);
  });
});
