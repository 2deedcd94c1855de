/**
 * The exit codes of `batch-score` (README, "Exit codes") and the error that carries one to cli/main.ts, which
 * prints `batch-score <verb>: <message>` on stderr and exits with it. Scripts and schedulers (cron, Airflow)
 * tell a failed run from a mistyped command and from a Temporal server that is down by these codes alone.
 * No imports: main.ts loads this for every verb.
 */
export const EXIT = {
  ok: 0,
  /** The run failed (or `status` of a failed run), or the command could not do its work. */
  failed: 1,
  /** Unknown option, bad option value, missing argument. */
  usage: 2,
  /** The Temporal server cannot be reached. */
  unreachable: 3,
  /** Ctrl-C while waiting for a workflow: the workflow keeps running on the server (128 + SIGINT, as shells say). */
  interrupted: 130,
} as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad usage (exit 2): the message names the option or argument. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage);
}

export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : EXIT.failed;
}
