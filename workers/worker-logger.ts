/**
 * The worker processes' SDK logger: the SDK's DefaultLogger, less one line. A scoring-only worker (task queue
 * batch-score-scoring) has no workflows by design, and the SDK (1.24) then warns "No workflows registered, not
 * polling for workflow tasks" with no option to say that is intended; on a healthy worker it reads as a fault.
 * Only that message on that task queue is dropped: the same words on the orchestration queue (whose workflows
 * are missing) still show.
 */
import { DefaultLogger, Logger, LogLevel, LogMetadata } from '@temporalio/worker';
import { SCORING_TASK_QUEUE } from '../config';

const NO_WORKFLOWS = 'No workflows registered, not polling for workflow tasks';

export class WorkerLogger implements Logger {
  /** `inner` receives what passes (default: the SDK's DefaultLogger at `level`). */
  constructor(level: LogLevel = 'INFO', private readonly inner: Logger = new DefaultLogger(level)) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message === NO_WORKFLOWS && meta?.taskQueue === SCORING_TASK_QUEUE) return;
    this.inner.log(level, message, meta);
  }

  trace(message: string, meta?: LogMetadata): void { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata): void { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata): void { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata): void { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata): void { this.log('ERROR', message, meta); }
}
