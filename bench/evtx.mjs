#!/usr/bin/env node
/**
 * EVTX reading speed: records/s and MB/s of ruleproof's reader, side by side with libevtx's
 * `evtxexport` when it is installed (Debian: libevtx-utils), plus peak RSS.
 *
 * Usage: npm run build && node bench/evtx.mjs [FILE.evtx ...] [--chunks N]
 * Without files it builds a test file of N chunks (default 2000, about 128 MiB) by repeating the
 * chunks of the bundled EVTX-ATTACK-SAMPLES files; each chunk is valid on its own.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(process.env.RULEPROOF_DIST ?? path.join(root, 'dist'), 'events/readers/evtx/index.js');
if (!existsSync(compiled)) {
  console.error('bench/evtx.mjs: run `npm run build` first (needs dist/events/readers/evtx/index.js)');
  process.exit(2);
}
const { readEvtxRecords } = await import(pathToFileURL(compiled).href);

const args = process.argv.slice(2);
const chunksArg = args.indexOf('--chunks');
const chunkCount = chunksArg >= 0 ? Number(args[chunksArg + 1]) : 2000;
let files = args.filter((a, i) => !a.startsWith('--') && i !== chunksArg + 1);
let scratch;

if (files.length === 0) {
  const sampleDir = path.join(root, 'datasets/evtx-attack-samples/lateral_movement');
  const chunks = readdirSync(sampleDir)
    .filter((f) => f.endsWith('.evtx'))
    .sort()
    .map((f) => readFileSync(path.join(sampleDir, f)).subarray(4096, 4096 + 0x10000));
  scratch = mkdtempSync(path.join(tmpdir(), 'ruleproof-bench-'));
  const file = path.join(scratch, `synthetic-${chunkCount}-chunks.evtx`);
  const header = Buffer.from(readFileSync(path.join(sampleDir, readdirSync(sampleDir).find((f) => f.endsWith('.evtx')))).subarray(0, 4096));
  header.writeBigUInt64LE(BigInt(chunkCount - 1), 16);
  header.writeUInt16LE(chunkCount & 0xffff, 42);
  header.writeUInt32LE(zlib.crc32(header.subarray(0, 120)), 124);
  const fd = openSync(file, 'w');
  writeSync(fd, header);
  for (let i = 0; i < chunkCount; i++) writeSync(fd, chunks[i % chunks.length]);
  closeSync(fd);
  files = [file];
}

function formatRate(n, unit) {
  return `${n >= 100 ? n.toFixed(0) : n.toFixed(1)} ${unit}`;
}

for (const file of files) {
  const bytes = statSync(file).size;
  let records = 0;
  let diagnostics = 0;
  const start = process.hrtime.bigint();
  for await (const r of readEvtxRecords(file, { file, onDiagnostic: () => diagnostics++ })) {
    if (r.kind === 'windows') records++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(`${path.basename(file)}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ${records} records, ${diagnostics} diagnostics`);
  console.log(
    `  ruleproof   ${seconds.toFixed(2)} s  ${formatRate(bytes / 2 ** 20 / seconds, 'MB/s')}  ${formatRate(records / seconds, 'records/s')}  peak RSS ${rssMiB.toFixed(0)} MiB`,
  );
  const probe = spawnSync('evtxexport', ['-V'], { encoding: 'utf8' });
  if (probe.error) {
    console.log('  evtxexport  not installed (apt-get install libevtx-utils) — skipped');
    continue;
  }
  const t0 = process.hrtime.bigint();
  const run = spawnSync('sh', ['-c', 'evtxexport -f xml "$0" > /dev/null 2>&1', file]);
  const libSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(
    `  evtxexport  ${libSeconds.toFixed(2)} s  ${formatRate(bytes / 2 ** 20 / libSeconds, 'MB/s')}  ${formatRate(records / libSeconds, 'records/s')}  (exit ${run.status}; renders XML text)`,
  );
}

if (scratch) rmSync(scratch, { recursive: true, force: true });
