/**
 * A run's manifest, kept on the Gold table's own storage under `_batch_score/runs/<runId>/` (a folder Delta
 * readers never list: names starting with `_` are not data), so that the workflow carries references only,
 * whatever the run's size (docs/decisions/run-manifest.md):
 *
 *   manifest.json        written once by planning: the pinned Silver snapshot, its schema, the units cut from it,
 *                        how to score them (model, contract, null policy, threshold) and which top-buyer
 *                        candidates each unit hands on (candidate-plan.ts)
 *   units/NNNNNNNN.json  one per unit, written by the unit's scoring activity after its Gold file is staged:
 *                        the staged file (add action with stats), rows, users skipped, its candidates (or the
 *                        file holding them). Keyed by unit index, so a retried unit replaces its entry instead of
 *                        adding one: the commit and the top-buyers selection read exactly one per unit
 *
 * Every worker reaches it where it reaches Gold (a shared folder or a bucket): no shared disk beyond the tables.
 * The run removes it when it ends (discardRunManifest); what a killed run leaves is only these small files.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { localRoot, storeFor, StructType } from '../delta';
import type { PinnedModel } from '../registry';
import type { ContractOptions, NullPolicy, ScoringUnit } from '../scoring';
import type { CandidatePlan } from './candidate-plan';
import type { DuplicateCheck } from './duplicate-check';
import { PipelineError } from './pipeline-error';
import type { ScoredUnit } from './score-unit';

/** The folder of every run's manifest, relative to the Gold table. */
export const RUNS_FOLDER = '_batch_score/runs';

export interface RunManifest {
  scoreDate: string;
  silverTable: string;
  silverVersion: number;
  /** The pinned snapshot's schema: every unit reads with it. */
  silverSchema: StructType;
  totalRows: number;
  units: ScoringUnit[];
  /** Where duplicate user_ids are checked: done at planning, or by each unit over its rows (duplicate-check.ts). */
  duplicateCheck: DuplicateCheck;
  model: PinnedModel;
  contract: ContractOptions;
  nullPolicy: NullPolicy;
  /** predicted_buyer = probability >= threshold. */
  predictionThreshold: number;
  /** Where staged top-buyer candidates go (its partition folder), and how many each unit hands on. */
  topBuyersTable: string;
  candidates: CandidatePlan;
}

const runFolder = (runId: string) => `${RUNS_FOLDER}/${runId}/`;
const manifestKey = (runId: string) => `${runFolder(runId)}manifest.json`;
const unitKey = (runId: string, unitIndex: number) => `${runFolder(runId)}units/${String(unitIndex).padStart(8, '0')}.json`;

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = <T>(bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as T;

export async function writeRunManifest(goldTable: string, runId: string, manifest: RunManifest): Promise<void> {
  await storeFor(goldTable).put(manifestKey(runId), encode(manifest));
}

// A worker process reads a run's manifest once, however many of its units it scores.
const manifests = new Map<string, Promise<RunManifest>>();
const MANIFESTS_KEPT = 8;

/** The manifest planning wrote for run `runId` (read once per process). */
export function readRunManifest(goldTable: string, runId: string): Promise<RunManifest> {
  const cacheKey = `${goldTable}\u0000${runId}`;
  let manifest = manifests.get(cacheKey);
  if (!manifest) {
    manifest = (async () => {
      const bytes = await storeFor(goldTable).get(manifestKey(runId));
      if (!bytes) throw new PipelineError('StagedFileInvalid', `run ${runId} has no manifest in Gold table ${goldTable} (${manifestKey(runId)}): it was removed while the run was scoring`);
      return decode<RunManifest>(bytes);
    })();
    manifest.catch(() => manifests.delete(cacheKey));
    manifests.set(cacheKey, manifest);
    if (manifests.size > MANIFESTS_KEPT) manifests.delete(manifests.keys().next().value as string);
  }
  return manifest;
}

/** Records a scored unit (replacing what an earlier attempt of the same unit recorded). */
export async function writeUnitResult(goldTable: string, runId: string, result: ScoredUnit): Promise<void> {
  await storeFor(goldTable).put(unitKey(runId, result.unitIndex), encode(result));
}

/** What unit `unitIndex` of the run recorded, or undefined when it has not (yet). */
export async function readUnitResult(goldTable: string, runId: string, unitIndex: number): Promise<ScoredUnit | undefined> {
  const bytes = await storeFor(goldTable).get(unitKey(runId, unitIndex));
  if (!bytes) return undefined;
  const result = decode<ScoredUnit>(bytes);
  if (result.unitIndex !== unitIndex) throw new PipelineError('StagedFileInvalid', `${unitKey(runId, unitIndex)} in Gold table ${goldTable} holds unit ${result.unitIndex}, not ${unitIndex}`);
  return result;
}

/** The results of units 0..unitCount-1, in unit order; StagedFileInvalid naming the first unit without one. */
export async function readUnitResults(goldTable: string, runId: string, unitCount: number): Promise<ScoredUnit[]> {
  const results: ScoredUnit[] = new Array(unitCount);
  const READS_IN_FLIGHT = 32; // small objects: on S3 each is a request, so several at once
  let next = 0;
  const reader = async () => {
    while (next < unitCount) {
      const i = next++;
      const result = await readUnitResult(goldTable, runId, i);
      if (!result) throw new PipelineError('StagedFileInvalid', `unit ${i} of run ${runId} has no staged result in Gold table ${goldTable} (${unitKey(runId, i)})`);
      results[i] = result;
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, unitCount) }, reader));
  return results;
}

/** Removes the run's manifest and unit results (no error when there are none). */
export async function discardRunManifest(goldTable: string, runId: string): Promise<void> {
  const store = storeFor(goldTable);
  for (const key of await store.listKeys(runFolder(runId))) await store.delete(key);
  manifests.delete(`${goldTable}\u0000${runId}`);
  const root = localRoot(store);
  if (root !== undefined) await removeEmptyFolders(root, `${RUNS_FOLDER}/${runId}/units`);
}

/**
 * On a file system, deleting objects leaves their folders: remove `rel` and its parents while they are empty,
 * so a finished run leaves the Gold folder as it found it (object storage has no folders to leave).
 */
async function removeEmptyFolders(root: string, rel: string): Promise<void> {
  for (let folder = rel; folder !== '.' && folder !== ''; folder = path.posix.dirname(folder)) {
    try {
      await fs.rmdir(path.join(root, ...folder.split('/')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return;
      if (code !== 'ENOENT') throw err;
    }
  }
}
