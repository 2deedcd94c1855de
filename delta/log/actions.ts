/**
 * Delta log actions as plain records mirroring PROTOCOL.md names, and the (de)serialisation of one commit
 * file: one JSON action per line.
 */
import { DeltaError } from '../errors';

export type PartitionValues = Record<string, string | null>;

export interface AddFile {
  path: string;
  partitionValues: PartitionValues;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  stats?: string;
  tags?: Record<string, string>;
  deletionVector?: unknown;
  baseRowId?: number;
  defaultRowCommitVersion?: number;
  clusteringProvider?: string;
}

export interface RemoveFile {
  path: string;
  dataChange: boolean;
  deletionTimestamp?: number;
  extendedFileMetadata?: boolean;
  partitionValues?: PartitionValues;
  size?: number;
  stats?: string;
  tags?: Record<string, string>;
  deletionVector?: unknown;
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number;
}

export interface CommitInfo {
  timestamp?: number;
  operation?: string;
  operationParameters?: Record<string, unknown>;
  readVersion?: number;
  isolationLevel?: string;
  isBlindAppend?: boolean;
  engineInfo?: string;
  operationMetrics?: Record<string, unknown>;
  [key: string]: unknown;
}

/** One line of a commit file. Exactly one key is set; unknown action kinds are kept but ignored by replay. */
export interface Action {
  add?: AddFile;
  remove?: RemoveFile;
  metaData?: MetadataAction;
  protocol?: ProtocolAction;
  txn?: TxnAction;
  commitInfo?: CommitInfo;
  cdc?: unknown;
  domainMetadata?: { domain: string; configuration: string; removed: boolean };
  checkpointMetadata?: unknown;
  sidecar?: unknown;
  [other: string]: unknown;
}

/** Parses a commit file's text; `file` is named in errors. */
export function parseActions(text: string, file: string): Action[] {
  const actions: Action[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (err) {
      throw new DeltaError('CorruptLog', `${file} line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new DeltaError('CorruptLog', `${file} line ${i + 1}: an action must be a JSON object`);
    }
    actions.push(parsed as Action);
  }
  return actions;
}

/** Serialises actions as a commit file: one JSON object per line, newline-terminated. */
export function serializeActions(actions: Action[]): string {
  return actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
}
