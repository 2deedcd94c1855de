/**
 * ESLint for batch-score: keeps I/O out of workflows/ (run by `npm run lint`, part of `npm test`).
 *
 * A workflow runs in Temporal's deterministic sandbox and is replayed from its history, so it must not touch
 * the file system, the network, processes, the clock or randomness of its own. As Temporal's TypeScript
 * samples do, workflow files may not import Node built-ins; here they may not import the I/O libraries of this
 * project either. dependency-cruiser (.dependency-cruiser.cjs) checks which project modules workflows/ may
 * import; this file names the outside ones it may not, with the reason, in the editor and in CI.
 * docs/decisions/layer-rules.md says why the rules are split this way.
 */
import { builtinModules } from 'node:module';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const NODE_BUILTIN = 'Node built-ins do I/O or read the host: a workflow does that in an activity.';

/** Every Node built-in by its bare name (fs, fs/promises, path, crypto, child_process, ...); node:* is a pattern below. */
const nodeBuiltins = builtinModules
  .filter((name) => !name.startsWith('_'))
  .map((name) => ({ name, message: NODE_BUILTIN }));

/** The project's I/O libraries (and the parts of Temporal's SDK that run outside the sandbox). */
const ioLibraries = [
  ['@duckdb/node-api', 'DuckDB reads files: Parquet is read in activities (through delta/).'],
  ['hyparquet', 'Parquet files are read in activities (through delta/).'],
  ['hyparquet-writer', 'Parquet files are written in activities (through delta/).'],
  ['onnxruntime-node', 'The model is loaded and run in activities (through scoring/).'],
  ['onnx-proto', 'Model files are parsed in activities (through registry/ and scoring/).'],
  ['@aws-sdk/client-s3', 'Object storage is read and written in activities (through delta/).'],
  ['@aws-sdk/lib-storage', 'Object storage is written in activities (through delta/).'],
  ['@temporalio/activity', 'Activity APIs run outside the workflow sandbox.'],
  ['@temporalio/client', 'A workflow starts children with @temporalio/workflow, not with a client connection.'],
  ['@temporalio/worker', 'The worker hosts the sandbox: a workflow never imports it.'],
  ['@temporalio/testing', 'Test environments are for tests.'],
  ['@temporalio/envconfig', 'Connection settings are read from files and the environment: outside the sandbox.'],
].map(([name, message]) => ({ name, message }));

export default defineConfig(
  { ignores: ['dist/', 'data/', 'python/', '.venv/', '.tools/'] },
  {
    files: ['workflows/**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      // import and export ... from, type-only ones included (allowTypeImports is off): a workflow file has no use
      // for the types of I/O either, and a type import is one edit away from a value import.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...ioLibraries],
          patterns: [
            { group: ['node:*'], message: NODE_BUILTIN }, // every built-in by its node: name, node:test and node:sqlite too
            {
              group: ['@duckdb/*/*', 'hyparquet/*', 'hyparquet-writer/*', 'onnxruntime-node/*', 'onnx-proto/*'],
              message: 'A file inside an I/O library: the same rule as the library itself.',
            },
          ],
        },
      ],
      // require() and import() escape the rule above (and dependency-cruiser's reading of static imports).
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.name='require']", message: 'Workflows load modules with static imports only.' },
        { selector: 'ImportExpression', message: 'Workflows load modules with static imports only.' },
      ],
      // Node's globals reach the host as surely as its modules do.
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The environment is read outside the sandbox (config/, workers/, cli/).' },
        { name: 'Buffer', message: 'Use Uint8Array: Buffer is a Node built-in.' },
        { name: '__dirname', message: 'Workflows have no file system.' },
        { name: '__filename', message: 'Workflows have no file system.' },
      ],
    },
  },
);
