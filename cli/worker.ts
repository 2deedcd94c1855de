/** `batch-score worker`: a long-running worker process connected to the configured Temporal cluster. */
import * as os from 'node:os';
import { Runtime } from '@temporalio/worker';
import { createWorkers, WORKER_ROLES, WorkerRole } from '../workers/workers';
import { WorkerLogger } from '../workers/worker-logger';
import { num, parseCommand, positiveInt, str } from './args';
import { connectWorker } from './connection';
import { usageError } from './exit-codes';

const HELP = `
Usage: batch-score worker [--role all|orchestration|scoring] [--processes N|cores] [--concurrency N] [--threads N]
                         [--data-dir DIR]

Run a worker until SIGINT/SIGTERM. Connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS
settings (the SDK's environment configuration), else localhost:7233.
  --role R          all (default): workflows and every activity; orchestration: workflows and the light
                    activities (task queue batch-score); scoring: scoreUnit only (task queue batch-score-scoring)
  --processes N     worker processes (default 1; "cores": one per core, the fastest layout for scoring). Each
                    then scores one unit at a time on one onnxruntime thread unless told otherwise
  --concurrency N   units scored at once per process (default: number of cores)
  --threads N       onnxruntime intra-op threads per model session (default: number of cores; a model run
                    blocks the worker's JavaScript thread, so concurrent units take turns and each run should
                    use every core; use 1 when running one worker process per core)
  --data-dir DIR    data root with the default tables and the local model registry
`;

export async function workerCommand(args: string[]): Promise<number> {
  const p = parseCommand(HELP, {
    role: { type: 'string' }, concurrency: { type: 'string' }, threads: { type: 'string' }, 'data-dir': { type: 'string' },
    processes: { type: 'string' },
  }, args);
  if (!p) return 0;
  if (str(p, 'processes') !== undefined && str(p, 'processes') !== '1') {
    throw usageError('--processes is handled by the batch-score command (bin/batch-score.js), which starts the processes');
  }
  const role = (str(p, 'role') ?? 'all') as WorkerRole;
  if (!WORKER_ROLES.includes(role)) throw usageError(`--role must be one of ${WORKER_ROLES.join(', ')}, got ${role}`);
  Runtime.install({ logger: new WorkerLogger() }); // the SDK's logger, less the scoring queue's no-workflows warning
  const { connection, namespace } = await connectWorker();
  const concurrency = num(p, 'concurrency', positiveInt) ?? os.availableParallelism();
  const threads = num(p, 'threads', positiveInt) ?? os.availableParallelism();
  const workers = await createWorkers({ connection, namespace, role, concurrency, intraOpThreads: threads, dataDir: str(p, 'data-dir') });
  const scoring = role === 'orchestration' ? '' : `, scoring ${concurrency} unit(s) at a time on ${threads} onnxruntime thread(s)`;
  // The identity (pid@host) is what Temporal records on each activity attempt: it tells which process ran a unit.
  console.log(`batch-score worker (${role}) on ${workers.map((w) => w.options.taskQueue).join(' + ')}, namespace ${namespace}${scoring}; identity ${workers[0].options.identity}`);
  // The SDK's runtime shuts workers down gracefully on SIGINT/SIGTERM.
  await Promise.all(workers.map((w) => w.run()));
  await connection.close();
  return 0;
}
