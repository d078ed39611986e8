/**
 * Rule loading: discovery, both formats into the one model, field positions, versions from lock
 * files, sidecar tests, Windows paths and CRLF files, and every load error located at its line.
 */
import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRuleFile, loadRules } from '../../src/rules/index.js';
import { VersionLocks } from '../../src/rules/lock.js';
import { locate, queryPositionInFile, type LoadResult, type Rule } from '../../src/rules/model.js';

const E = 'valid/elastic_rule.toml';
const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rules');

function byFile(result: LoadResult, file: string): Rule {
  const rule = result.rules.find((r) => r.source.file === file);
  if (!rule) throw new Error(`no rule loaded from ${file}: ${JSON.stringify(result.diagnostics)}`);
  return rule;
}

/** The text at a file position, to check that positions point where they claim. */
function textAt(root: string, file: string, line: number, column: number): string {
  const lines = readFileSync(path.join(root, file), 'utf8').split(/\r?\n/);
  return (lines[line - 1] ?? '').slice(column - 1);
}

/** Line and column (1-based) where a pattern first matches in a fixture, after `skip` earlier matches. */
function find(file: string, pattern: RegExp, skip = 0): { line: number; column: number } {
  const lines = readFileSync(path.join(fixtures, file), 'utf8').split(/\r?\n/);
  let seen = 0;
  for (const [i, text] of lines.entries()) {
    const m = pattern.exec(text);
    if (m && seen++ === skip) return { line: i + 1, column: m.index + 1 };
  }
  throw new Error(`${pattern} not found in ${file}`);
}

t.test('a directory loads every rule file, skipping sidecars and dataset descriptors, sorted', async (t) => {
  const result = await loadRules(['valid'], { root: fixtures });
  t.same(result.diagnostics, []);
  t.same(result.failedFiles, []);
  t.same(
    result.rules.map((r) => r.source.file),
    ['valid/elastic_rule.toml', 'valid/history/native_rule_v2.yml', 'valid/kuery_inline.toml', 'valid/native_rule.yml', 'valid/no_version.yml'],
  );
  const again = await loadRules(['valid/native_rule.yml', 'valid'], { root: fixtures });
  t.same(
    again.rules.map((r) => r.source.file),
    result.rules.map((r) => r.source.file),
    'the order does not depend on the order paths are given in, and a file named twice loads once',
  );
});

t.test('native YAML: every field into the model, with positions', async (t) => {
  const result = await loadRules(['valid/native_rule.yml'], { root: fixtures });
  const rule = byFile(result, 'valid/native_rule.yml');
  t.equal(rule.id, '0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40');
  t.equal(rule.version, 3);
  t.equal(rule.format, 'native');
  t.equal(rule.name, 'Suspicious Child of WmiPrvSE');
  t.equal(rule.description, 'A process started by the WMI provider host.');
  t.same(rule.author, ['ruleproof']);
  t.equal(rule.license, 'Apache-2.0');
  t.equal(rule.status, 'production');
  t.equal(rule.severity, 'high');
  t.equal(rule.riskScore, 73);
  t.equal(rule.created, '2024-01-02');
  t.equal(rule.updated, '2024-03-04', 'YYYY/MM/DD becomes ISO');
  t.same(rule.tags, ['OS: Windows', 'Tactic: Execution']);
  t.same(rule.references, ['https://attack.mitre.org/techniques/T1047/']);
  t.same(rule.falsePositives, ['Management agents']);
  t.equal(rule.historical, false);
  t.equal(rule.source.absPath, path.join(fixtures, 'valid/native_rule.yml'));
  t.same(rule.threat, [
    {
      framework: 'MITRE ATT&CK',
      tactic: { id: 'TA0002', name: 'Execution', reference: 'https://attack.mitre.org/tactics/TA0002/', path: 'threat.0.tactic' },
      technique: { id: 'T1047', name: 'Windows Management Instrumentation', path: 'threat.0.technique' },
    },
    {
      tactic: { id: 'TA0008', name: 'Lateral Movement', path: 'threat.1.tactic' },
      technique: { id: 'T1021', name: 'Remote Services', path: 'threat.1.technique' },
      subtechnique: { id: 'T1021.003', name: 'Distributed Component Object Model', path: 'threat.1.subtechnique' },
    },
  ]);
  t.same(locate(rule, 'severity'), { file: 'valid/native_rule.yml', line: 9, column: 1 });
  t.same(locate(rule, 'threat.1.subtechnique.id'), { file: 'valid/native_rule.yml', line: 25, column: 20 });
  t.same(locate(rule, 'tags.1'), { file: 'valid/native_rule.yml', line: 13, column: 23 });
  t.same(locate(rule, 'tests.1.expect'), { file: 'valid/native_rule.yml', line: 41, column: 5 });
  t.same(locate(rule, 'query.text'), { file: 'valid/native_rule.yml', line: 29, column: 3 });
  t.same(locate(rule, 'threat.1.subtechnique.nope'), locate(rule, 'threat.1.subtechnique'), 'unknown paths fall back to the nearest ancestor');
  t.same(rule.raw && (rule.raw as { note?: string }).note, 'Look at the parent first.');
});

t.test('native YAML: the query maps back to file lines through a block scalar', async (t) => {
  const result = await loadRules(['valid/native_rule.yml'], { root: fixtures });
  const rule = byFile(result, 'valid/native_rule.yml');
  t.equal(rule.query.language, 'eql');
  t.equal(rule.query.fieldView, 'ecs');
  t.equal(rule.query.text, 'process where event.type == "start" and\n  process.parent.name : "WmiPrvSE.exe"\n');
  t.same(rule.query.origin, { line: 30, column: 5 });
  t.equal(rule.query.indent, 4);
  // `process.parent.name` is at line 2, column 3 of the query text.
  const pos = queryPositionInFile(rule.query, 2, 3);
  t.match(textAt(fixtures, rule.source.file, pos.line, pos.column), /^process\.parent\.name :/);
  const first = queryPositionInFile(rule.query, 1, 15);
  t.match(textAt(fixtures, rule.source.file, first.line, first.column), /^event\.type/);
});

t.test('native YAML: inline tests become TestCases located at their entries', async (t) => {
  const result = await loadRules(['valid/native_rule.yml'], { root: fixtures });
  const rule = byFile(result, 'valid/native_rule.yml');
  t.same(rule.tests, [
    {
      name: 'fires on the capture',
      dataset: 'datasets/otrf/wmi.json',
      expect: 'fire',
      count: { exact: 2 },
      match: { 'process.name': 'cmd.exe' },
      location: { file: 'valid/native_rule.yml', line: 33, column: 5 },
    },
    {
      name: 'stays quiet on the control',
      dataset: 'datasets/otrf/control.json',
      expect: 'quiet',
      count: { max: 0 },
      reason: 'no WMI in it',
      location: { file: 'valid/native_rule.yml', line: 39, column: 5 },
    },
  ]);
});

t.test('native YAML: history, quoted and folded queries, versions from ruleproof.lock.json', async (t) => {
  const result = await loadRules(['valid'], { root: fixtures });
  const old = byFile(result, 'valid/history/native_rule_v2.yml');
  t.equal(old.historical, true);
  t.equal(old.version, 2);
  t.equal(old.query.text, 'process where process.parent.name : "WmiPrvSE.exe"');
  t.same(old.query.origin, { line: 7, column: 10 }, 'a quoted string starts after its quote');
  t.equal(old.tests.length, 0);
  const locked = byFile(result, 'valid/no_version.yml');
  t.equal(locked.version, 7, 'no version key: the root ruleproof.lock.json gives it');
  t.equal(locked.query.language, 'kql');
  t.equal(locked.query.dialect, 'legacy');
  t.equal(locked.query.text, 'process.name : "cmd.exe"');
  t.same(locked.query.origin, { line: 8, column: 5 });
});

t.test('Elastic TOML: fields, dates, language, version from etc/version.lock.json', async (t) => {
  const result = await loadRules(['valid'], { root: fixtures });
  const rule = byFile(result, 'valid/elastic_rule.toml');
  t.equal(rule.format, 'elastic-toml');
  t.equal(rule.id, '9a1b2c3d-0000-4000-8000-000000000001');
  t.equal(rule.version, 42);
  t.equal(rule.name, 'Elastic Style Rule');
  t.equal(rule.description, 'Two lines\nof description.\n');
  t.same(rule.author, ['Elastic', 'ruleproof']);
  t.equal(rule.license, 'Elastic License v2');
  t.equal(rule.status, 'production', 'maturity');
  t.equal(rule.severity, 'low');
  t.equal(rule.riskScore, 21);
  t.equal(rule.created, '2021-02-03');
  t.equal(rule.updated, '2024-05-06');
  t.same(rule.tags, ['OS: Windows', 'Tactic: Lateral Movement']);
  t.same(rule.references, ['https://example.com/a', 'https://example.com/b']);
  t.same(rule.falsePositives, ['Admins']);
  t.equal(rule.historical, false);
  t.equal(rule.query.language, 'eql');
  t.equal(rule.query.fieldView, 'ecs');
  t.same(locate(rule, 'rule.severity'), { file: E, ...find(E, /^severity =/) });
  t.same(locate(rule, 'metadata.updated_date'), { file: E, ...find(E, /^updated_date =/) });
  t.same(locate(rule, 'rule.references.1'), { file: E, ...find(E, /"https:\/\/example\.com\/b"/) }, 'an array element points at the element');
  t.equal((rule.raw as { rule: { type: string } }).rule.type, 'eql');

  const inline = byFile(result, 'valid/kuery_inline.toml');
  t.equal(inline.query.language, 'kql', 'type "query" without a language is kuery');
  t.equal(inline.version, 5, 'a version key wins over lock files');
  t.equal(inline.query.text, 'process.name : "cmd.exe"');
  t.same(inline.query.origin, { line: 9, column: 10 });
});

t.test('Elastic TOML: the query maps back through a multi-line literal string', async (t) => {
  const result = await loadRules(['valid/elastic_rule.toml'], { root: fixtures });
  const rule = byFile(result, 'valid/elastic_rule.toml');
  t.equal(rule.query.text, 'sequence by host.id with maxspan = 5s\n  [network where destination.port == 135]\n  [process where process.parent.name : "WmiPrvSE.exe"]\n');
  t.same(rule.query.origin, { line: find(E, /^query = '''$/).line + 1, column: 1 }, 'the newline after the opening quotes is trimmed');
  t.equal(rule.query.indent, 0);
  const pos = queryPositionInFile(rule.query, 3, 18);
  t.match(textAt(fixtures, rule.source.file, pos.line, pos.column), /^process\.parent\.name/);
});

t.test('Elastic TOML: threat tables flatten to one mapping per leaf, each with its path', async (t) => {
  const result = await loadRules(['valid/elastic_rule.toml'], { root: fixtures });
  const rule = byFile(result, 'valid/elastic_rule.toml');
  const summary = rule.threat.map((m) => [m.tactic?.id, m.technique?.id, m.subtechnique?.id, m.subtechnique?.path ?? m.technique?.path ?? m.tactic?.path]);
  t.same(summary, [
    ['TA0008', 'T1021', 'T1021.003', 'rule.threat.0.technique.0.subtechnique.0'],
    ['TA0008', 'T1021', 'T1021.006', 'rule.threat.0.technique.0.subtechnique.1'],
    ['TA0008', 'T1570', undefined, 'rule.threat.0.technique.1'],
    ['TA0002', undefined, undefined, 'rule.threat.1.tactic'],
  ]);
  t.equal(rule.threat[0]?.framework, 'MITRE ATT&CK');
  t.equal(rule.threat[0]?.technique?.reference, 'https://attack.mitre.org/techniques/T1021/');
  t.same(locate(rule, 'rule.threat.0.technique.0.subtechnique.1.id'), { file: E, ...find(E, /^id = "T1021\.006"/) });
  t.same(locate(rule, 'rule.threat.0.tactic.name'), { file: E, ...find(E, /^name = "Lateral Movement"/) });
  t.same(locate(rule, 'rule.threat.1.tactic.id'), { file: E, ...find(E, /^id = "TA0002"/) });
  t.same(locate(rule, 'rule.threat.0.technique.1'), { file: E, ...find(E, /^\[\[rule\.threat\.technique\]\]/, 1) }, 'a table points at its header');
});

t.test('Elastic TOML: sidecar tests attach to the rule and point at the sidecar', async (t) => {
  const result = await loadRules(['valid/elastic_rule.toml'], { root: fixtures });
  const rule = byFile(result, 'valid/elastic_rule.toml');
  t.equal(rule.source.testsFile, 'valid/elastic_rule.tests.yml');
  t.same(rule.source.testsPositions?.get('tests.1.reason'), { line: 10, column: 5 });
  t.same(
    rule.tests.map((x) => [x.name, x.expect, x.location]),
    [
      ['fires', 'fire', { file: 'valid/elastic_rule.tests.yml', line: 4, column: 5 }],
      ['quiet', 'quiet', { file: 'valid/elastic_rule.tests.yml', line: 7, column: 5 }],
    ],
  );
});

t.test('Elastic layout: detection_rules/etc/version.lock.json found from a nested rule', async (t) => {
  const result = await loadRules(['rules'], { root: path.join(fixtures, 'nested') });
  t.same(result.diagnostics, []);
  const rule = byFile(result, 'rules/windows/deep_rule.toml');
  t.equal(rule.version, 11);
  t.equal(rule.query.text, 'process where true');
  t.same(rule.query.origin, { line: 6, column: 12 }, "a one-line ''' string starts after the quotes");
});

t.test('Windows separators, globs, absolute paths and a sidecar named for its rule', async (t) => {
  const files = async (paths: string[]) => (await loadRules(paths, { root: fixtures })).rules.map((r) => r.source.file);
  t.same(await files(['valid\\history']), ['valid/history/native_rule_v2.yml']);
  t.same(await files(['valid\\native_rule.yml']), ['valid/native_rule.yml']);
  t.same(await files(['valid/*.toml']), ['valid/elastic_rule.toml', 'valid/kuery_inline.toml']);
  t.same(await files(['valid/**/*_v2.yml']), ['valid/history/native_rule_v2.yml']);
  t.same(await files([path.join(fixtures, 'valid', 'kuery_inline.toml')]), ['valid/kuery_inline.toml']);
  t.same(await files(['valid/elastic_rule.tests.yml']), ['valid/elastic_rule.toml']);
  const rule = (await loadRules(['valid\\elastic_rule.toml'], { root: fixtures })).rules[0];
  t.equal(rule?.source.testsFile, 'valid/elastic_rule.tests.yml', 'paths in the model always use /');
});

t.test('CRLF files load exactly like LF files', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-crlf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(path.join(fixtures, 'valid'), path.join(dir, 'valid'), { recursive: true });
  cpSync(path.join(fixtures, 'ruleproof.lock.json'), path.join(dir, 'ruleproof.lock.json'));
  const convert = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) convert(p);
      else writeFileSync(p, readFileSync(p, 'utf8').replace(/\r?\n/g, '\r\n'));
    }
  };
  convert(path.join(dir, 'valid'));
  const lf = await loadRules(['valid'], { root: fixtures });
  const crlf = await loadRules(['valid'], { root: dir });
  t.same(crlf.diagnostics, []);
  t.equal(crlf.rules.length, lf.rules.length);
  for (const [i, rule] of crlf.rules.entries()) {
    const twin = lf.rules[i]!;
    t.equal(rule.query.text, twin.query.text, `${rule.source.file}: same query text, no \\r`);
    t.same(rule.query.origin, twin.query.origin, `${rule.source.file}: same query origin`);
    t.same([...rule.source.positions], [...twin.source.positions], `${rule.source.file}: same positions`);
    t.same(rule.tests, twin.tests, `${rule.source.file}: same tests`);
    t.same(rule.threat, twin.threat);
    t.equal(rule.version, twin.version);
  }
  t.notOk(crlf.rules.some((r) => (r.description ?? '').includes('\r')), 'no \\r in multi-line strings');
});

t.test('a byte-order mark does not break a file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-bom-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'r.yml'), '\ufeff' + readFileSync(path.join(fixtures, 'valid/native_rule.yml'), 'utf8'));
  const result = await loadRules(['r.yml'], { root: dir });
  t.same(result.diagnostics, []);
  t.same(locate(result.rules[0]!, 'severity'), { file: 'r.yml', line: 9, column: 1 });
});

interface Expected {
  file: string;
  line: number;
  column: number;
  code: string;
  severity?: 'error' | 'warning';
  message: RegExp;
  hint?: RegExp;
}

t.test('every load error is located, explained, and does not stop the other files', async (t) => {
  const result = await loadRules(['broken', 'badlock', 'broken/notes.json', 'nothing/here', 'broken/*.nope'], { root: fixtures });
  const expected: Expected[] = [
    { file: 'badlock/etc/version.lock.json', line: 1, column: 1, code: 'load/lock-file', message: /version lock file cannot be read/, hint: /Fix the JSON/ },
    { file: 'broken/*.nope', line: 0, column: 0, code: 'load/not-found', message: /no rule files match the pattern "broken\/\*\.nope"/ },
    { file: 'broken/bad_sidecar.tests.yml', line: 3, column: 5, code: 'load/schema', message: /missing required key "expect" in "tests\.0"/ },
    { file: 'broken/bad_sidecar.tests.yml', line: 5, column: 5, code: 'load/unknown-key', message: /unknown key "expct"/, hint: /Did you mean "expect"\? Allowed keys here: name, dataset, expect, count, match, reason\./ },
    { file: 'broken/empty.yml', line: 1, column: 1, code: 'load/schema', message: /the rule file is empty/ },
    { file: 'broken/mismatch.tests.yml', line: 1, column: 1, code: 'load/sidecar-mismatch', message: /tests file is for rule "6666.*but broken\/mismatch\.toml is rule "5555/, hint: /rule: 55555555/ },
    { file: 'broken/missing_rule_table.toml', line: 1, column: 1, code: 'load/schema', message: /no \[rule\] table/ },
    { file: 'broken/ml_rule.toml', line: 4, column: 1, code: 'load/unsupported-rule-type', severity: 'warning', message: /machine learning rules/ },
    { file: 'broken/notes.json', line: 1, column: 1, code: 'load/unsupported-format', message: /"\.json" files are not rules/ },
    { file: 'broken/orphan.tests.yml', line: 1, column: 1, code: 'load/orphan-tests', severity: 'warning', message: /without a rule file/ },
    { file: 'broken/schema_errors.yml', line: 1, column: 1, code: 'load/schema', message: /missing required key "name" at the top level/, hint: /Add "name"/ },
    { file: 'broken/schema_errors.yml', line: 2, column: 1, code: 'load/schema', message: /"severity" must be one of low, medium, high, critical \(found "hgih"\)/, hint: /Did you mean "high"\?/ },
    { file: 'broken/schema_errors.yml', line: 3, column: 1, code: 'load/schema', message: /"risk_score" must be an integer \(found "47"\)/, hint: /Remove the quotes/ },
    { file: 'broken/schema_errors.yml', line: 5, column: 5, code: 'load/schema', message: /"subtechnique" needs "technique"/ },
    { file: 'broken/schema_errors.yml', line: 11, column: 5, code: 'load/schema', message: /quiet test in "tests\.0" has no "reason"/, hint: /Say why/ },
    { file: 'broken/schema_errors.yml', line: 17, column: 5, code: 'load/schema', message: /"tests\.1\.count" must be >= 0 \(found -1\)/ },
    { file: 'broken/sigma_rule.yml', line: 4, column: 3, code: 'load/schema', message: /the detection has no condition/ },
    { file: 'broken/toml_string.toml', line: 3, column: 21, code: 'load/toml-syntax', message: /Unterminated string/ },
    { file: 'broken/toml_syntax.toml', line: 3, column: 6, code: 'load/toml-syntax', message: /table header \[rule is not closed/, hint: /Close the header with \]/ },
    { file: 'broken/toml_types.toml', line: 4, column: 1, code: 'load/schema', message: /missing required key "query" in \[rule\]/, hint: /Add query = / },
    { file: 'broken/toml_types.toml', line: 8, column: 1, code: 'load/schema', message: /unknown query language "sql"/, hint: /eql, kuery, lucene, esql/ },
    { file: 'broken/toml_types.toml', line: 9, column: 1, code: 'load/schema', message: /"rule\.risk_score" must be an integer/ },
    { file: 'broken/toml_types.toml', line: 10, column: 1, code: 'load/schema', message: /"rule\.tags" must be a list of strings/ },
    { file: 'broken/toml_types.toml', line: 12, column: 1, code: 'load/schema', message: /\[\[rule\.threat\]\] entry 1 has no \[rule\.threat\.tactic\]/ },
    { file: 'broken/toml_types.toml', line: 14, column: 1, code: 'load/schema', message: /"rule\.threat\.0\.technique\.0\.name" must be a string/ },
    { file: 'broken/unknown_key.yml', line: 4, column: 1, code: 'load/unknown-key', message: /unknown key "severty" at the top level/, hint: /Did you mean "severity"\? Allowed keys here: id, version, name/ },
    { file: 'broken/unknown_key.yml', line: 7, column: 3, code: 'load/unknown-key', message: /unknown key "langauge" in "query"/, hint: /Allowed keys here: language, field_view, dialect, text\./ },
    { file: 'broken/yaml_syntax.yml', line: 2, column: 7, code: 'load/yaml-syntax', message: /the \[ opened here is not closed/, hint: /Close it with \]/ },
    { file: 'nothing/here', line: 0, column: 0, code: 'load/not-found', message: /rule path "nothing\/here" does not exist/ },
  ];
  t.equal(result.diagnostics.length, expected.length, JSON.stringify(result.diagnostics, null, 1));
  for (const [i, want] of expected.entries()) {
    const got = result.diagnostics[i]!;
    t.match(
      got,
      { file: want.file, line: want.line, column: want.column, code: want.code, severity: want.severity ?? 'error', message: want.message },
      `${want.file}:${want.line} ${want.code}`,
    );
    t.ok(got.hint, `${want.file}:${want.line} ${want.code} says what to do`);
    if (want.hint) t.match(got.hint, want.hint);
  }
  t.same(result.failedFiles, [
    'badlock/etc/version.lock.json',
    'broken/bad_sidecar.tests.yml',
    'broken/empty.yml',
    'broken/mismatch.tests.yml',
    'broken/missing_rule_table.toml',
    'broken/notes.json',
    'broken/schema_errors.yml',
    'broken/sigma_rule.yml',
    'broken/toml_string.toml',
    'broken/toml_syntax.toml',
    'broken/toml_types.toml',
    'broken/unknown_key.yml',
    'broken/yaml_syntax.yml',
  ]);
  t.same(
    result.rules.map((r) => [r.source.file, r.tests.length, r.version]),
    [
      ['badlock/rule.toml', 0, null],
      ['broken/bad_sidecar.toml', 0, null],
      ['broken/mismatch.toml', 0, null],
    ],
    'rules whose own file is fine still load, without the tests of a broken sidecar',
  );
});

t.test('a rule file that cannot be read is a located error, not a crash', async (t) => {
  const absPath = path.join(fixtures, 'valid', 'vanished.yml');
  const loaded = await loadRuleFile({ root: fixtures, file: 'valid/vanished.yml', absPath, locks: new VersionLocks(fixtures) });
  t.equal(loaded.failed, true);
  t.match(loaded.diagnostics, [{ file: 'valid/vanished.yml', line: 1, column: 1, severity: 'error', code: 'load/read-error', message: /cannot read the rule file/ }]);
});

t.test('an unquoted "key: value" in a flow list is explained', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-flow-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(path.join(fixtures, 'valid/history/native_rule_v2.yml'), 'utf8') + 'tags: [OS: Windows]\n';
  writeFileSync(path.join(dir, 'r.yml'), text);
  const result = await loadRules(['.'], { root: dir });
  t.match(result.diagnostics, [{ file: 'r.yml', line: 8, column: 8, code: 'load/schema', message: /"tags\.0" must be a string \(found a mapping\)/, hint: /Quote the value \("OS: Windows"\)/ }]);
});
