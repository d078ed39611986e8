#!/usr/bin/env node
/**
 * Dataset reading at scale (issue 4's acceptance):
 *
 * - a generated ECS NDJSON file of about 1 GB (in the OS temporary directory, deleted afterwards)
 *   replayed through `openDataset` — parse, normalize, time order — in a child process whose peak
 *   resident set size is measured: it must stay below 300 MB;
 * - the same replay over a copy whose events are shuffled within two minutes (the windowed
 *   reorder path), smaller so the run stays short;
 * - EVTX reading speed, MB/s and events/s, of ruleproof's reader beside libevtx's `evtxexport`
 *   (Debian: libevtx-utils) on the same file when it is installed.
 *
 *   npm run build && node bench/events.mjs [--gb 1] [--chunks 2000] [--skip-ndjson] [--skip-evtx] [--json FILE]
 *
 * `bench/run.js` (`npm run bench`) calls `runEventsBench({ tmpDir, log })` and reports its result.
 * No timing is asserted anywhere: these are measurements, printed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import { generateEcsNdjson, rng } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const dist = process.env.RULEPROOF_DIST ?? path.join(root, 'dist');
const hook = pathToFileURL(path.join(here, 'rss-hook.mjs')).href;
const RSS_LIMIT_MB = 300;

const rate = (n, unit) => `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${unit}`;

/** Child mode: replay one dataset through openDataset and print what it read. */
async function replayChild(file) {
  const { openDataset } = await import(pathToFileURL(path.join(dist, 'events/dataset.js')).href);
  let events = 0;
  let untimed = 0;
  let outOfOrder = 0;
  let last = -Infinity;
  const codes = new Map();
  const started = performance.now();
  for await (const e of openDataset(file, { root: path.dirname(file), onDiagnostic: (d) => codes.set(d.code, (codes.get(d.code) ?? 0) + 1) })) {
    events++;
    if (Number.isNaN(e.timestamp)) untimed++;
    else {
      if (e.timestamp < last) outOfOrder++;
      last = e.timestamp;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ events, untimed, outOfOrder, seconds, diagnostics: Object.fromEntries(codes) }) + '\n');
}

/** Replays `file` in a child process; wall time, peak RSS and what the child counted. */
function measureReplay(file, tmpDir) {
  const stats = path.join(tmpDir, `stats-${process.hrtime.bigint()}.json`);
  const r = spawnSync(process.execPath, ['--import', hook, fileURLToPath(import.meta.url), '--replay-child', file], {
    env: { ...process.env, BENCH_STATS: stats },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`replay of ${path.basename(file)} failed: ${r.stderr}`);
  const child = JSON.parse(r.stdout.trim().split('\n').pop());
  const usage = JSON.parse(readFileSync(stats, 'utf8'));
  rmSync(stats, { force: true });
  return { ...child, peakRssMB: usage.maxRssKB / 1024 };
}

/** A copy of an NDJSON file with every event's time moved by up to ±`jitterMs` (out of order). */
async function jitter(source, target, jitterMs, maxBytes) {
  const r = rng(7);
  const out = createWriteStream(target);
  const rl = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
  let bytes = 0;
  let block = '';
  for await (const line of rl) {
    const doc = JSON.parse(line);
    doc['@timestamp'] = new Date(Date.parse(doc['@timestamp']) + Math.round((r() * 2 - 1) * jitterMs)).toISOString();
    const text = JSON.stringify(doc) + '\n';
    block += text;
    bytes += text.length;
    if (block.length > 1 << 20) {
      if (!out.write(block)) await new Promise((res) => out.once('drain', res));
      block = '';
    }
    if (bytes >= maxBytes) break;
  }
  rl.close();
  out.end(block);
  await new Promise((res) => out.once('finish', res));
  return statSync(target).size;
}

/** An EVTX file of `chunkCount` chunks repeated from the bundled EVTX-ATTACK-SAMPLES files. */
export function syntheticEvtx(dir, chunkCount) {
  const sampleDir = path.join(root, 'datasets/evtx-attack-samples/lateral_movement');
  const names = readdirSync(sampleDir).filter((f) => f.endsWith('.evtx')).sort();
  const chunks = names.map((f) => readFileSync(path.join(sampleDir, f)).subarray(4096, 4096 + 0x10000));
  const header = Buffer.from(readFileSync(path.join(sampleDir, names[0])).subarray(0, 4096));
  header.writeBigUInt64LE(BigInt(chunkCount - 1), 16);
  header.writeUInt16LE(chunkCount & 0xffff, 42);
  header.writeUInt32LE(zlib.crc32(header.subarray(0, 120)), 124);
  const file = path.join(dir, `synthetic-${chunkCount}-chunks.evtx`);
  const fd = openSync(file, 'w');
  writeSync(fd, header);
  for (let i = 0; i < chunkCount; i++) writeSync(fd, chunks[i % chunks.length]);
  closeSync(fd);
  return file;
}

async function evtxSpeed(file, log) {
  const { readEvtxRecords } = await import(pathToFileURL(path.join(dist, 'events/readers/evtx/index.js')).href);
  const bytes = statSync(file).size;
  const mb = bytes / 2 ** 20;
  let records = 0;
  let diagnostics = 0;
  const started = performance.now();
  for await (const r of readEvtxRecords(file, { file, onDiagnostic: () => diagnostics++ })) if (r.kind === 'windows') records++;
  const seconds = (performance.now() - started) / 1000;
  const result = { file: path.basename(file), bytes, records, diagnostics, ruleproof: { seconds, mbPerSec: mb / seconds, eventsPerSec: records / seconds }, evtxexport: null };
  log(`  ${result.file}: ${mb.toFixed(1)} MiB, ${records} records`);
  log(`    ruleproof   ${seconds.toFixed(2)} s  ${rate(mb / seconds, 'MB/s')}  ${rate(records / seconds, 'events/s')}`);
  const probe = spawnSync('evtxexport', ['-V'], { encoding: 'utf8' });
  if (probe.error) {
    log('    evtxexport  not installed (apt-get install libevtx-utils): no comparison');
    return result;
  }
  const t0 = performance.now();
  const run = spawnSync('sh', ['-c', 'evtxexport -f xml "$0" > /dev/null 2>&1', file]);
  const libSeconds = (performance.now() - t0) / 1000;
  result.evtxexport = { seconds: libSeconds, mbPerSec: mb / libSeconds, eventsPerSec: records / libSeconds, exitCode: run.status };
  log(`    evtxexport  ${libSeconds.toFixed(2)} s  ${rate(mb / libSeconds, 'MB/s')}  ${rate(records / libSeconds, 'events/s')}  (renders XML text; exit ${run.status})`);
  log(`    ruleproof is ${(libSeconds / seconds).toFixed(1)}× evtxexport's speed`);
  return result;
}

/**
 * The whole bench. Options: `tmpDir` (default: a new folder in the OS temporary directory, removed
 * at the end), `log` (default: stderr), `gb` (NDJSON size, default 1), `chunks` (EVTX chunks,
 * default 2000 ≈ 128 MiB), `skipNdjson`, `skipEvtx`. Returns the measurements as an object.
 */
export async function runEventsBench(options = {}) {
  const log = options.log ?? ((s) => process.stderr.write(s + '\n'));
  const gb = options.gb ?? 1;
  const chunks = options.chunks ?? 2000;
  if (!existsSync(path.join(dist, 'events/dataset.js'))) throw new Error('run `npm run build` first (needs dist/events/dataset.js)');
  const dir = mkdtempSync(path.join(options.tmpDir ?? os.tmpdir(), 'ruleproof-events-bench-'));
  const result = { rssLimitMB: RSS_LIMIT_MB };
  try {
    if (!options.skipNdjson) {
      log(`\ndataset replay (openDataset: parse, normalize, time order), peak RSS limit ${RSS_LIMIT_MB} MB:`);
      const file = path.join(dir, 'big.ndjson');
      const gen = await generateEcsNdjson(file, { events: Infinity, bytes: gb * 2 ** 30, seed: 11 });
      const bytes = statSync(file).size;
      const inOrder = measureReplay(file, dir);
      result.ndjson = { bytes, ...inOrder, generated: gen.events ?? inOrder.events, belowLimit: inOrder.peakRssMB < RSS_LIMIT_MB };
      log(
        `  in order   ${(bytes / 2 ** 30).toFixed(2)} GiB, ${inOrder.events} events: ${inOrder.seconds.toFixed(1)} s, ${rate(bytes / 2 ** 20 / inOrder.seconds, 'MB/s')}, ${rate(inOrder.events / inOrder.seconds, 'events/s')}, peak RSS ${inOrder.peakRssMB.toFixed(0)} MB ${inOrder.peakRssMB < RSS_LIMIT_MB ? '(below the limit)' : '(ABOVE THE LIMIT)'}`,
      );
      const shuffled = path.join(dir, 'jittered.ndjson');
      const shuffledBytes = await jitter(file, shuffled, 120_000, Math.min(bytes, 256 * 2 ** 20));
      rmSync(file, { force: true });
      const reordered = measureReplay(shuffled, dir);
      result.ndjsonReordered = { bytes: shuffledBytes, jitterMs: 120_000, ...reordered, belowLimit: reordered.peakRssMB < RSS_LIMIT_MB };
      log(
        `  ±2 min out of order   ${(shuffledBytes / 2 ** 20).toFixed(0)} MiB, ${reordered.events} events: ${reordered.seconds.toFixed(1)} s, ${rate(reordered.events / reordered.seconds, 'events/s')}, peak RSS ${reordered.peakRssMB.toFixed(0)} MB, ${reordered.outOfOrder} replayed out of order`,
      );
      rmSync(shuffled, { force: true });
    }
    if (!options.skipEvtx) {
      log('\nEVTX reading (records decoded to WindowsRecord):');
      const file = syntheticEvtx(dir, chunks);
      result.evtx = await evtxSpeed(file, log);
      const replay = measureReplay(file, dir);
      result.evtx.replay = replay;
      log(`    full replay (normalize + order) ${replay.seconds.toFixed(2)} s, ${rate(replay.events / replay.seconds, 'events/s')}, peak RSS ${replay.peakRssMB.toFixed(0)} MB`);
      const gz = `${file}.gz`;
      writeFileSync(gz, zlib.gzipSync(readFileSync(file), { level: 1 }));
      const gzReplay = measureReplay(gz, dir);
      result.evtx.gzipReplay = { bytes: statSync(gz).size, ...gzReplay };
      log(`    same file gzipped (${(statSync(gz).size / 2 ** 20).toFixed(1)} MiB), replayed as it inflates: ${gzReplay.seconds.toFixed(2)} s, peak RSS ${gzReplay.peakRssMB.toFixed(0)} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

export default runEventsBench;

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const args = process.argv.slice(2);
  if (args[0] === '--replay-child') {
    await replayChild(args[1]);
  } else {
    const opt = (name) => {
      const i = args.indexOf(`--${name}`);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const result = await runEventsBench({
      gb: opt('gb') !== undefined ? Number(opt('gb')) : undefined,
      chunks: opt('chunks') !== undefined ? Number(opt('chunks')) : undefined,
      skipNdjson: args.includes('--skip-ndjson'),
      skipEvtx: args.includes('--skip-evtx'),
    });
    const out = opt('json');
    if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    if (result.ndjson && !result.ndjson.belowLimit) process.exitCode = 1;
  }
}
