/**
 * The same-date rule (docs/decisions/same-date-runs.md): when two runs of one score date overlap, the run that
 * STARTED later wins. Each Gold commit records its run and date in commitInfo.batchScore; every attempt of a
 * commit first finds the latest commit that replaced the date, against the very snapshot it will commit on,
 * and refuses with SupersededByNewerRun if that commit came from a run that started later. A lost commit race
 * runs the same check at the new head, so a race cannot let the older run land last.
 */
import { Action, commitsNewestFirst, Snapshot } from '../delta';
import { SCORE_DATE } from './gold-schemas';
import { PipelineError } from './pipeline-error';

/** One run of the scoreUsers workflow, as its Gold commits record it. */
export interface RunStamp {
  workflowId: string;
  runId: string;
  /** When the run started (ms, the Temporal server's clock): the same-date rule compares it. */
  startTime: number;
}

/**
 * How far before our own start the search for a newer run's commit looks: a run that started after us commits
 * after us, so older commits cannot be newer runs' (the margin absorbs clock differences between the Temporal
 * server and the workers, whose clocks stamp the commits).
 */
export const CLOCK_SKEW_MS = 10 * 60_000;

/** commitInfo with `batchScore` carrying the run and the date, which the rule reads back. */
export function stampCommitInfo(commitInfo: Record<string, unknown>, scoreDate: string, run: RunStamp): Record<string, unknown> {
  const batchScore = (commitInfo.batchScore ?? {}) as Record<string, unknown>;
  return { ...commitInfo, batchScore: { ...batchScore, workflowId: run.workflowId, runId: run.runId, scoreDate, runStartTime: run.startTime } };
}

/** The commit precondition of `run` publishing `scoreDate` (delta's CommitOptions.check). */
export function notSuperseded(scoreDate: string, run: RunStamp): (snapshot: Snapshot) => Promise<void> {
  return async (snapshot) => {
    const latest = await latestReplacement(snapshot, scoreDate, run.startTime - CLOCK_SKEW_MS);
    if (latest && startedLater(latest.run, run)) {
      throw new PipelineError(
        'SupersededByNewerRun',
        `${snapshot.tablePath}: score_date=${scoreDate} was published at version ${latest.version} by workflow ${latest.run.workflowId} ` +
          `run ${latest.run.runId}, which started later (${iso(latest.run.startTime)}) than this run (workflow ${run.workflowId} run ${run.runId}, ` +
          `started ${iso(run.startTime)}): the run that started later wins, so this run changes nothing`,
      );
    }
  };
}

/**
 * Later start wins; runs started in the same millisecond are ordered by run id, so the rule is still total.
 * A reset run keeps its workflow's start time: that is why runs of the same workflow id are never compared.
 */
function startedLater(other: RunStamp, run: RunStamp): boolean {
  // Runs of one workflow id run one after another (a re-run, a reset), so the one committing now is the newest.
  if (other.workflowId === run.workflowId) return false;
  return other.startTime > run.startTime || (other.startTime === run.startTime && other.runId > run.runId);
}

/**
 * The run of the latest commit (newest first, down to `since`) that replaced partition score_date=D: a batch-score
 * commit stamped with D, or any other writer's commit that added or removed a file of D (it has no run: undefined).
 */
async function latestReplacement(snapshot: Snapshot, scoreDate: string, since: number): Promise<{ version: number; run: RunStamp } | undefined> {
  for await (const { version, actions } of commitsNewestFirst(snapshot)) {
    const info = actions.find((a) => a.commitInfo)?.commitInfo;
    const stamp = info?.batchScore as Partial<RunStamp & { scoreDate: string; runStartTime: number }> | undefined;
    if (stamp?.scoreDate === scoreDate) {
      const { workflowId, runId, runStartTime } = stamp;
      if (typeof workflowId !== 'string' || typeof runId !== 'string' || typeof runStartTime !== 'number') return undefined;
      return { version, run: { workflowId, runId, startTime: runStartTime } };
    }
    if (touches(actions, scoreDate)) return undefined;
    if (typeof info?.timestamp === 'number' && info.timestamp < since) return undefined;
  }
  return undefined;
}

function touches(actions: Action[], scoreDate: string): boolean {
  return actions.some((a) => (a.add ?? a.remove)?.partitionValues?.[SCORE_DATE] === scoreDate);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
