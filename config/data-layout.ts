/**
 * Where batch-score keeps its data: one root (default ./data, or BATCH_SCORE_DATA, or --data-dir) holding the
 * Silver and Gold tables, the local model registry and the reports.
 */
import * as path from 'node:path';
import { dataRootFromEnv } from './environment';

export interface DataLayout {
  root: string;
  silverFeatures: string;
  silverLabels: string;
  goldPredictions: string;
  goldTopBuyers: string;
  models: string;
  reports: string;
}

export function dataLayout(dataDir?: string): DataLayout {
  const root = path.resolve(dataDir ?? dataRootFromEnv() ?? 'data');
  return {
    root,
    silverFeatures: path.join(root, 'silver', 'user_features'),
    silverLabels: path.join(root, 'silver', 'purchase_labels'),
    goldPredictions: path.join(root, 'gold', 'purchase_predictions'),
    goldTopBuyers: path.join(root, 'gold', 'top_buyers'),
    models: path.join(root, 'models'),
    reports: path.join(root, 'reports'),
  };
}
