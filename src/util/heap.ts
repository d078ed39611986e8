import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last full collection before it
 * collects again: a factor of 2.
 *
 * V8 picks the factor itself from how cheap its last collections were, up to 4. A replay's live set
 * is bounded (the reorder queue, partial sequences, each rule's alert tally), but what it promotes
 * and then drops is not: when a dataset is out of order, every held event outlives two
 * young-generation collections, is copied into the old generation and dies there a little later.
 * Marking a replay's heap is cheap, so V8 chose the largest factor, and a log whose 120,000 records
 * all fall in one reorder window grew to 4 × its 40 MB live set between full collections: 313 MB of
 * peak RSS for 100 rules (docs/performance.md). With 2 the same replay peaks at 225–240 MB, for
 * about 2 % more time in the collector (11 full collections instead of 5); an ordinary replay, which
 * promotes little, runs two more full collections over a 1,000,000-event file (30 ms).
 */
export const OLD_GENERATION_GROWTH_PERCENT = 100;

let bounded = false;

/**
 * Caps the old generation's growth for the rest of the process (V8's `--heap-growing-percent`, read
 * at every full collection, so it may be set after start-up). Called by the CLI for the commands that
 * replay datasets; `--jobs` workers share the process's V8 flags. Idempotent. A command line that
 * already sets the flag (`node --heap-growing-percent=…`, `NODE_OPTIONS`) keeps its own value.
 */
export function boundOldGenerationGrowth(flags: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]): void {
  if (bounded) return;
  bounded = true;
  if (flags.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return;
  setFlagsFromString(`--heap-growing-percent=${OLD_GENERATION_GROWTH_PERCENT}`);
}
