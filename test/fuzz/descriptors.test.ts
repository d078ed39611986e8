/**
 * Fuzzing dataset descriptors (`<dataset>.meta.yml`, `dataset.yml`; seeded, deterministic;
 * FUZZ_CASES / FUZZ_SEED / FUZZ_SECONDS change the run): mutated descriptors — broken YAML,
 * aliases without anchors, wrong types, unknown keys — give a descriptor or located
 * `dataset/descriptor` errors, never an exception. A failure prints the settings that repeat it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { descriptorProblems } from '../../src/events/descriptor.js';
import { fuzzSettings, mutate, rng } from './fuzz-lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const synthetic = path.join(repo, 'datasets/synthetic');
const SEEDS = readdirSync(synthetic)
  .filter((f) => f.endsWith('.meta.yml'))
  .sort()
  .slice(0, 6)
  .map((f) => readFileSync(path.join(synthetic, f), 'utf8'));
const TOKENS = [': ', '- ', '\n  ', '\n', '\r\n', "'", '"', '&a ', '*a', '*missing', '!!binary ', '<<: *a', '[', ']', '{', '}', '~', 'null', 'true', '1e309', '---\n', '#', '__proto__: x', 'constructor: ', 'format: ', 'evtx', '../../etc/passwd', '/abs', '😀', '\u0000'];

const { cases: CASES, seed: SEED, deadline, repeat } = fuzzSettings(800, 2718, 30);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-fuzz-descriptor-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test(`dataset descriptors: ${CASES} mutated files (${repeat})`, async (t) => {
  const r = rng(SEED);
  const file = path.join(dir, 'data.json.meta.yml');
  let ok = 0;
  let refused = 0;
  let crashes = 0;
  let run = 0;
  for (; run < CASES && Date.now() < deadline; run++) {
    const text = mutate(SEEDS[run % SEEDS.length] as string, r, TOKENS);
    writeFileSync(file, text);
    try {
      const res = descriptorProblems(file, dir);
      if (res.errors.length === 0) ok++;
      else refused++;
      for (const e of res.errors) {
        if (!(e.code === 'dataset/descriptor' && e.line >= 0 && e.line <= text.split(/\r\n|\r|\n/).length + 1 && e.message)) t.fail(`error without a usable position (${repeat}): ${JSON.stringify(e)}`);
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)} (${repeat}): ${(err as Error).stack}`);
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.ok(ok > Math.min(20, run / 20) && refused > Math.min(20, run / 20), `${run} descriptors (${ok} valid, ${refused} refused)`);
});

t.test('an alias without its anchor is a located descriptor error', async (t) => {
  const file = path.join(dir, 'alias.json.meta.yml');
  writeFileSync(file, 'description: x\nformat: *nope\n');
  const res = descriptorProblems(file, dir);
  t.match(res.errors, [{ code: 'dataset/descriptor', line: 2, column: 9, message: /Unresolved alias/ }]);
});
