#!/usr/bin/env node
// The package's bin: runs the compiled CLI (npm run build writes dist/). Long-running verbs run in a process
// started with the V8 flags of dist/cli/launch.js (and a worker in --processes N of them). main() prints a verb's
// errors and returns its exit code (README, "Exit codes"); what reaches the catch here failed before any verb ran.
const argv = process.argv.slice(2);
const restarted = require('../dist/cli/launch.js').launch(__filename, argv);
(restarted ?? require('../dist/cli/main.js').main(argv)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`batch-score: ${err && err.message ? err.message : err}`);
    process.exitCode = err && Number.isInteger(err.exitCode) ? err.exitCode : 1;
  },
);
