#!/usr/bin/env node
// The package's bin: runs the compiled CLI (npm run build writes dist/).
require('../dist/cli/main.js').main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(`batch-score: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
