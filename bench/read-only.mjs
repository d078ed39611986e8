#!/usr/bin/env node
/**
 * ruleproof's event pipeline without any query: read, parse, normalise and time-order every event
 * of a dataset (the `openDatasetBatches` loop a replay runs), and nothing else. `bench/run.js`
 * measures it as a child process, like the queries, so that the share of a query's time spent
 * evaluating is (query − read-only) / query.
 *
 * Usage: node bench/read-only.mjs FILE
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { openDatasetBatches } = await import(path.join(here, '../dist/events/dataset.js'));
// The CLI bounds the old generation's growth for replays (src/util/heap.ts); so does this mirror of it.
(await import(path.join(here, '../dist/util/heap.js'))).boundOldGenerationGrowth();
const file = path.resolve(process.argv[2] ?? '');
let events = 0;
let warnings = 0;
for await (const batch of openDatasetBatches(file, { root: path.dirname(file), onDiagnostic: () => warnings++ })) events += batch.length;
process.stdout.write(JSON.stringify({ events, warnings }) + '\n');
