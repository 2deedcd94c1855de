#!/usr/bin/env node
// The package's bin: runs the compiled CLI (npm run build writes dist/). Long-running verbs run in a process
// started with the V8 flags of dist/cli/launch.js (and a worker in --processes N of them). main() prints a verb's
// errors and returns its exit code (README, "Exit codes"); what reaches the catch here failed before any verb ran:
// a usage error of the launcher (it carries an exit code) is the verb's, and named after it like main() does.
const argv = process.argv.slice(2);
let launcher;
try {
  launcher = require('../dist/cli/launch.js');
} catch (err) {
  if (err.code !== 'MODULE_NOT_FOUND' || !String(err.message).includes('dist')) throw err;
  // npm ci builds dist/ (the prepare script); a checkout that skipped it, or ran npm ci --ignore-scripts, has not.
  console.error(`batch-score: the CLI is not built (${require('node:path').join(__dirname, '..', 'dist')} is missing): run npm run build`);
  process.exit(1);
}
const restarted = launcher.launch(__filename, argv);
(restarted ?? require('../dist/cli/main.js').main(argv)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    const ofVerb = err && Number.isInteger(err.exitCode);
    console.error(`batch-score${ofVerb && argv[0] ? ` ${argv[0]}` : ''}: ${err && err.message ? err.message : err}`);
    process.exitCode = ofVerb ? err.exitCode : 1;
  },
);
