#!/usr/bin/env node
/**
 * What evaluating costs, measured directly: the first N events of a dataset are read into memory
 * once (read, parse, normalise, order — as a replay does), then pushed through the dispatcher to
 * the compiled queries, several times, and the best time is compared with `JSON.parse` of the same
 * lines. No start-up, no reading, no output: only the engine's work per event.
 *
 * Usage: node bench/eval-only.mjs FILE [--events N] [--query EQL]... [--rules DIR]
 *   --query  an EQL query (repeatable); each is measured alone
 *   --rules  a rule repository: every rule under DIR/detections, measured together (one pass)
 * Prints one JSON object: { events, parseMs, runs: [{ what, ms, alerts }] }.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
const { openDatasetBatches } = await load('events/dataset.js');
const { compileQuery } = await load('engine/index.js');
const { dispatchTo } = await load('engine/dispatch.js');

const args = process.argv.slice(2);
const file = path.resolve(args[0] ?? '');
const option = (name) => args.flatMap((a, i) => (a === `--${name}` ? [args[i + 1]] : []));
const limit = Number(option('events')[0] ?? 200_000);
const REPEAT = 5;

const events = [];
for await (const batch of openDatasetBatches(file, { root: path.dirname(file), onDiagnostic: () => {} })) {
  for (const e of batch) if (events.length < limit) events.push(e);
  if (events.length >= limit) break;
}
// The same lines, as text (the file is read only as far as the events taken).
const lines = [];
{
  const text = readFileSync(file, 'utf8');
  let start = 0;
  while (lines.length < events.length) {
    const nl = text.indexOf('\n', start);
    const line = text.slice(start, nl < 0 ? text.length : nl);
    if (line.trim()) lines.push(line);
    if (nl < 0) break;
    start = nl + 1;
  }
}

function bestOf(fn) {
  let best = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const parseMs = bestOf(() => {
  for (const l of lines) JSON.parse(l);
});

function measure(what, queries) {
  let alerts = 0;
  const ms = bestOf(() => {
    alerts = 0;
    const detectors = dispatchTo(
      queries,
      queries.map((q) => q.newDetector(() => alerts++)),
    );
    for (const e of events) detectors.push(e);
    detectors.finish();
  });
  return { what, queries: queries.length, ms: Math.round(ms * 10) / 10, alerts };
}

const runs = [];
for (const q of option('query')) {
  const compiled = compileQuery(q, { language: 'eql', fieldView: 'ecs' });
  if (!compiled.ok) throw new Error(`${q}: ${compiled.errors[0].message}`);
  runs.push(measure(q, [compiled.query]));
}
for (const dir of option('rules')) {
  const { loadRules } = await load('rules/index.js');
  const { compileRule } = await load('replay/runner.js');
  const loaded = await loadRules(['detections'], { root: dir });
  const queries = loaded.rules.map((r) => compileRule(r).query).filter(Boolean);
  runs.push(measure(`${queries.length} rules of ${dir}`, queries));
}
process.stdout.write(JSON.stringify({ events: events.length, parseMs: Math.round(parseMs * 10) / 10, runs }) + '\n');
