/** Configuration overrides per path glob, inline waivers, and the findings baseline (lint and CLI). */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/cli/config.js';
import { main, type CliIO } from '../../src/cli/main.js';
import { applyBaseline, buildBaseline, lintRules, parseBaseline, parseWaivers } from '../../src/lint/index.js';
import { matchesGlob } from '../../src/lint/glob.js';
import { attackNameMismatch } from '../../src/lint/checks/attack-name-mismatch.js';
import { loadRules } from '../../src/rules/index.js';
import { ContentError, type Diagnostic } from '../../src/util/diagnostics.js';

const NATIVE = (techniqueLine: string, waiver = '') => `id: 0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40
version: 1
name: Test Rule
description: A rule for tests.
severity: medium
risk_score: 47
threat:
  - tactic: {id: TA0002, name: Execution}
${waiver ? `    ${waiver}\n` : ''}    technique: ${techniqueLine}
query: {language: eql, field_view: ecs, text: 'process where process.name == "cmd.exe"'}
`;

const TOML = (waiver = '') => `[metadata]
creation_date = "2021/02/03"
maturity = "production"
updated_date = "2024/05/06"

[rule]
author = ["ruleproof"]
description = "A rule."
language = "eql"
license = "Apache-2.0"
name = "Toml Rule"
risk_score = 21
rule_id = "9a1b2c3d-0000-4000-8000-000000000009"
severity = "low"
type = "eql"
query = '''
process where process.name == "cmd.exe"
'''

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1021"
${waiver ? `${waiver}\n` : ''}name = "Remote Service"

[rule.threat.tactic]
id = "TA0008"
name = "Lateral Movement"
`;

async function lintDir(dir: string, opts: Partial<Parameters<typeof lintRules>[1]> = {}): Promise<Diagnostic[]> {
  const loaded = await loadRules(['.'], { root: dir });
  t.same(loaded.diagnostics, [], 'fixtures load cleanly');
  return lintRules(loaded.rules, { attackVersion: '18.1', severities: {}, checks: [attackNameMismatch], ...opts });
}

/** t.testdir wants nested objects; the tests read better with paths. */
function tree(files: Record<string, string>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [file, text] of Object.entries(files)) {
    const parts = file.split('/');
    let dir = root;
    for (const p of parts.slice(0, -1)) dir = (dir[p] ??= {}) as Record<string, unknown>;
    dir[parts.at(-1)!] = text;
  }
  return root;
}

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.file}:${d.line} ${d.code} ${d.severity}`);

t.test('config: checks accept warn, overrides are read and validated', async (t) => {
  const dir = t.testdir({
    'ruleproof.config.yml':
      'checks:\n  attack/name-mismatch: warn\noverrides:\n  - files: ["legacy/**", "*.toml"]\n    checks:\n      attack/name-mismatch: "off"\n      rule/values: warn\n  - files: one/rule.yml\n    checks: {attack/name-mismatch: error}\n',
  });
  const c = loadConfig(dir);
  t.same(c.checks, { 'attack/name-mismatch': 'warning' });
  t.same(c.overrides, [
    { files: ['legacy/**', '*.toml'], checks: { 'attack/name-mismatch': 'off', 'rule/values': 'warning' } },
    { files: ['one/rule.yml'], checks: { 'attack/name-mismatch': 'error' } },
  ]);
  t.equal(loadConfig(t.testdir({ 'ruleproof.config.yml': 'rules: [x]\n' })).overrides, undefined, 'none by default');
  const bad = (text: string, message: RegExp, line: number) => {
    try {
      loadConfig(t.testdir({ 'ruleproof.config.yml': text }));
      t.fail('should throw');
    } catch (e) {
      t.ok(e instanceof ContentError);
      t.match((e as ContentError).diagnostic, { code: 'config/invalid', line, message });
    }
  };
  bad('overrides: {files: x}\n', /must be a list/, 1);
  bad('overrides:\n  - checks: {a/b: off}\n', /overrides\[0\] needs "files"/, 2);
  bad('overrides:\n  - files: [x]\n    chekcs: {a/b: off}\n', /unknown key "chekcs" in overrides\[0\]/, 3);
  bad('overrides:\n  - files: [x]\n    checks:\n      a/b: loud\n', /check "a\/b" has severity "loud"/, 4);
});

t.test('globs', async (t) => {
  t.ok(matchesGlob('detections/legacy/a.toml', 'detections/legacy/**'));
  t.ok(matchesGlob('detections/legacy/x/a.toml', 'detections/legacy'));
  t.ok(matchesGlob('detections/x/a.toml', '*.toml'), 'a glob without / matches the base name anywhere');
  t.ok(matchesGlob('detections/x/a.toml', 'detections/**/*.toml'));
  t.ok(matchesGlob('detections/a.toml', 'detections/**/*.toml'), '**/ matches zero directories');
  t.ok(matchesGlob('d/a.yml', 'd/*.{yml,yaml}'));
  t.ok(matchesGlob('d\\a.yml', './d/?.yml'), 'Windows separators and ./ prefixes');
  t.notOk(matchesGlob('detections/x/a.toml', 'detections/*.toml'), '* does not cross /');
  t.notOk(matchesGlob('detections/a.toml.bak', '*.toml'));
  t.notOk(matchesGlob('other/legacy/a.toml', 'detections/legacy/**'));
  // Bracket expressions, as shells read them.
  t.ok(matchesGlob('d/rule1.yml', 'd/rule[0-9].yml'));
  t.notOk(matchesGlob('d/rulex.yml', 'd/rule[0-9].yml'));
  t.ok(matchesGlob('d/rulex.yml', 'd/rule[!0-9].yml'), '[!…] negates');
  t.ok(matchesGlob('d/rulex.yml', 'd/rule[^0-9].yml'), '[^…] negates too');
  t.notOk(matchesGlob('d/rule/x.yml', 'd/rule[!0-9]x.yml'), 'a negated class does not match /');
  t.notOk(matchesGlob('d/a/b.yml', 'd/a[/]b.yml'), 'nor does a class that names /');
  t.ok(matchesGlob('d/a].yml', 'd/a[]].yml'), 'a ] first in the class is a member');
  t.ok(matchesGlob('d/a[.yml', 'd/a[[].yml'), 'so is a [');
  t.ok(matchesGlob('d/a^.yml', 'd/a[x^].yml'), '^ not first is a member');
  t.ok(matchesGlob('d/a[z-a].yml', 'd/a[z-a].yml'), 'no valid class (range out of order): the [ is literal, no crash');
  t.ok(matchesGlob('d/a[b.yml', 'd/a[b.yml'), 'an unclosed [ is literal');
});

t.test('overrides change severities per file; later entries win; unknown ids are reported', async (t) => {
  const dir = t.testdir(tree({ 'a/rule.yml': NATIVE('{id: T1047, name: WMI}'), 'b/rule.toml': TOML() }));
  t.same(brief(await lintDir(dir)), ['a/rule.yml:9 attack/name-mismatch error', 'b/rule.toml:24 attack/name-mismatch error']);
  const overrides = [
    { files: ['b/**'], checks: { 'attack/name-mismatch': 'off' as const } },
    { files: ['*.yml'], checks: { 'attack/name-mismatch': 'warning' as const } },
    { files: ['a/rule.yml'], checks: { 'attack/name-mismatch': 'info' as const } },
  ];
  t.same(brief(await lintDir(dir, { overrides })), ['a/rule.yml:9 attack/name-mismatch info']);
  t.same(brief(await lintDir(dir, { severities: { 'attack/name-mismatch': 'off' }, overrides: [{ files: ['b'], checks: { 'attack/name-mismatch': 'warning' } }] })), [
    'b/rule.toml:24 attack/name-mismatch warning',
  ], 'an override turns a check back on for its files');
  const typo = await lintDir(dir, { overrides: [{ files: ['b'], checks: { 'attack/name-mismatc': 'off' } }] });
  t.match(typo.find((d) => d.file === 'ruleproof.config.yml'), { file: 'ruleproof.config.yml', code: 'config/unknown-check', hint: /Did you mean "attack\/name-mismatch"/ });
});

t.test('parseWaivers: ids, reason, targets past blank lines and comments, CRLF', async (t) => {
  const text = 'a: 1\r\n# ruleproof-disable-next-line x/y, z/w -- because\r\n\r\n# other comment\r\n  # ruleproof-disable-next-line q/r\r\nb: 2\r\n# ruleproof-disable-next-line x/y -- at the end\r\n';
  t.same(parseWaivers('f.yml', text), [
    { file: 'f.yml', line: 2, column: 1, target: 6, checks: ['x/y', 'z/w'], reason: 'because' },
    { file: 'f.yml', line: 5, column: 3, target: 6, checks: ['q/r'] },
    { file: 'f.yml', line: 7, column: 1, target: 0, checks: ['x/y'], reason: 'at the end' },
  ]);
  t.same(parseWaivers('f.yml', 'a: 1\n'), []);
});

t.test('waivers suppress the finding on the next line, in YAML and TOML', async (t) => {
  const dir = t.testdir(tree({
    'a/rule.yml': NATIVE('{id: T1047, name: WMI}', '# ruleproof-disable-next-line attack/name-mismatch -- our vendor name'),
    'b/rule.toml': TOML('# ruleproof-disable-next-line attack/name-mismatch -- kept until the 19 upgrade'),
  }));
  t.same(await lintDir(dir), [], 'both findings waived, no waiver findings');
  t.same(brief(await lintDir(dir, { waivers: false })).length, 2, 'waivers: false ignores them');
});

t.test('a waiver without a reason, an unused one and one naming an unknown check are reported', async (t) => {
  const dir = t.testdir(tree({
    'a/rule.yml': NATIVE('{id: T1047, name: WMI}', '# ruleproof-disable-next-line attack/name-mismatch'),
    'b/rule.toml': TOML().replace('[rule.threat.tactic]', '# ruleproof-disable-next-line attack/name-mismatch -- stale\n[rule.threat.tactic]'),
    'c/rule.yml': NATIVE('{id: T1047, name: Windows Management Instrumentation}', '# ruleproof-disable-next-line attack/name-mismatsh -- typo'),
  }));
  const findings = await lintDir(dir);
  t.same(brief(findings), [
    'a/rule.yml:9 lint/waiver-reason error',
    'b/rule.toml:24 attack/name-mismatch error',
    'b/rule.toml:26 lint/unused-waiver warning',
    'c/rule.yml:9 lint/unused-waiver warning',
  ]);
  t.match(findings.find((d) => d.file === 'a/rule.yml'), { column: 5, message: /does not say why/, hint: /-- <reason>/ });
  t.match(findings.find((d) => d.file === 'b/rule.toml' && d.code === 'lint/unused-waiver'), { message: /waiver of attack\/name-mismatch suppresses nothing: line 27 has no attack\/name-mismatch finding/ });
  t.match(findings.find((d) => d.file === 'c/rule.yml'), { message: /"attack\/name-mismatsh", which is not a lint check/, hint: /Did you mean "attack\/name-mismatch"/ });
  const quiet = await lintDir(dir, { severities: { 'lint/unused-waiver': 'off', 'lint/waiver-reason': 'warning' } });
  t.same(brief(quiet), ['a/rule.yml:9 lint/waiver-reason warning', 'b/rule.toml:24 attack/name-mismatch error'], 'waiver checks are configurable');
});

t.test('baseline: line-independent keys with counts', async (t) => {
  const d = (file: string, line: number, message: string): Diagnostic => ({ file, line, column: 1, severity: 'error', code: 'x/y', message });
  const baseline = buildBaseline([d('a', 3, 'm'), d('a', 9, 'm'), d('b', 1, 'n')]);
  t.same(baseline.findings, [
    { file: 'a', code: 'x/y', message: 'm', count: 2 },
    { file: 'b', code: 'x/y', message: 'n', count: 1 },
  ]);
  t.same(parseBaseline(JSON.parse(JSON.stringify(baseline))), baseline, 'a written baseline reads back');
  const moved = applyBaseline([d('a', 30, 'm'), d('a', 40, 'm'), d('a', 50, 'm'), d('c', 1, 'n')], baseline);
  t.same(moved.fresh.map((x) => `${x.file}:${x.line}`), ['a:50', 'c:1'], 'a third identical finding and a finding in another file are new');
  t.equal(moved.known, 2);
  t.same(moved.fixed, [{ file: 'b', code: 'x/y', message: 'n', count: 1 }]);
  t.match(parseBaseline({ kind: 'ruleproof-lint-baseline', version: 1, findings: [{ file: 'a' }] }), /findings\[0\] must have/);
  t.match(parseBaseline({ schemaVersion: 1 }), /not a findings baseline/);
});

async function ruleproof(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1', RULEPROOF_GITHUB: 'off' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

t.test('CLI: --baseline-write, then --baseline gates only new findings; overrides and --max-warnings apply', async (t) => {
  const dir = t.testdir({
    'ruleproof.config.yml': 'rules: [rules]\n',
    '.git': {},
    rules: { 'a.yml': NATIVE('{id: T1047, name: WMI}'), 'b.toml': TOML() },
  });
  const before = await ruleproof(dir, 'lint', '-f', 'json');
  t.equal(before.code, 1, 'findings fail the gate');
  const initial = JSON.parse(before.stdout) as { diagnostics: Diagnostic[] };
  t.ok(initial.diagnostics.some((d) => d.code === 'attack/name-mismatch'));

  const write = await ruleproof(dir, 'lint', '--baseline-write', 'lint-baseline.json', '-f', 'json');
  t.equal(write.code, 0, 'writing the baseline accepts the current findings');
  t.match(write.stderr, /wrote \d+ finding\(s\) to the baseline lint-baseline\.json/);
  const stored = JSON.parse(readFileSync(path.join(dir, 'lint-baseline.json'), 'utf8')) as { kind: string; findings: unknown[] };
  t.equal(stored.kind, 'ruleproof-lint-baseline');
  t.equal(stored.findings.length, new Set(initial.diagnostics.filter((d) => !d.code.startsWith('load/')).map((d) => `${d.file} ${d.code} ${d.message}`)).size);

  // Shift every line down: line-independent keys still match.
  writeFileSync(path.join(dir, 'rules/a.yml'), '# moved\n\n' + NATIVE('{id: T1047, name: WMI}'));
  const same = await ruleproof(dir, 'lint', '--baseline', 'lint-baseline.json', '-f', 'json');
  t.equal(same.code, 0, 'only known findings: pass');
  t.same((JSON.parse(same.stdout) as { diagnostics: Diagnostic[] }).diagnostics, []);
  t.match(same.stderr, /known finding\(s\) not reported, 0 new/);

  // A new problem in a.yml: only it is reported.
  writeFileSync(path.join(dir, 'rules/a.yml'), NATIVE('{id: T1047, name: WMI}').replace('name: Execution}', 'name: Executio}'));
  const fresh = await ruleproof(dir, 'lint', '--baseline', 'lint-baseline.json', '-f', 'json');
  t.equal(fresh.code, 1);
  t.match((JSON.parse(fresh.stdout) as { diagnostics: Diagnostic[] }).diagnostics, [{ file: 'rules/a.yml', line: 8, code: 'attack/name-mismatch', message: /named "Execution" in ATT&CK 18\.1, not "Executio"/ }]);
  t.equal((JSON.parse(fresh.stdout) as { diagnostics: Diagnostic[] }).diagnostics.length, 1);

  // The new finding as a warning via a per-glob override, then gated by --max-warnings.
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), 'rules: [rules]\noverrides:\n  - files: ["rules/*.yml"]\n    checks: {attack/name-mismatch: warn}\n');
  const warned = await ruleproof(dir, 'lint', '--baseline', 'lint-baseline.json', '-f', 'json');
  t.equal(warned.code, 0, 'the new finding is only a warning in rules/*.yml now');
  const warnedReport = JSON.parse(warned.stdout) as { diagnostics: Diagnostic[] };
  t.ok(warnedReport.diagnostics.every((d) => d.severity !== 'error' || d.file !== 'rules/a.yml' || d.code !== 'attack/name-mismatch'), 'override applied');
  t.ok(warnedReport.diagnostics.some((d) => d.file === 'rules/a.yml' && d.code === 'attack/name-mismatch' && d.severity === 'warning'));
  const maxed = await ruleproof(dir, 'lint', '--baseline', 'lint-baseline.json', '--max-warnings', '5', '-f', 'json');
  t.equal(maxed.code, 0, 'a warning within --max-warnings passes');
  const strict = await ruleproof(dir, 'lint', '--baseline', 'lint-baseline.json', '--max-warnings', '0', '-f', 'json');
  t.equal(strict.code, 1, '--max-warnings 0 fails on it');

  writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ kind: 'ruleproof-lint-baseline', version: 2, findings: [] }));
  const broken = await ruleproof(dir, 'lint', '--baseline', 'broken.json');
  t.equal(broken.code, 2);
  t.match(broken.stderr, /broken\.json: findings baseline version 2 is not supported/);
});
