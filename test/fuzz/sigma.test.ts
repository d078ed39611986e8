/**
 * Fuzzing Sigma (seeded, deterministic; FUZZ_CASES / FUZZ_SEED / FUZZ_SECONDS change the run):
 * mutated YAML rule files (rules, filters, correlations, every value modifier) go through the
 * loader and the compiler — each ends in rules whose queries compile and run, or in diagnostics
 * and query errors with a line and column inside the text, never an exception — and random or
 * mutated conditions give a condition tree or a ConditionError at an offset inside the text.
 * Nothing hangs (a hang stops the test, which tap reports as a timeout). A failure prints the
 * settings that repeat it.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { ConditionError, parseCondition } from '../../src/engine/sigma/condition.js';
import { VersionLocks } from '../../src/rules/lock.js';
import { loadSigmaText } from '../../src/rules/sigma.js';
import { proc, sysmon } from '../engine/spl-helpers.js';
import { fuzzSettings, mutate, positionInside, randomText, rng } from './fuzz-lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sigmaDir = path.join(repo, 'detections/sigma');
const bundled = readdirSync(sigmaDir)
  .filter((f) => f.endsWith('.yml') && !f.endsWith('.tests.yml'))
  .sort()
  .map((f) => readFileSync(path.join(sigmaDir, f), 'utf8'));

const MODIFIERS = `title: Every modifier
id: 1b4e28ba-2fa1-11d2-883f-0016d3cca427
status: test
logsource:
    product: windows
    category: process_creation
detection:
    sel_re:
        CommandLine|re: '(?i)invoke-(wmi|command)\\s+-\\w+'
        Image|re|i: '\\\\(cmd|pwsh)\\.exe$'
    sel_all:
        CommandLine|contains|all:
            - ' -enc'
            - 'AAAA'
    sel_b64:
        CommandLine|base64offset|contains: 'http://'
    sel_cidr:
        DestinationIp|cidr:
            - '10.0.0.0/8'
            - 'fe80::/10'
    sel_dash:
        CommandLine|windash|contains: '-nop'
    sel_wide:
        CommandLine|wide|base64: 'ping'
    sel_num:
        EventID|gte: 4000
        LogonType|lt: 12
    sel_field:
        Image|fieldref: ParentImage
    sel_exists:
        User|exists: true
    sel_kw:
        - 'mimikatz'
        - '*sekurlsa*'
    sel_null:
        ParentCommandLine: null
        Hashes|expand: '%hashes%'
    condition: (1 of sel_* and not sel_null) or all of sel_re* or sel_kw
level: low
`;

const FILTER = `title: A filter
name: filter_admins
filter:
    rules:
        - 1b4e28ba-2fa1-11d2-883f-0016d3cca427
    selection:
        User|startswith: 'CORP\\admin'
    condition: not selection
`;

const CORRELATION = `title: Many in a minute
name: many_in_a_minute
correlation:
    type: value_count
    rules:
        - 1b4e28ba-2fa1-11d2-883f-0016d3cca427
    group-by:
        - Computer
    timespan: 1m
    condition:
        field: Image
        gte: 2
`;

const SEEDS = [...bundled, bundled.join('---\n'), MODIFIERS, `${MODIFIERS}---\n${FILTER}---\n${CORRELATION}`];

const YAML_TOKENS = ['|re', '|contains', '|all', '|base64offset', '|cidr', '|windash', '|startswith', '|endswith', '|exists', '|fieldref', '|gte', '|i', '|m', '|s', ': ', '- ', '\n    ', '\n', '\r\n', '\t', "'", '"', '*', '?', '\\', '(a+)+$', '(?i)', '[', ']', '{', '}', '&a ', '*a', '!!binary ', '!!python/object ', '<<: ', '~', 'null', 'true', '1e309', '0x10', '---\n', '...\n', '#', '%', '1 of ', 'all of ', 'them', ' and ', ' or ', ' not ', '|count() by x', 'condition: ', 'detection:\n', 'correlation:\n', '__proto__: ', 'constructor: ', '😀', '\u0000', '\ufeff'];

const CONDITION_SEEDS = ['selection and not 1 of filter_*', '(1 of sel_* and not sel_null) or all of sel_re* or sel_kw', 'all of them', 'a or (b and not (c or d))', '1 of them and not _x', 'any of sel*', 'not not a'];
const CONDITION_TOKENS = ['(', ')', ' and ', ' or ', ' not ', 'not ', '1 of ', 'all of ', 'any of ', '2 of ', 'them', '*', '_', '|', ' near ', '-', '.', '\n', '😀', '\u0000', '__proto__', 'constructor'];

const EVENTS = [
  proc({ image: 'C:\\Windows\\System32\\cmd.exe', cmd: 'cmd.exe /c whoami -enc AAAA', parent: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', pid: 21 }),
  proc({ image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', cmd: 'powershell -nop Invoke-WmiMethod -Class', parent: 'C:\\Windows\\System32\\wsmprovhost.exe', pid: 22 }),
  sysmon(3, { Image: 'C:\\Windows\\System32\\svchost.exe', DestinationIp: '10.0.0.5', DestinationPort: '135', SourceIp: '10.0.0.9', Initiated: 'false' }),
];

const { cases: CASES, seed: SEED, deadline, repeat } = fuzzSettings(1200, 31337, 60);
const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-fuzz-sigma-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test(`Sigma loader and compiler: ${CASES} fuzzed rule files (${repeat})`, async (t) => {
  const r = rng(SEED);
  const ctx = { root: dir, file: 'fuzz.yml', absPath: path.join(dir, 'fuzz.yml'), locks: new VersionLocks(dir) };
  let loaded = 0;
  let compiled = 0;
  let refused = 0;
  let crashes = 0;
  let badPositions = 0;
  let run = 0;
  const bad = (what: string) => {
    badPositions++;
    if (badPositions <= 3) t.fail(`${what} (${repeat})`);
  };
  for (; run < CASES && Date.now() < deadline; run++) {
    let text = SEEDS[Math.floor(r() * SEEDS.length)] as string;
    const rounds = r() < 0.7 ? 1 : 2;
    for (let k = 0; k < rounds; k++) text = mutate(text, r, YAML_TOKENS);
    try {
      const result = loadSigmaText(text, ctx);
      for (const d of result.diagnostics) {
        if (!(d.line >= 0 && d.line <= text.split(/\r\n|\r|\n/).length + 1 && d.code && d.message)) bad(`diagnostic without a usable position for ${JSON.stringify(text.slice(0, 300))}: ${JSON.stringify(d)}`);
      }
      if (result.failed) refused++;
      for (const rule of result.rules) {
        loaded++;
        const q = rule.query;
        const res = compileQuery(q.text, { language: q.language, fieldView: q.fieldView, ...(q.dialect ? { dialect: q.dialect } : {}) });
        if (res.ok) {
          compiled++;
          const det = res.query.newDetector(() => {});
          for (const e of EVENTS) det.push(e);
          det.finish();
        } else {
          for (const e of res.errors) {
            if (!(positionInside(q.text, e.line, e.column) && e.message)) bad(`query error without a usable position for ${JSON.stringify(q.text.slice(0, 300))}: ${JSON.stringify(e)}`);
          }
        }
      }
    } catch (err) {
      crashes++;
      if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)} (${repeat}): ${(err as Error).stack}`);
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.equal(badPositions, 0, 'every diagnostic and query error has a position inside the text');
  t.ok(run >= Math.min(CASES, 300), `${run} files (${loaded} rules loaded, ${compiled} compiled, ${refused} files refused)`);
  t.ok(compiled > Math.min(50, run / 20) && refused > Math.min(50, run / 20), 'both loadable and broken files were exercised');
});

t.test(`Sigma condition parser: ${CASES * 2} fuzzed conditions (${repeat})`, async (t) => {
  const r = rng(SEED + 1);
  let parsed = 0;
  let refused = 0;
  let crashes = 0;
  let run = 0;
  for (; run < CASES * 2 && Date.now() < deadline; run++) {
    const text = r() < 0.8 ? mutate(CONDITION_SEEDS[Math.floor(r() * CONDITION_SEEDS.length)] as string, r, CONDITION_TOKENS) : randomText(r, 60, CONDITION_TOKENS);
    try {
      parseCondition(text);
      parsed++;
    } catch (err) {
      if (err instanceof ConditionError) {
        refused++;
        if (!(err.offset >= 0 && err.offset <= text.length && err.message)) t.fail(`ConditionError outside the text for ${JSON.stringify(text)}: ${err.offset} (${repeat})`);
      } else {
        crashes++;
        if (crashes <= 3) t.fail(`crash on ${JSON.stringify(text)} (${repeat}): ${(err as Error).stack}`);
      }
    }
  }
  t.equal(crashes, 0, 'no crash');
  t.ok(parsed > Math.min(50, run / 20) && refused > Math.min(50, run / 20), `${run} conditions (${parsed} parsed, ${refused} refused)`);
});

t.test('an alias without its anchor is a located YAML error, in the loader and in the compiler', async (t) => {
  const text = `title: x\nid: *missing\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image: a\n    condition: sel\n`;
  const ctx = { root: dir, file: 'alias.yml', absPath: path.join(dir, 'alias.yml'), locks: new VersionLocks(dir) };
  const result = loadSigmaText(text, ctx);
  t.ok(result.failed);
  t.match(result.diagnostics, [{ code: 'load/yaml-syntax', line: 2, column: 5, message: /invalid YAML: .*alias/i }]);
  const res = compileQuery(text, { language: 'sigma', fieldView: 'sigma' });
  t.notOk(res.ok);
  if (!res.ok) t.match(res.errors[0], { line: 2, column: 5, message: /invalid YAML/ });
});

t.test('a value YAML reads as something other than a scalar (!!binary) is a located query error', async (t) => {
  const text = `title: x\nlogsource:\n    product: windows\ndetection:\n    sel:\n        Image: !!binary aGVsbG8=\n    condition: sel\n`;
  const res = compileQuery(text, { language: 'sigma', fieldView: 'sigma' });
  t.notOk(res.ok);
  if (!res.ok) t.match(res.errors[0], { line: 6, message: /unsupported value/ });
});
