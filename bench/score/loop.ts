/**
 * The scoring loop under measurement, as a scoring worker runs a unit: for each segment (a Silver data file and
 * some of its row groups), each row group → read user_id + features → score, then one Gold output file per
 * segment. Seconds per stage, users/s and the process's peak RSS.
 */
import * as path from 'node:path';
import type { Scorer } from '../../scoring';
import { ParquetLayer } from './layer';

export interface LoopResult {
  layer: string;
  model: string;
  users: number;
  seconds: { read: number; score: number; write: number; total: number };
  usersPerSecond: number;
  peakRssMb: number;
  /** Sum of all probabilities: the same for every layer when they read the same values. */
  checksum: number;
}

export interface Segment {
  file: string;
  /** Row groups to score; all when absent. */
  rowGroups?: number[];
}

async function* eachRowGroup(layer: ParquetLayer, file: string, groups: number[], columns: string[]) {
  for (const g of groups) yield await layer.readRowGroup(file, g, columns);
}

export async function scoreSegments(layer: ParquetLayer, scorer: Scorer, segments: Segment[], outDir: string): Promise<LoopResult> {
  const s = { read: 0, score: 0, write: 0, total: 0 };
  const started = performance.now();
  let users = 0;
  let checksum = 0;
  for (const { file, rowGroups } of segments) {
    const ids: BigInt64Array[] = [];
    const probs: Float64Array[] = [];
    const groups = rowGroups ?? (await layer.rowGroups(file)).map((_, g) => g);
    const batches = layer.readRowGroups?.(file, groups, scorer.columns) ?? eachRowGroup(layer, file, groups, scorer.columns);
    for (;;) {
      let t = performance.now();
      const { value: batch, done } = await batches.next();
      s.read += performance.now() - t;
      if (done) break;
      t = performance.now();
      const scored = await scorer.scoreBatch(batch, { nullPolicy: 'error', source: file });
      s.score += performance.now() - t;
      ids.push(scored.userIds);
      probs.push(scored.probabilities);
    }
    const t = performance.now();
    const n = ids.reduce((a, b) => a + b.length, 0);
    const userIds = new BigInt64Array(n);
    const probabilities = new Float64Array(n);
    let at = 0;
    for (let k = 0; k < ids.length; k++) {
      userIds.set(ids[k], at);
      probabilities.set(probs[k], at);
      at += ids[k].length;
    }
    await layer.writePredictions(path.join(outDir, `${path.basename(file, '.parquet')}-rg${groups[0]}.scored.parquet`), {
      userIds,
      probabilities,
      modelName: scorer.pinned.name,
      modelVersion: scorer.pinned.version,
      runId: 'bench',
      scoredAt: new Date('2026-11-23T06:00:00Z'),
      threshold: 0.5,
    });
    s.write += performance.now() - t;
    users += n;
    for (let i = 0; i < n; i++) checksum += probabilities[i];
  }
  s.total = performance.now() - started;
  const seconds = { read: s.read / 1000, score: s.score / 1000, write: s.write / 1000, total: s.total / 1000 };
  return {
    layer: layer.name,
    model: scorer.pinned.name,
    users,
    seconds,
    usersPerSecond: users / seconds.total,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    checksum,
  };
}
