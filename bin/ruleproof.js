#!/usr/bin/env node
// The compiled CLI lives in dist/ (npm run build); this shim keeps `bin` stable.
import { main } from '../dist/cli/main.js';

// `ruleproof events … | head` closes the pipe early: that is the reader saying "enough", not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`ruleproof: internal error: ${err && err.message ? err.message : String(err)}`);
    if (process.env.RULEPROOF_DEBUG) console.error(err);
    process.exitCode = 2;
  },
);
