/** The `batch-score` command: one verb per file in cli/. */
type Command = (args: string[]) => Promise<number>;

// Loaded on use: a command pays only for the libraries it needs (Temporal, onnxruntime, ...).
const COMMANDS: Record<string, [() => Promise<Command>, string]> = {
  demo: [async () => (await import('./demo')).demoCommand, 'everything embedded: dev server, worker, demo data and model, one run'],
  'dev-server': [async () => (await import('./dev-server')).devServerCommand, 'the local Temporal dev server with its Web UI'],
  worker: [async () => (await import('./worker')).workerCommand, 'a worker process (all, orchestration or scoring)'],
  run: [async () => (await import('./run')).runCommand, 'start a scoring run for a date'],
  status: [async () => (await import('./status')).statusCommand, "a run's status and progress"],
  top: [async () => (await import('./top')).topCommand, 'the top buyers of a date'],
  generate: [async () => (await import('./generate')).generateCommand, 'generate the demo Silver table'],
  train: [async () => (await import('./train')).trainCommand, 'train and register the demo model'],
  model: [async () => (await import('./model')).modelCommand, 'the local model registry: register, list, alias'],
  delta: [async () => (await import('./delta')).deltaCommand, 'Delta tables: show, history, read, vacuum'],
};

const HELP = `Usage: batch-score <command> [options]   (batch-score <command> --help for its options)

${Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(11)} ${what}`).join('\n')}
`;

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(HELP.trim());
    return verb ? 0 : 1;
  }
  const command = COMMANDS[verb];
  if (!command) {
    console.error(`batch-score: unknown command ${JSON.stringify(verb)}\n\n${HELP.trim()}`);
    return 2;
  }
  return (await command[0]())(rest);
}
