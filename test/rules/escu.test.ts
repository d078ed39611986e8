import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { replayTests } from '../../src/replay/runner.js';
import { loadRules } from '../../src/rules/index.js';
import { mapAttackData } from '../../src/rules/macros.js';
import { queryPositionInFile, type Rule } from '../../src/rules/model.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIX = 'test/fixtures/escu';
const SEED = 'detections/splunk/detections/endpoint/remote_process_instantiation_via_winrm_and_powershell.yml';

async function load(p: string) {
  return loadRules([p], { root });
}

t.test('the seed analytic (contentctl v4 layout) loads into the Rule model', async (t) => {
  const { rules, diagnostics } = await load(SEED);
  t.same(diagnostics, []);
  const rule = rules[0] as Rule;
  t.match(rule, {
    id: 'ba24cda8-4716-11ec-8009-3e22fbd008af',
    name: 'Remote Process Instantiation via WinRM and PowerShell',
    version: 4,
    format: 'splunk-escu',
    status: 'production',
    riskScore: 45,
    severity: 'medium',
    license: 'Apache-2.0',
    created: '2024-09-30',
    author: ['Mauricio Velazco', 'Splunk'],
    query: { language: 'spl', fieldView: 'cim' },
  });
  t.same(
    rule.threat.map((m) => [m.technique?.id, m.technique?.name, m.subtechnique?.id, m.subtechnique?.name]),
    [
      ['T1021', 'Remote Services', undefined, undefined],
      ['T1021', 'Remote Services', 'T1021.006', 'Windows Remote Management'],
    ],
  );
  t.ok(rule.tags.includes('Analytic Story: Active Directory Lateral Movement'));
  t.notOk(rule.query.text.includes('`'), 'every macro is expanded');
  t.match(rule.query.text, /Processes\.process_name=pwsh\.exe OR .*Processes\.original_file_name=powershell_ise\.EXE/, 'the repository macro');
  t.match(rule.query.text, /summariesonly=false allow_old_summaries=true fillnull_value="null"/, 'built-in macros nest');
  t.match(rule.query.text, /\| rename Processes\.\* AS \* \|/, 'drop_dm_object_name(Processes)');
  t.match(rule.query.text, /convert timeformat="%Y-%m-%dT%H:%M:%S" ctime\(firstTime\)/, '$field$ substituted');
  t.match(rule.query.text, /\| search \*$/, 'the generated empty _filter');
  t.match(rule.query.written?.text, /^\| tstats `security_content_summariesonly` count/);
  // The seed's data URL is mapped by the repository's ruleproof.escu.yml to the synthetic stand-in.
  t.match(rule.tests[0], { name: 'True Positive Test', expect: 'fire', dataset: 'datasets/synthetic/winrm_invoke_command_lateral_movement_psh.xml' });
  t.equal(rule.tests.length, 4, 'its own test and the three of the sidecar');
});

t.test('positions inside the expanded search map back to the macro call in the file', async (t) => {
  const { rules } = await load(SEED);
  const rule = rules[0] as Rule;
  const offset = rule.query.text.indexOf('Processes.process_name=pwsh.exe');
  const pos = queryPositionInFile(rule.query, 1, offset + 1);
  const writtenOffset = (rule.query.written?.text ?? '').indexOf('`process_powershell`');
  t.same(pos, { line: rule.query.origin.line, column: rule.query.origin.column + writtenOffset }, 'points at `process_powershell`');
  const plain = rule.query.text.indexOf('Processes.process="*Invoke-Command*"');
  const plainWritten = (rule.query.written?.text ?? '').indexOf('Processes.process="*Invoke-Command*"');
  t.same(queryPositionInFile(rule.query, 1, plain + 1), { line: rule.query.origin.line, column: rule.query.origin.column + plainWritten });
});

t.test('replay: fires on the attack, on the admin (empty filter); a repository _filter overrides the empty default', async (t) => {
  const seed = await load(SEED);
  const out = await replayTests(seed.rules, { root });
  t.same(out.rules[0]?.tests.map((x) => [x.name, x.status, x.alertCount]), [
    ['True Positive Test', 'pass', 1],
    ['Invoke-Command -ComputerName from an Attack Range workstation (synthetic)', 'pass', 1],
    ['Administrator restarting a service with Invoke-Command (the stated false positive)', 'pass', 1],
    ['WinRM target side (wsmprovhost children) is not the source-side analytic', 'pass', 0],
  ]);

  const override = await load(`${FIX}/filter-override`);
  t.same(override.diagnostics, []);
  const rule = override.rules[0] as Rule;
  t.match(rule.query.text, /\| search dest!="ADMIN01\.corp\.example\.com"$/, 'the repository filter replaces search *');
  rule.tests = [
    { name: 'admin', dataset: 'datasets/synthetic/winrm_invoke_command_admin.xml', expect: 'quiet', reason: 'filtered', location: { file: rule.source.file, line: 1, column: 1 } },
    { name: 'attack', dataset: 'datasets/synthetic/winrm_invoke_command_lateral_movement_psh.xml', expect: 'fire', count: { exact: 1 }, location: { file: rule.source.file, line: 1, column: 1 } },
  ];
  const replayed = await replayTests([rule], { root });
  t.same(replayed.rules[0]?.tests.map((x) => [x.name, x.status, x.alertCount]), [
    ['admin', 'pass', 0],
    ['attack', 'pass', 1],
  ]);
});

t.test('contentctl v5 layout: rba risk, creation/modification dates, macro arguments, attack_data mapping', async (t) => {
  const { rules, diagnostics } = await load(`${FIX}/v5`);
  const rule = rules[0] as Rule;
  t.match(rule, { version: 7, riskScore: 25, severity: 'low', created: '2025-01-02', updated: '2025-03-04', author: ['Ruleproof Tests', 'Example Team'] });
  t.match(rule.query.text, /\(Processes\.process_name=cmd\.exe OR Processes\.original_file_name=Cmd\.Exe\) Processes\.process/, 'positional $arg$ substitution, quotes around an argument removed');
  t.notOk(rule.query.text.includes('\r'), 'CRLF file');
  t.same(
    rule.tests.map((x) => [x.name, x.dataset, x.expect]),
    [
      ['True Positive Test [1/2]', 'datasets/synthetic/winrm_invoke_command_lateral_movement_psh.xml', 'fire'],
      ['True Positive Test [2/2]', 'datasets/attack_data/attack_techniques/T1021.006/x/windows-sysmon.log', 'fire'],
    ],
    'one test case per attack_data entry; the manual test is not replayed',
  );
  t.same(diagnostics, []);
  const compiled = compileQuery(rule.query.text, { language: 'spl', fieldView: 'cim' });
  t.ok(compiled.ok);
});

t.test('attack_data URL mapping', async (t) => {
  const url = 'https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/attack_techniques/T1047/atomic_red_team/windows-sysmon.log';
  t.same(mapAttackData(url, []), { path: 'datasets/attack_data/attack_techniques/T1047/atomic_red_team/windows-sysmon.log', mapped: true });
  t.same(mapAttackData('https://raw.githubusercontent.com/splunk/attack_data/master/datasets/a/b.log', []), { path: 'datasets/attack_data/a/b.log', mapped: true });
  t.same(mapAttackData(url, [{ from: 'https://media.githubusercontent.com/media/splunk/attack_data/master/datasets/', to: 'mirror/ad' }]), {
    path: 'mirror/ad/attack_techniques/T1047/atomic_red_team/windows-sysmon.log',
    mapped: true,
  });
  t.same(mapAttackData('datasets\\local\\x.log', []), { path: 'datasets/local/x.log', mapped: false }, 'a local path is used as written');
  t.same(mapAttackData('https://example.com/other.log', []), { path: 'https://example.com/other.log', mapped: false });
});

t.test('bad content: located diagnostics, other files still load', async (t) => {
  const { rules, diagnostics, failedFiles } = await load(`${FIX}/broken`);
  t.same(rules.map((r) => r.name), ['Unknown Macro'], 'the baseline is not a detection; the broken one fails');
  t.same(failedFiles, [`${FIX}/broken/detections/no_search.yml`, `${FIX}/broken/macros/bad.yml`]);
  t.match(diagnostics, [
    { file: `${FIX}/broken/detections/no_search.yml`, line: 6, code: 'load/schema', message: /"search" must be string/ },
    { file: `${FIX}/broken/macros/bad.yml`, line: 1, code: 'load/schema' },
  ]);
  const unknown = rules[0] as Rule;
  const compiled = compileQuery(unknown.query.text, { language: 'spl', fieldView: 'cim' });
  t.match(compiled, { ok: false, errors: [{ message: 'unknown macro `no_such_macro`', line: 1 }] }, 'an unknown macro is a query error of that rule');
});
