#!/usr/bin/env node
/**
 * Long fuzz runs of the EQL parser and the dataset readers (the CI tests run a few thousand cases).
 *
 *   node scripts/fuzz.mjs [--cases N] [--seconds S] [--seed K] [--rounds R]
 *
 * Runs the test/fuzz suites R times (default 5) with seeds K, K+1, …; each run stops at N cases or
 * S seconds. A failure prints the seed, so the run can be repeated exactly with --seed.
 */
import { spawnSync } from 'node:child_process';
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

for (let i = 0; i < rounds; i++) {
  const s = seed + i;
  console.log(`fuzz round ${i + 1}/${rounds}: seed ${s}, up to ${cases} cases or ${seconds} s per suite`);
  const r = spawnSync('npx', ['tap', '--timeout', String(Number(seconds) * 2 + 60), 'test/fuzz/eql-parser.test.ts', 'test/fuzz/readers.test.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, FUZZ_CASES: cases, FUZZ_SECONDS: seconds, FUZZ_SEED: String(s) },
  });
  if (r.status !== 0) {
    console.error(`fuzz failure with seed ${s}: repeat with node scripts/fuzz.mjs --seed ${s} --rounds 1 --cases ${cases}`);
    process.exit(1);
  }
}
console.log('fuzzing found nothing');
