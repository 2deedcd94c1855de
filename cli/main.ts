/** The `batch-score` command: one verb per file in cli/. */
import { deltaCommand } from './delta';
import { demoCommand } from './demo';
import { devServerCommand } from './dev-server';
import { generateCommand } from './generate';
import { modelCommand } from './model';
import { runCommand } from './run';
import { statusCommand } from './status';
import { topCommand } from './top';
import { trainCommand } from './train';
import { workerCommand } from './worker';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, [Command, string]> = {
  demo: [demoCommand, 'everything embedded: dev server, worker, demo data and model, one run'],
  'dev-server': [devServerCommand, 'the local Temporal dev server with its Web UI'],
  worker: [workerCommand, 'a worker process (all, orchestration or scoring)'],
  run: [runCommand, 'start a scoring run for a date'],
  status: [statusCommand, "a run's status and progress"],
  top: [topCommand, 'the top buyers of a date'],
  generate: [generateCommand, 'generate the demo Silver table'],
  train: [trainCommand, 'train and register the demo model'],
  model: [modelCommand, 'the local model registry: register, list, alias'],
  delta: [deltaCommand, 'Delta tables: show, history, read, vacuum'],
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
  return command[0](rest);
}
