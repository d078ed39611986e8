#!/usr/bin/env node
/**
 * What evaluating rules costs inside a real replay: the dataset is read through the same pipeline a
 * replay uses (read, parse, normalise, order, in batches), and only the time spent pushing each
 * batch's events through the dispatcher to the compiled rules is added up. Unlike
 * `bench/eval-only.mjs`, the events are evaluated right after they are parsed, as in a replay (warm
 * in the cache), and no large heap of held events distorts the collector. The bare JSON.parse loop
 * over the same file is timed in the same process for the ratio.
 *
 * Usage: node bench/eval-inline.mjs FILE --rules DIR
 * Prints one JSON object: { events, rules, totalMs, evalMs, parseLoopMs, evalVsParsing }.
 * (Timing per batch of about a hundred events: the two clock reads cost well under 1 % of it.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
const { openDatasetBatches } = await load('events/dataset.js');
(await load('util/heap.js')).boundOldGenerationGrowth(); // as the CLI does for replays
const { dispatchTo } = await load('engine/dispatch.js');
await load('engine/index.js');
const { loadRules } = await load('rules/index.js');
const { compileRule } = await load('replay/runner.js');

const args = process.argv.slice(2);
const file = path.resolve(args[0] ?? '');
const rulesDir = args[args.indexOf('--rules') + 1];
if (!args[0] || args.indexOf('--rules') < 0 || !rulesDir) {
  console.error('usage: node bench/eval-inline.mjs FILE --rules DIR');
  process.exit(2);
}

const loaded = await loadRules(['detections'], { root: rulesDir });
const queries = loaded.rules.map((r) => compileRule(r).query).filter(Boolean);

async function replayOnce() {
  let alerts = 0;
  const dispatch = dispatchTo(
    queries,
    queries.map((q) => q.newDetector(() => alerts++)),
  );
  let events = 0;
  let evalMs = 0;
  const started = performance.now();
  for await (const batch of openDatasetBatches(file, { root: path.dirname(file), onDiagnostic: () => {} })) {
    const t = performance.now();
    for (let i = 0; i < batch.length; i++) dispatch.push(batch[i]);
    evalMs += performance.now() - t;
    events += batch.length;
  }
  const t = performance.now();
  dispatch.finish();
  evalMs += performance.now() - t;
  return { events, alerts, evalMs, totalMs: performance.now() - started };
}

function parseLoop() {
  const text = readFileSync(file, 'utf8');
  const started = performance.now();
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    if (line.trim()) JSON.parse(line);
    if (nl < 0) break;
    start = nl + 1;
  }
  return performance.now() - started;
}

// The first replay warms the code; the best of the next three is kept, and likewise the parse loop.
await replayOnce();
let best;
for (let r = 0; r < 3; r++) {
  const run = await replayOnce();
  if (!best || run.evalMs < best.evalMs) best = run;
}
parseLoop();
let parseLoopMs = Infinity;
for (let r = 0; r < 3; r++) parseLoopMs = Math.min(parseLoopMs, parseLoop());
const round = (x) => Math.round(x * 10) / 10;
process.stdout.write(
  JSON.stringify({
    events: best.events,
    rules: queries.length,
    alerts: best.alerts,
    totalMs: round(best.totalMs),
    evalMs: round(best.evalMs),
    parseLoopMs: round(parseLoopMs),
    evalVsParsing: Math.round((best.evalMs / parseLoopMs) * 1000) / 1000,
  }) + '\n',
);
