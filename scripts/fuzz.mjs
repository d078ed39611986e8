#!/usr/bin/env node
/**
 * Long fuzz runs (the CI tests run a few thousand cases in all): the EQL, KQL, Sigma (rule files and
 * conditions) and SPL (searches and macro tables) front ends, and the dataset readers (ECS NDJSON,
 * OTRF JSON, JSON arrays, Splunk XML, EVTX) and dataset descriptors.
 *
 *   node scripts/fuzz.mjs [--cases N] [--seconds S] [--seed K] [--rounds R] [--only NAME,…]
 *
 * Runs every test/fuzz/*.test.ts suite (or those whose file name contains one of --only: eql, kql,
 * sigma, spl, readers, evtx, descriptors) R times (default 5) with seeds K, K+1, …; each suite stops at N cases
 * or S seconds. A failure prints the seed, so the run can be repeated exactly with --seed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const cases = opt('cases', '100000');
const seconds = opt('seconds', '600');
const seed = Number(opt('seed', String(Date.now() % 1e9)));
const rounds = Number(opt('rounds', '5'));
const only = opt('only', '')
  .split(',')
  .filter(Boolean);
const suites = readdirSync(path.join(root, 'test/fuzz'))
  .filter((f) => f.endsWith('.test.ts') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort()
  .map((f) => `test/fuzz/${f}`);
if (!suites.length) {
  console.error(`no fuzz suite matches --only ${only.join(',')}`);
  process.exit(2);
}

for (let i = 0; i < rounds; i++) {
  const s = seed + i;
  console.log(`fuzz round ${i + 1}/${rounds}: seed ${s}, up to ${cases} cases or ${seconds} s per suite: ${suites.join(' ')}`);
  const r = spawnSync('npx', ['tap', '--timeout', String(Number(seconds) * 2 + 60), ...suites], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_CASES: cases, FUZZ_SECONDS: seconds, FUZZ_SEED: String(s) },
  });
  if (r.status !== 0) {
    console.error(`fuzz failure with seed ${s}: repeat with node scripts/fuzz.mjs --seed ${s} --rounds 1 --cases ${cases}${only.length ? ` --only ${only.join(',')}` : ''}`);
    process.exit(1);
  }
}
console.log('fuzzing found nothing');
