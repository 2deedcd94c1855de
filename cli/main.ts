/** The `batch-score` command: one verb per file in cli/; a verb's error becomes `batch-score <verb>: ...` and its exit code. */
import { EXIT, exitCodeOf } from './exit-codes';

type Command = (args: string[]) => Promise<number>;

// Loaded on use: a command pays only for the libraries it needs (Temporal, onnxruntime, ...).
const COMMANDS: Record<string, [() => Promise<Command>, string]> = {
  demo: [async () => (require('./demo') as typeof import('./demo')).demoCommand, 'everything embedded: dev server, worker, demo data and model, one run'],
  'dev-server': [async () => (require('./dev-server') as typeof import('./dev-server')).devServerCommand, 'the local Temporal dev server with its Web UI'],
  worker: [async () => (require('./worker') as typeof import('./worker')).workerCommand, 'a worker process (all, orchestration or scoring)'],
  run: [async () => (require('./run') as typeof import('./run')).runCommand, 'start a scoring run for a date'],
  status: [async () => (require('./status') as typeof import('./status')).statusCommand, "a run's status and progress"],
  schedule: [async () => (require('./schedule') as typeof import('./schedule')).scheduleCommand, 'the weekly run as a Temporal Schedule'],
  backfill: [async () => (require('./backfill') as typeof import('./backfill')).backfillCommand, 'score a range of past dates'],
  top: [async () => (require('./top') as typeof import('./top')).topCommand, 'the top buyers of a date'],
  report: [async () => (require('./report') as typeof import('./report')).reportCommand, "a date's score report (text and HTML)"],
  ingest: [async () => (require('./ingest') as typeof import('./ingest')).ingestCommand, 'event CSV files into the Bronze events table'],
  generate: [async () => (require('./generate') as typeof import('./generate')).generateCommand, 'generate the demo Silver table'],
  features: [async () => (require('./features') as typeof import('./features')).featuresCommand, 'Silver features and labels of a date from Bronze events'],
  train: [async () => (require('./train') as typeof import('./train')).trainCommand, 'train and register the demo model'],
  model: [async () => (require('./model') as typeof import('./model')).modelCommand, 'the local model registry: register, list, alias'],
  delta: [async () => (require('./delta') as typeof import('./delta')).deltaCommand, 'Delta tables: show, history, read, vacuum'],
};

const HELP = `Usage: batch-score <command> [options]   (batch-score <command> --help for its options)

${Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(11)} ${what}`).join('\n')}
`;

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(HELP.trim());
    return verb ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[verb];
  if (!command) {
    console.error(`batch-score: unknown command ${JSON.stringify(verb)}\n\n${HELP.trim()}`);
    return EXIT.usage;
  }
  try {
    return await (await command[0]())(rest);
  } catch (err) {
    console.error(`batch-score ${verb}: ${err instanceof Error ? err.message : String(err)}`);
    return exitCodeOf(err);
  }
}
