/** lint --fix: ATT&CK names, reference URLs and revoked techniques, written back keeping comments and layout; idempotent. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { computeFixes } from '../../src/lint/fix.js';
import { lintRules } from '../../src/lint/index.js';
import { loadAttackCatalogue } from '../../src/lint/attack/catalogue.js';
import { attackNameMismatch } from '../../src/lint/checks/attack-name-mismatch.js';
import { attackReferenceUrl } from '../../src/lint/checks/attack-reference-url.js';
import { attackDeprecated } from '../../src/lint/checks/attack-deprecated.js';
import { loadRules } from '../../src/rules/index.js';
import { main, type CliIO } from '../../src/cli/main.js';

const attack = loadAttackCatalogue('18.1');
const FIX_CHECKS = [attackNameMismatch, attackReferenceUrl, attackDeprecated];

const YAML_BEFORE = `# A rule with ATT&CK mistakes; every comment must survive --fix.
id: 0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40
version: 1
name: Test Rule
description: A rule for tests.
severity: medium
risk_score: 47
threat:
  # execution, as the vendor maps it
  - tactic: {id: TA0002, name: Executio, reference: "https://attack.mitre.org/tactics/TA0003/"}  # trailing
    technique:
      id: T1053        # scheduled
      name: 'Scheduled Task'
    subtechnique: {id: T1053.001, name: At (Linux)}
  - tactic: {id: TA0009, name: Collection}
    technique: {id: T1002, name: Data Compressed, reference: https://attack.mitre.org/techniques/T1002/}
query: {language: eql, field_view: ecs, text: 'process where process.name == "cmd.exe"'}
`;

const YAML_AFTER = `# A rule with ATT&CK mistakes; every comment must survive --fix.
id: 0b1c6f7e-1b7a-4a4e-9a55-1f0c1d2e3f40
version: 1
name: Test Rule
description: A rule for tests.
severity: medium
risk_score: 47
threat:
  # execution, as the vendor maps it
  - tactic: {id: TA0002, name: Execution, reference: "https://attack.mitre.org/tactics/TA0002/"}  # trailing
    technique:
      id: T1053        # scheduled
      name: 'Scheduled Task/Job'
    subtechnique: {id: T1053.002, name: At}
  - tactic: {id: TA0009, name: Collection}
    technique: {id: T1560, name: Archive Collected Data, reference: https://attack.mitre.org/techniques/T1560/}
query: {language: eql, field_view: ecs, text: 'process where process.name == "cmd.exe"'}
`;

const TOML_BEFORE = `[metadata]
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

# lateral movement
[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1021"   # remote services
name = "Remote Service"
reference = "https://attack.mitre.org/techniques/T1021"
[[rule.threat.technique.subtechnique]]
id = "T1021.006"
name = 'Windows Remote Mgmt'
reference = "https://attack.mitre.org/techniques/T1021/003/"

[rule.threat.tactic]
id = "TA0008"
name = "Lateral Movement"
reference = "https://attack.mitre.org/tactics/TA0008/"
`;

const TOML_AFTER = TOML_BEFORE.replace('name = "Remote Service"', 'name = "Remote Services"')
  .replace("name = 'Windows Remote Mgmt'", "name = 'Windows Remote Management'")
  .replace('reference = "https://attack.mitre.org/techniques/T1021/003/"', 'reference = "https://attack.mitre.org/techniques/T1021/006/"');

async function load(dir: string) {
  const loaded = await loadRules(['.'], { root: dir });
  return loaded;
}

function lintFixable(rules: Parameters<typeof lintRules>[0]) {
  return lintRules(rules, { attackVersion: '18.1', severities: {}, checks: FIX_CHECKS, waivers: false });
}

t.test('native YAML: names, URLs and revoked techniques fixed; comments, flow maps and quoting kept', async (t) => {
  const dir = t.testdir({ 'rule.yml': YAML_BEFORE });
  const loaded = await load(dir);
  t.same(loaded.diagnostics, []);
  t.equal(lintFixable(loaded.rules).length, 5, 'the fixable checks fire before');
  const fixes = computeFixes(loaded.rules, attack);
  t.equal(fixes.length, 1);
  t.equal(fixes[0]!.fixed, YAML_AFTER);
  t.same(fixes[0]!.fixes.map((f) => `${f.line}:${f.column}`), ['10:32', '10:53', '13:13', '14:24', '14:41', '16:21', '16:34', '16:62']);
  t.match(fixes[0]!.fixes.map((f) => f.description), [/name of TA0002 set to "Execution"/, /reference of TA0002/, /name of T1053/, /T1053\.001 is revoked: replaced by its successor T1053\.002/, /name of T1053\.002 set to "At"/, /T1002 is revoked/, /name of T1560/, /reference of T1560/]);

  const again = t.testdir({ 'rule.yml': YAML_AFTER });
  const reloaded = await load(again);
  t.same(reloaded.diagnostics, [], 'the fixed file loads');
  t.same(lintFixable(reloaded.rules), [], 'the fixable checks are satisfied');
  t.same(computeFixes(reloaded.rules, attack), [], 'idempotent: a second run changes nothing');
});

t.test('native YAML with CRLF line endings keeps them', async (t) => {
  const dir = t.testdir({ 'rule.yml': YAML_BEFORE.replace(/\n/g, '\r\n') });
  const fixes = computeFixes((await load(dir)).rules, attack);
  t.equal(fixes[0]!.fixed, YAML_AFTER.replace(/\n/g, '\r\n'));
});

t.test('Elastic TOML: minimal textual edits, quote style kept', async (t) => {
  const dir = t.testdir({ 'rule.toml': TOML_BEFORE });
  const loaded = await load(dir);
  t.same(loaded.diagnostics, []);
  t.equal(lintFixable(loaded.rules).length, 3, 'before: two names and a URL (a missing trailing slash is not a finding)');
  const fixes = computeFixes(loaded.rules, attack);
  t.equal(fixes[0]!.fixed, TOML_AFTER);
  t.same(fixes[0]!.fixes.map((f) => `${f.line}:${f.column}`), ['25:8', '29:8', '30:13']);
  const again = t.testdir({ 'rule.toml': TOML_AFTER });
  const reloaded = await load(again);
  t.same(lintFixable(reloaded.rules), []);
  t.same(computeFixes(reloaded.rules, attack), [], 'idempotent');
});

t.test('a revoked sub-technique whose successor sits elsewhere is left for a person', async (t) => {
  // T1547.011 was revoked by T1647, a technique: that changes the mapping's shape, so no automatic fix.
  const text = YAML_AFTER.replace('subtechnique: {id: T1053.002, name: At}', 'subtechnique: {id: T1547.011, name: Plist Modification}').replace('id: T1053        # scheduled\n      name: \'Scheduled Task/Job\'', "id: T1547\n      name: 'Boot or Logon Autostart Execution'");
  const dir = t.testdir({ 'rule.yml': text });
  const loaded = await load(dir);
  t.same(computeFixes(loaded.rules, attack), []);
  t.match(lintFixable(loaded.rules), [{ code: 'attack/deprecated', message: /T1547\.011 .*revoked.*T1647/ }]);
});

t.test('CLI: lint --fix writes the files, reports each fix, and a second run has nothing to do', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [rules]\n', '.git': {}, rules: { 'a.yml': YAML_BEFORE, 'b.toml': TOML_BEFORE } });
  let stderr = '';
  let stdout = '';
  const io: CliIO = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), cwd: dir, isTTY: false, env: { NO_COLOR: '1', RULEPROOF_GITHUB: 'off' } };
  await main(['node', 'ruleproof', 'lint', '--fix', '-f', 'json'], io);
  t.equal(readFileSync(path.join(dir, 'rules/a.yml'), 'utf8'), YAML_AFTER);
  t.equal(readFileSync(path.join(dir, 'rules/b.toml'), 'utf8'), TOML_AFTER);
  t.match(stderr, /fixed rules\/a\.yml:10:32: name of TA0002 set to "Execution"/);
  t.match(stderr, /--fix: 11 value\(s\) fixed/);
  const report = JSON.parse(stdout) as { diagnostics: { code: string }[] };
  t.notOk(report.diagnostics.some((d) => ['attack/name-mismatch', 'attack/reference-url'].includes(d.code)), 'the report is of the fixed files');
  stderr = '';
  stdout = '';
  await main(['node', 'ruleproof', 'lint', '--fix', '-f', 'json'], io);
  t.match(stderr, /--fix: nothing to fix/);
  t.equal(readFileSync(path.join(dir, 'rules/a.yml'), 'utf8'), YAML_AFTER, 'unchanged by the second run');
});

const SIGMA_BEFORE = `title: A rule
id: 1a2b3c4d-1111-4222-8333-444455556666
status: test
description: What it detects.
level: medium
tags:
    - attack.Execution   # tactic
    - attack.T1047
    - 'attack.t1021.003'
    - detection.threat-hunting
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        ParentImage|endswith: '\\WmiPrvSE.exe'
    condition: selection
`;

t.test('tags re-cased: Sigma attack.* tags lower case, Tactic: tags as ATT&CK spells them', async (t) => {
  const sigmaDir = t.testdir({ 'r.yml': SIGMA_BEFORE });
  const sigmaFixes = computeFixes((await load(sigmaDir)).rules, attack);
  t.equal(sigmaFixes[0]!.fixed, SIGMA_BEFORE.replace('attack.Execution   # tactic', 'attack.execution   # tactic').replace('attack.T1047', 'attack.t1047'));
  t.same(sigmaFixes[0]!.fixes.map((f) => f.description), ['tag "attack.Execution" re-cased to "attack.execution"', 'tag "attack.T1047" re-cased to "attack.t1047"']);
  const fixedSigma = t.testdir({ 'r.yml': sigmaFixes[0]!.fixed });
  const reloaded = await load(fixedSigma);
  t.same(reloaded.diagnostics, []);
  t.same(computeFixes(reloaded.rules, attack), [], 'idempotent');

  const tomlText = TOML_AFTER.replace('type = "eql"', 'type = "eql"\ntags = ["OS: Windows", "Tactic: lateral movement"]');
  const tomlFixes = computeFixes((await load(t.testdir({ 'r.toml': tomlText }))).rules, attack);
  t.equal(tomlFixes[0]!.fixed, tomlText.replace('"Tactic: lateral movement"', '"Tactic: Lateral Movement"'));
});
