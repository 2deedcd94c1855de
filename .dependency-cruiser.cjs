/**
 * The layer rules of batch-score, checked by dependency-cruiser on every `npm test` (`npm run lint`).
 *
 * The picture these rules enforce, top to bottom (docs/architecture.md draws it; docs/decisions/layer-rules.md
 * says why each rule exists):
 *
 *   cli → workers → workflows → activities → pipeline / features → events / scoring / registry → delta → config → errors
 *
 * A folder may import its own files, its peer (scoring / registry) and any folder BELOW it, never one above it
 * (skipping down is fine: cli/ may import delta/). Beside the column:
 * demo/ (synthetic data, the demo model) sits beside pipeline and is imported only by cli/, bench/ and test/;
 * devkit/ (what tests and benchmarks share) only by bench/ and test/; bench/ may import anything but test/;
 * test/ may import anything.
 * Type-only imports (`import type`) count like any other import: they too tie a layer to the one it names.
 */

/** The layers, top to bottom. A layer may import itself, its peers on the same line and every line after it. */
const LAYERS = [
  ['cli'],
  ['workers'],
  ['workflows'],
  ['activities'],
  ['pipeline', 'features'], // peers: features/ builds the Silver snapshots pipeline/ plans and scores
  ['events', 'scoring', 'registry'], // peers: scoring reads a pinned model's metadata from registry/; events/ is Bronze
  ['delta'],
  ['config'], // the neutral configuration: data layout, task queues, defaults, environment
  ['errors'], // the error vocabulary: every layer may raise and classify its errors
];

/** Beside the column: what each folder may import, and who may import it. */
const SIDE = {
  // synthetic Silver data and the demo model: the CLI runs the demo, benchmarks and tests use its data
  demo: { imports: ['pipeline', 'features', 'events', 'scoring', 'registry', 'delta', 'config', 'errors'], importedBy: ['cli', 'bench', 'test'] },
  // what tests and benchmarks share (fixtures, the Python helper), so bench/ never imports test/
  devkit: {
    imports: ['demo', 'pipeline', 'features', 'events', 'scoring', 'registry', 'delta', 'config', 'errors'],
    importedBy: ['bench', 'test'],
  },
};
const sideImportedBy = (name) => Object.keys(SIDE).filter((side) => SIDE[side].importedBy.includes(name));

const ALL_FOLDERS = [...LAYERS.flat(), ...Object.keys(SIDE), 'bench', 'test'];
const folders = (names) => `^(${names.join('|')})/`;

/** What each folder of the column may import: itself, its peers, every layer below it, and SIDE folders that allow it. */
function mayImport(layerIndex, name) {
  const peersAndBelow = LAYERS.slice(layerIndex).flat().filter((other) => other !== name);
  return [name, ...peersAndBelow, ...sideImportedBy(name)];
}

/** One rule per folder: importing any project folder it may not import is an error. */
const layerRules = [
  ...LAYERS.flatMap((layer, i) =>
    layer.map((name) => ({
      name: `layer-order-${name}`,
      comment:
        `${name}/ may import only ${mayImport(i, name).slice(1).join(', ') || 'nothing else of the project'}: ` +
        'layers depend downward only, so each can be read, tested and changed without the ones above it.',
      severity: 'error',
      from: { path: `^${name}/` },
      to: { path: folders(ALL_FOLDERS), pathNot: folders(mayImport(i, name)) },
    })),
  ),
  ...Object.entries(SIDE).map(([name, { imports, importedBy }]) => ({
    name: `layer-order-${name}`,
    comment: `${name}/ may import only ${imports.join(', ')}; only ${importedBy.join(', ')} import it.`,
    severity: 'error',
    from: { path: `^${name}/` },
    to: { path: folders(ALL_FOLDERS), pathNot: folders([name, ...imports]) },
  })),
  {
    name: 'every-folder-has-a-floor',
    comment:
      'A new top-level folder of TypeScript gets its place in LAYERS or SIDE above (and in docs/architecture.md) ' +
      'before it is used: otherwise no layer rule would see it.',
    severity: 'error',
    from: { path: '^[^/]+/', pathNot: folders([...ALL_FOLDERS, 'node_modules']) },
    to: {},
  },
  {
    name: 'test-is-imported-by-tests-only',
    comment:
      'Nothing ships or measures code from test/: a generator both bench/ and test/ need lives in a module both import.',
    severity: 'error',
    from: { pathNot: '^test/' },
    to: { path: '^test/' },
  },
];

/**
 * workflows/ runs inside Temporal's deterministic sandbox, replayed from history: at run time it may import
 * only itself, Temporal's workflow API, and pure modules (no I/O, no clock, no randomness). It may import
 * TYPES from any layer below (`import type` is erased by the compiler, so nothing of that layer runs).
 * ESLint (eslint.config.mjs) forbids Node built-ins and I/O libraries in workflows/ by name; Temporal's own
 * bundler (run by every workflow test) rejects a built-in reached through any chain of imports.
 */
const PURE_FOR_WORKFLOWS = [
  '^pipeline/top-buyers-rule\\.ts$', // the top-buyers rule, checked before any scoring starts
  '^pipeline/candidate-plan\\.ts$', // how the units hand on top-buyer candidates, decided before any scoring starts
  '^registry/model-identity\\.ts$', // the model's identity, which the workflow's result records
  '^errors/codes\\.ts$', // error type names, so the workflow can tell failures apart
  '^config/task-queues\\.ts$', // the task queues the workflow and the workers must agree on
  '^config/run-defaults\\.ts$', // a run's defaults (config/index.ts is not pure: it brings in the data layout)
];

const workflowRules = [
  {
    name: 'workflows-give-callers-types-only',
    comment:
      'Constants the workflow and its callers share (task queues, defaults) live in config/, not in workflows/: ' +
      'cli/ and workers/ take from workflows/ only types (input, result, progress) and the input checks of ' +
      'run-input.ts (the CLI refuses bad input with the workflow\'s own check). workers/ loads workflows/index.ts ' +
      'by path (require.resolve), not by import.',
    severity: 'error',
    from: { path: '^(cli|workers)/' },
    to: { path: '^workflows/', pathNot: '^workflows/run-input\\.ts$', dependencyTypesNot: ['type-only'] },
  },
  {
    name: 'workflows-import-only-pure-modules',
    comment:
      'A workflow is replayed deterministically in a sandbox: at run time it imports only workflows/, ' +
      '@temporalio/workflow, @temporalio/common and the pure modules listed in PURE_FOR_WORKFLOWS; ' +
      'from the layers below it imports types only (import type).',
    severity: 'error',
    from: { path: '^workflows/' },
    to: {
      pathNot: ['^workflows/', '^node_modules/@temporalio/(workflow|common)/', ...PURE_FOR_WORKFLOWS],
      dependencyTypesNot: ['type-only'],
    },
  },
  {
    name: 'pure-modules-stay-pure',
    comment:
      'A pure module the workflow imports must itself import only pure modules at run time (no Node built-in, ' +
      'no package), or the workflow would reach I/O through it.',
    severity: 'error',
    from: { path: PURE_FOR_WORKFLOWS },
    to: { pathNot: PURE_FOR_WORKFLOWS, dependencyTypesNot: ['type-only'] },
  },
];

/**
 * delta/ is split into rooms (delta/parquet/, delta/log/, delta/transaction/, delta/maintenance/, ...): each
 * room's index.ts is its only entrance, and delta/index.ts is the only entrance to delta/ as a whole. A room's
 * inside can then change without touching anything outside it. Written for any delta/<room>/ folder.
 * test/ is exempt (a room's unit tests open its inside); bench/ may use room entrances (it measures readers
 * and writers on their own) but not reach past them.
 */
const ROOM_FILE_PAST_ENTRANCE = { path: '^delta/[^/]+/', pathNot: '^delta/[^/]+/index\\.ts$' };

const deltaRules = [
  {
    name: 'delta-room-entrance-from-outside',
    comment: "Outside a room (elsewhere in delta/, or outside delta/), a room's files are reached through its index.ts only.",
    severity: 'error',
    from: { pathNot: ['^delta/[^/]+/', '^test/'] },
    to: ROOM_FILE_PAST_ENTRANCE,
  },
  {
    name: 'delta-room-entrance-between-rooms',
    comment: "One room reaches another room's files through that room's index.ts only (its own files are free).",
    severity: 'error',
    from: { path: '^delta/([^/]+)/' },
    to: { ...ROOM_FILE_PAST_ENTRANCE, pathNot: [ROOM_FILE_PAST_ENTRANCE.pathNot, '^delta/$1/'] },
  },
  {
    name: 'delta-entrance',
    comment:
      'Outside delta/, the Delta table format is used through delta/index.ts only: its public surface is one file. ' +
      '(bench/ may also open a room by its index.ts; test/ anything.)',
    severity: 'error',
    from: { pathNot: ['^delta/', '^test/', '^bench/'] },
    to: { path: '^delta/', pathNot: '^delta/index\\.ts$' },
  },
  {
    name: 'parquet-libraries-behind-adapters',
    comment:
      'hyparquet, hyparquet-writer and DuckDB are reached through one adapter each (delta/parquet/*-adapter.ts): ' +
      'what the project relies on in a library is in one file, checked by test/delta/parquet/adapters.test.ts on ' +
      'upgrade. (bench/ compares candidate libraries directly; test/ may check them.)',
    severity: 'error',
    from: { pathNot: ['^delta/parquet/[a-z-]+-adapter\\.ts$', '^test/', '^bench/'] },
    to: { path: 'node_modules/(hyparquet|hyparquet-writer|@duckdb/node-api)/' },
  },
  {
    name: 'aws-sdk-behind-the-s3-store',
    comment:
      'The AWS SDK is reached through delta/storage/s3-store.ts only: what the project relies on in it (conditional ' +
      'puts, paging, errors) is in one file. (devkit/ starts the test server and creates its bucket; test/ and ' +
      'bench/ may check the SDK directly.)',
    severity: 'error',
    from: { pathNot: ['^delta/storage/s3-store\\.ts$', '^devkit/', '^test/', '^bench/'] },
    to: { path: 'node_modules/@aws-sdk/' },
  },
];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'No module depends on itself through a chain of imports: a cycle makes two modules one, loads in an order ' +
        'that can see half-initialised exports, and hides which layer is above which.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...workflowRules,
    ...deltaRules,
  ],
  options: {
    // The project's TypeScript folders; compiled output, Python and data are not cruised. Packages are seen
    // (so the workflow rules can name them) but not followed into.
    exclude: { path: '^(dist|data|python|scripts|bin|\\.venv|\\.tools|\\.git)/' },
    doNotFollow: { path: '^node_modules/' },
    // See `import type` too, and tell it apart (dependencyTypes 'type-only').
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
