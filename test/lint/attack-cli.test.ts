/** Choosing the ATT&CK release on the command line and in ruleproof.config.yml, for lint and check. */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type CliIO } from '../../src/cli/main.js';
import { nativeRule, threat } from './rule-tester.js';

async function ruleproof(cwd: string, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd, isTTY: false, env: { NO_COLOR: '1' } };
  const code = await main(['node', 'ruleproof', ...args], io);
  return { code, stdout, stderr };
}

/** A repository with one rule written in ATT&CK 18 terms: Modify Registry under Defense Evasion. */
function repo(t: { teardown(fn: () => void): void }, config = ''): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ruleproof-attack-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'ruleproof.config.yml'), `rules: [detections]\ndatasets: [datasets]\n${config}`);
  mkdirSync(path.join(dir, 'detections'), { recursive: true });
  mkdirSync(path.join(dir, 'datasets'), { recursive: true });
  writeFileSync(path.join(dir, 'detections', 'reg.yml'), nativeRule({ threat: [threat(['TA0005', 'Defense Evasion'], ['T1112', 'Modify Registry'])] }));
  return dir;
}

const attackFindings = (diagnostics: Array<{ code: string; message: string }>) =>
  diagnostics.filter((d) => d.code.startsWith('attack/')).map((d) => `${d.code}: ${d.message}`);

const IN_19 = [
  'attack/name-mismatch: tactic TA0005 is named "Stealth" in ATT&CK 19.2, not "Defense Evasion"',
  'attack/tactic-mismatch: T1112 (Modify Registry) is not a technique of tactic TA0005 (Stealth) in ATT&CK 19.2',
];

const cases: Array<{ name: string; config?: string; args: string[]; findings: string[] }> = [
  { name: 'lint, configured release (default 18.1)', args: ['lint', '-f', 'json'], findings: [] },
  { name: 'lint --attack-version 19', args: ['lint', '-f', 'json', '--attack-version', '19'], findings: IN_19 },
  { name: 'lint with attack_version: "19.2" in the configuration', config: 'attack_version: "19.2"\n', args: ['lint', '-f', 'json'], findings: IN_19 },
  { name: '--attack-version wins over the configuration', config: 'attack_version: "19.2"\n', args: ['lint', '-f', 'json', '--attack-version', '18.1'], findings: [] },
  { name: 'check --attack-version v19.2', args: ['check', '-f', 'json', '--attack-version', 'v19.2'], findings: IN_19 },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const dir = repo(t, c.config);
    const run = await ruleproof(dir, ...c.args);
    const report = JSON.parse(run.stdout);
    const diagnostics = report.command === 'check' ? report.lint.diagnostics : report.diagnostics;
    t.same(attackFindings(diagnostics).sort(), [...c.findings].sort(), run.stderr);
    t.equal(run.code, c.findings.length ? 1 : 0, 'findings gate the run');
  });
}

t.test('a release ruleproof does not ship is a usage error naming the bundled ones', async (t) => {
  const dir = repo(t);
  const run = await ruleproof(dir, 'lint', '--attack-version', '12');
  t.equal(run.code, 2);
  t.match(run.stdout + run.stderr, /ATT&CK version "12" is not bundled with ruleproof \(bundled: 18\.1, 19\.2\)/);
});
