#!/usr/bin/env node
// The compiled CLI lives in dist/ (npm run build); this shim keeps `bin` stable.
import { fileURLToPath } from 'node:url';

/**
 * V8's young generation. With its default ceiling (16 MiB semi-spaces), a replay's parsed events
 * outlive young-generation collections often enough, and unpredictably enough, to make a large replay
 * up to 60 % slower from one run to the next (measured on 200,000 events: 2.4 s or 4.1 s of CPU for the
 * same work); with 32 MiB it is steady at the fast figure (docs/performance.md). V8 reads the ceiling
 * when a process starts, so the CLI runs itself again with it for the commands that replay datasets —
 * unless it is already set (`node --max-semi-space-size=…`, `NODE_OPTIONS`) or `RULEPROOF_NO_RESPAWN=1`
 * asks not to. The cost is one more Node.js start-up (about 40 ms).
 */
const YOUNG_GENERATION = '--max-semi-space-size=32';
/** Commands that replay datasets; the others (lint, --version, github, …) gain nothing from it. */
const REPLAYING = new Set(['test', 'check', 'run', 'query', 'events', 'datasets', 'coverage', 'regress', 'new-test']);
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
const respawn =
  REPLAYING.has(command ?? '') && !flags.some((a) => a.startsWith('--max-semi-space-size')) && process.env.RULEPROOF_NO_RESPAWN !== '1';

if (respawn) {
  // Loaded here, not at the top: the re-run process (and every other command) does not need them.
  const { spawn } = await import('node:child_process');
  const { constants } = await import('node:os');
  const child = spawn(process.execPath, [YOUNG_GENERATION, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  // The child shares the terminal, so Ctrl-C reaches it directly; a signal sent to this process
  // alone (a CI runner cancelling the step) is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (err) => {
    console.error(`ruleproof: cannot start: ${err.message}`);
    process.exitCode = 2;
  });
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 2);
  });
} else {
  if (REPLAYING.has(command ?? '')) {
    // A replay's live set is bounded, what it promotes and drops is not: keep V8 from letting the
    // old generation grow to four times the live set between full collections (src/util/heap.ts).
    const { boundOldGenerationGrowth } = await import('../dist/util/heap.js');
    boundOldGenerationGrowth();
  }
  const { main } = await import('../dist/cli/main.js');

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
}
