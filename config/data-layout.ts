/**
 * Where batch-score keeps its data: one root (default ./data, or BATCH_SCORE_DATA, or --data-dir) holding the
 * Silver and Gold tables, the local model registry and the reports. It is a local folder; tables on S3 live under
 * allowed roots instead (pipeline/table-locations.ts).
 */
import * as path from 'node:path';
import { BatchScoreError } from '../errors';
import { dataRootFromEnv } from './environment';

export interface DataLayout {
  root: string;
  /** Bronze: raw events as ingested, partitioned by event_date, and the lines that could not be read. */
  bronzeEvents: string;
  bronzeQuarantine: string;
  silverFeatures: string;
  silverLabels: string;
  goldPredictions: string;
  goldTopBuyers: string;
  models: string;
  reports: string;
}

export function dataLayout(dataDir?: string): DataLayout {
  const given = dataDir ?? dataRootFromEnv() ?? 'data';
  // It also holds the model registry and caches, which need a file system; S3 tables go in allowed roots.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
    throw new BatchScoreError('InvalidInput', `the data root ${given} must be a local folder: put s3:// table locations in BATCH_SCORE_ALLOWED_ROOTS and pass them to the run (docs/decisions/tables-on-s3.md)`);
  }
  const root = path.resolve(given);
  return {
    root,
    bronzeEvents: path.join(root, 'bronze', 'events'),
    bronzeQuarantine: path.join(root, 'bronze', 'events_quarantine'),
    silverFeatures: path.join(root, 'silver', 'user_features'),
    silverLabels: path.join(root, 'silver', 'purchase_labels'),
    goldPredictions: path.join(root, 'gold', 'purchase_predictions'),
    goldTopBuyers: path.join(root, 'gold', 'top_buyers'),
    models: path.join(root, 'models'),
    reports: path.join(root, 'reports'),
  };
}
