#!/usr/bin/env node
/**
 * The baseline every replay figure is divided by: the bare loop a JSON reader cannot beat — read the
 * file in 64 KiB chunks, cut it into lines, `JSON.parse` every line, nothing else. Prints one JSON
 * object: events, bytes, ms (wall, from the first read to the last parse).
 *
 * Usage: node bench/baseline.mjs FILE
 */
import { createReadStream, statSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/baseline.mjs FILE');
  process.exit(2);
}
const started = performance.now();
let events = 0;
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 })) {
  const text = rest ? rest + chunk : chunk;
  let start = 0;
  let nl;
  while ((nl = text.indexOf('\n', start)) >= 0) {
    if (nl > start) {
      JSON.parse(text.slice(start, nl));
      events++;
    }
    start = nl + 1;
  }
  rest = text.slice(start);
}
if (rest.trim()) {
  JSON.parse(rest);
  events++;
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ events, bytes: statSync(file).size, ms }) + '\n');
