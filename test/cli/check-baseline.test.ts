/** `ruleproof check --baseline FILE`: a lint findings baseline gates only new lint findings, as with `lint`. */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import type { Diagnostic } from '../../src/util/diagnostics.js';

const NATIVE = (tacticName: string) => `id: 0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40
version: 1
name: Test Rule
description: A rule for tests.
severity: medium
risk_score: 47
threat:
  - tactic: {id: TA0002, name: ${tacticName}}
    technique: {id: T1047, name: WMI}
query: {language: eql, field_view: ecs, text: 'process where process.name == "cmd.exe"'}
`;

async function ruleproof(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1', RULEPROOF_GITHUB: 'off' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

interface CheckJson {
  command: string;
  lint: { diagnostics: Diagnostic[]; exitCode: number };
  exitCode: number;
}

const lintErrors = (report: CheckJson) => report.lint.diagnostics.filter((d) => d.severity === 'error');

t.test('check --baseline: known lint findings do not gate, new ones do', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [rules]\n', '.git': {}, rules: { 'a.yml': NATIVE('Execution') } });

  const before = await ruleproof(dir, 'check', '-f', 'json');
  const initial = JSON.parse(before.stdout) as CheckJson;
  t.equal(initial.command, 'check');
  t.match(lintErrors(initial), [{ file: 'rules/a.yml', code: 'attack/name-mismatch', message: /"WMI"/ }], 'the technique name is wrong');
  t.equal(before.code, 1, 'a lint error fails the gate');

  const write = await ruleproof(dir, 'lint', '--baseline-write', 'lint-baseline.json', '-f', 'json');
  t.equal(write.code, 0);

  const known = await ruleproof(dir, 'check', '--baseline', 'lint-baseline.json', '-f', 'json');
  const knownReport = JSON.parse(known.stdout) as CheckJson;
  t.same(lintErrors(knownReport), [], 'the known finding is not reported');
  t.equal(knownReport.lint.exitCode, 0);
  t.equal(known.code, 0, 'only known findings: the gate passes');
  t.match(known.stderr, /baseline lint-baseline\.json: \d+ known finding\(s\) not reported, 0 new/);

  writeFileSync(path.join(dir, 'rules/a.yml'), NATIVE('Executio'));
  const fresh = await ruleproof(dir, 'check', '--baseline', 'lint-baseline.json', '-f', 'json');
  const freshReport = JSON.parse(fresh.stdout) as CheckJson;
  t.match(lintErrors(freshReport), [{ file: 'rules/a.yml', line: 8, code: 'attack/name-mismatch', message: /named "Execution" in ATT&CK 18\.1, not "Executio"/ }]);
  t.equal(lintErrors(freshReport).length, 1, 'only the new finding');
  t.equal(fresh.code, 1, 'a new lint error fails the gate');

  writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ kind: 'ruleproof-lint-baseline', version: 2, findings: [] }));
  const broken = await ruleproof(dir, 'check', '--baseline', 'broken.json');
  t.equal(broken.code, 2, 'a malformed findings baseline is a usage error');
  t.match(broken.stderr, /broken\.json: findings baseline version 2 is not supported/);
});
