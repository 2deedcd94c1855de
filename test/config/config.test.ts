/**
 * The configuration module: where the data lives (an explicit folder, else BATCH_SCORE_DATA, else ./data) and
 * the environment variables as the rest of the code reads them.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { allowedRootsFromEnv, dataLayout, ENV, mlflowTrackingUriFromEnv } from '../../config';

/** Runs `body` with these environment variables set (undefined: unset), then restores them. */
function withEnv(vars: Record<string, string | undefined>, body: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  try {
    for (const [k, v] of Object.entries(vars)) set(k, v);
    body();
  } finally {
    for (const [k, v] of Object.entries(saved)) set(k, v);
  }
}

describe('config', function () {
  it('lays out the data root: Bronze, Silver, Gold, models and reports under one absolute root', function () {
    const layout = dataLayout('/srv/batch');
    assert.deepEqual(layout, {
      root: '/srv/batch',
      bronzeEvents: '/srv/batch/bronze/events',
      bronzeQuarantine: '/srv/batch/bronze/events_quarantine',
      silverFeatures: '/srv/batch/silver/user_features',
      silverLabels: '/srv/batch/silver/purchase_labels',
      goldPredictions: '/srv/batch/gold/purchase_predictions',
      goldTopBuyers: '/srv/batch/gold/top_buyers',
      models: '/srv/batch/models',
      reports: '/srv/batch/reports',
    });
  });

  it('the data root is the folder given, else BATCH_SCORE_DATA, else ./data; relative to the working directory', function () {
    withEnv({ [ENV.dataRoot]: '/from/env' }, () => {
      assert.equal(dataLayout().root, '/from/env');
      assert.equal(dataLayout('given').root, path.resolve('given'));
    });
    withEnv({ [ENV.dataRoot]: undefined }, () => assert.equal(dataLayout().root, path.resolve('data')));
  });

  it('BATCH_SCORE_ALLOWED_ROOTS is a path-delimiter list; blank entries are dropped', function () {
    withEnv({ [ENV.allowedRoots]: ['/a', ' ', '', 'rel/b'].join(path.delimiter) }, () => assert.deepEqual(allowedRootsFromEnv(), ['/a', 'rel/b']));
    withEnv({ [ENV.allowedRoots]: undefined }, () => assert.deepEqual(allowedRootsFromEnv(), []));
  });

  it("BATCH_SCORE_ALLOWED_ROOTS keeps s3:// roots whole (their ':' is not a delimiter)", function () {
    withEnv({ [ENV.allowedRoots]: 's3://lake/batch-score:/srv/lake: S3://scratch:rel' }, () =>
      assert.deepEqual(allowedRootsFromEnv(), ['s3://lake/batch-score', '/srv/lake', 'S3://scratch', 'rel']),
    );
  });

  it('the data root is a local folder: an s3:// data root is refused, pointing at the allowed roots', function () {
    assert.throws(() => dataLayout('s3://lake/batch-score'), (err: Error & { code?: string }) => err.code === 'InvalidInput' && /BATCH_SCORE_ALLOWED_ROOTS/.test(err.message));
  });

  it('an empty MLFLOW_TRACKING_URI means no MLflow server', function () {
    withEnv({ [ENV.mlflowTrackingUri]: '' }, () => assert.equal(mlflowTrackingUriFromEnv(), undefined));
    withEnv({ [ENV.mlflowTrackingUri]: 'http://mlflow:5000' }, () => assert.equal(mlflowTrackingUriFromEnv(), 'http://mlflow:5000'));
  });
});
