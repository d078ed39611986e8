/**
 * SigmaHQ's regression-test layout (regression_data/**\/info.yml) read as tests: parsing, attachment to the
 * rule the info names (through regression_tests_path or the rule id), match_count semantics as SigmaHQ's
 * runner applies them, and a real replay of the fixture repository over a bundled EVTX file.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadRules } from '../../src/rules/index.js';
import { parseRegressionInfo, regressionTestCases, resolveRegressionPath } from '../../src/rules/sigma-regression.js';
import { replayTests } from '../../src/replay/runner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = path.resolve(here, '../fixtures/sigma-regression/repo');
const REPO = path.resolve(here, '../..');
const WMI_RULE = '5f0c2a1e-8d3b-4c6a-9e71-2b4d6f8a0c13';
const WHOAMI_RULE = '9b7e3d52-1a4c-4f08-b6d2-7c3e5a9f1d24';
const WMI_INFO = 'regression_data/rules/windows/process_creation/proc_creation_win_fixture_wmi_child/info.yml';
const WHOAMI_INFO = 'regression_data/rules/windows/process_creation/proc_creation_win_fixture_whoami/info.yml';
const WMIEXEC_EVTX = 'datasets/evtx-attack-samples/lateral_movement/LM_wmiexec_impacket_sysmon_whoami.evtx';

/** A scratch copy of the fixture repository whose info.yml paths point at this checkout's datasets. */
function scratchRepo(t: Tap.Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-sigma-regression-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  // Datasets must sit inside the repository that replays them (paths that leave it are refused):
  // bring the bundled captures the cases name into the scratch repository, named from its root.
  cpSync(path.join(REPO, 'datasets/evtx-attack-samples'), path.join(dir, 'datasets/evtx-attack-samples'), { recursive: true });
  for (const info of [WMI_INFO, WHOAMI_INFO]) {
    const abs = path.join(dir, info);
    writeFileSync(abs, readFileSync(abs, 'utf8').replace(/\.\.\/\.\.\/\.\.\/\.\.\/datasets/g, 'datasets'));
  }
  return dir;
}

t.test('parseRegressionInfo reads SigmaHQ fields with positions', async (t) => {
  const text = readFileSync(path.join(FIXTURE, WMI_INFO), 'utf8');
  const { info, diagnostics } = parseRegressionInfo(text, WMI_INFO);
  t.same(diagnostics, []);
  t.equal(info?.id, '0d6e4b2a-3c1f-4a5e-8b97-6f2d1c0e9a35');
  t.same(info?.rules.map((r) => [r.id, r.title, r.position.line]), [[WMI_RULE, 'Fixture - Process Started by WmiPrvSE', 6]]);
  t.same(
    info?.cases.map((c) => [c.name, c.type, c.provider, c.matchCount, c.position.line]),
    [
      ['Positive Detection Test', 'evtx', 'Microsoft-Windows-Sysmon', 3, 9],
      ['PowerShell remoting starts no process under WmiPrvSE', 'evtx', 'Microsoft-Windows-Sysmon', 0, 14],
    ],
  );
});

t.test('CRLF, a byte-order mark and Windows separators in the path', async (t) => {
  const text = '\ufeffrule_metadata:\r\n  - id: abc\r\nregression_tests_info:\r\n  - name: n\r\n    type: EVTX\r\n    path: regression_data\\x\\y.evtx\r\n';
  const { info, diagnostics } = parseRegressionInfo(text, 'info.yml');
  t.same(diagnostics, []);
  t.same(info?.cases.map((c) => [c.type, c.path, c.position.line]), [['evtx', 'regression_data/x/y.evtx', 4]]);
});

t.test('bad info files are located diagnostics, never exceptions', async (t) => {
  const cases: [string, string, number][] = [
    ['rule_metadata: [unclosed\n', 'load/yaml-syntax', 1],
    ['- just\n- a list\n', 'sigma-regression/schema', 1],
    ['id: x\nregression_tests_info: []\n', 'sigma-regression/schema', 1],
    ['rule_metadata:\n  - title: no id\n', 'sigma-regression/schema', 2],
    ['rule_metadata: [{id: a}]\nregression_tests_info: nope\n', 'sigma-regression/schema', 2],
    ['rule_metadata: [{id: a}]\nregression_tests_info:\n  - name: n\n    type: evtx\n', 'sigma-regression/schema', 3],
    ['rule_metadata: [{id: a}]\nregression_tests_info:\n  - path: a.evtx\n    match_count: many\n', 'sigma-regression/schema', 4],
    ['rule_metadata: [{id: a}]\nregression_tests_info:\n  - path: a.evtx\n    match_count: -1\n', 'sigma-regression/schema', 4],
  ];
  for (const [text, code, line] of cases) {
    const { diagnostics } = parseRegressionInfo(text, 'x/info.yml');
    t.equal(diagnostics.length, 1, text);
    t.equal(diagnostics[0]?.code, code, text);
    t.equal(diagnostics[0]?.line, line, text);
    t.equal(diagnostics[0]?.file, 'x/info.yml');
    t.ok(code === 'load/yaml-syntax' || diagnostics[0]?.hint, 'schema problems carry a hint');
  }
  t.same(parseRegressionInfo('rule_metadata: [{id: a}]\n', 'info.yml').diagnostics, [], 'an info without cases is not an error (SigmaHQ only warns)');
});

t.test('match_count becomes a minimum, as in SigmaHQ runner; 0 is quiet; none is fire', async (t) => {
  const root = scratchRepo(t);
  const { info } = parseRegressionInfo(
    [
      'rule_metadata: [{id: a}]',
      'regression_tests_info:',
      `  - {name: counted, type: evtx, match_count: 4, path: ${WMI_INFO}}`,
      `  - {name: uncounted, type: evtx, path: ${WMI_INFO}}`,
      `  - {name: none, type: evtx, match_count: 0, path: ${WMI_INFO}}`,
      `  - {name: raw, type: raw, path: ${WMI_INFO}}`,
      '  - {name: missing, type: evtx, path: regression_data/nope.evtx}',
    ].join('\n'),
    'regression_data/r/info.yml',
  );
  t.ok(info);
  const { tests, diagnostics } = regressionTestCases(info!, root);
  t.same(
    tests.map((x) => [x.name, x.expect, x.count, x.dataset]),
    [
      ['counted', 'fire', { min: 4 }, WMI_INFO],
      ['uncounted', 'fire', undefined, WMI_INFO],
      ['none', 'quiet', undefined, WMI_INFO],
    ],
  );
  t.match(tests[2]?.reason, /regression_data\/r\/info\.yml expects no match/);
  t.same(
    diagnostics.map((d) => [d.code, d.severity, d.line]),
    [
      ['sigma-regression/unsupported-type', 'warning', 6],
      ['sigma-regression/missing-file', 'error', 7],
    ],
  );
});

t.test('an event file is found from the root first, then beside the info.yml', async (t) => {
  const root = scratchRepo(t);
  const dir = path.join(root, 'regression_data/rules/windows/own');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'capture.evtx'), '');
  t.same(resolveRegressionPath(root, 'regression_data/rules/windows/own/info.yml', 'capture.evtx'), { dataset: 'regression_data/rules/windows/own/capture.evtx', exists: true });
  t.same(resolveRegressionPath(root, 'regression_data/rules/windows/own/info.yml', 'regression_data/rules/windows/own/capture.evtx'), { dataset: 'regression_data/rules/windows/own/capture.evtx', exists: true });
  t.same(resolveRegressionPath(root, 'regression_data/rules/windows/own/info.yml', 'gone.evtx'), { dataset: 'gone.evtx', exists: false });
});

t.test('loadRules attaches the cases to the rules they name, by regression_tests_path and by id', async (t) => {
  const loaded = await loadRules(['rules'], { root: FIXTURE });
  t.same(loaded.failedFiles, []);
  t.same(
    loaded.diagnostics.map((d) => [d.file, d.code, d.severity]),
    [[WHOAMI_INFO, 'sigma-regression/unsupported-type', 'warning']],
  );
  const byId = new Map(loaded.rules.map((r) => [r.id, r]));
  t.same(
    byId.get(WMI_RULE)?.tests.map((x) => [x.name, x.expect, x.count, x.dataset, x.location.file, x.location.line]),
    [
      ['Positive Detection Test', 'fire', { min: 3 }, `../../../../${WMIEXEC_EVTX}`, WMI_INFO, 9],
      ['PowerShell remoting starts no process under WmiPrvSE', 'quiet', undefined, '../../../../datasets/evtx-attack-samples/lateral_movement/LM_PowershellRemoting_sysmon_1_wsmprovhost.evtx', WMI_INFO, 14],
    ],
  );
  t.same(byId.get(WHOAMI_RULE)?.tests.map((x) => [x.name, x.expect, x.count]), [['Positive Detection Test', 'fire', undefined]], 'found by rule id without regression_tests_path');
});

t.test('info.yml files are not loaded as rules when the whole repository is given', async (t) => {
  const loaded = await loadRules(['.'], { root: FIXTURE });
  t.same(loaded.rules.map((r) => r.id).sort(), [WMI_RULE, WHOAMI_RULE].sort());
  t.same(loaded.failedFiles, []);
});

t.test('replaying the fixture repository: the bundled EVTX captures satisfy the info.yml cases', async (t) => {
  const root = scratchRepo(t);
  const loaded = await loadRules(['rules'], { root });
  const outcome = await replayTests(loaded.rules, { root });
  const results = outcome.rules.flatMap((r) => r.tests.map((x) => [r.id, x.name, x.status, x.alertCount]));
  t.same(results, [
    [WMI_RULE, 'Positive Detection Test', 'pass', 3],
    [WMI_RULE, 'PowerShell remoting starts no process under WmiPrvSE', 'pass', 0],
    [WHOAMI_RULE, 'Positive Detection Test', 'pass', 1],
  ]);
});

t.test('a match_count above what the rule matches fails the test; below it passes (SigmaHQ warns only)', async (t) => {
  const root = scratchRepo(t);
  const info = path.join(root, WMI_INFO);
  writeFileSync(info, readFileSync(info, 'utf8').replace('match_count: 3', 'match_count: 4'));
  let outcome = await replayTests((await loadRules(['rules'], { root })).rules, { root });
  const first = outcome.rules.find((r) => r.id === WMI_RULE)?.tests[0];
  t.equal(first?.status, 'fail');
  t.equal(first?.alertCount, 3);
  writeFileSync(info, readFileSync(info, 'utf8').replace('match_count: 4', 'match_count: 2'));
  outcome = await replayTests((await loadRules(['rules'], { root })).rules, { root });
  t.equal(outcome.rules.find((r) => r.id === WMI_RULE)?.tests[0]?.status, 'pass');
});

t.test('regression_tests_path that is missing or names another rule', async (t) => {
  const root = scratchRepo(t);
  const ruleFile = path.join(root, 'rules/proc_creation_win_fixture_wmi_child.yml');
  const original = readFileSync(ruleFile, 'utf8');
  writeFileSync(ruleFile, original.replace(/regression_tests_path: .*/, 'regression_tests_path: regression_data/gone/info.yml'));
  let loaded = await loadRules(['rules'], { root });
  let d = loaded.diagnostics.find((x) => x.code === 'sigma-regression/missing-info');
  t.equal(d?.severity, 'warning');
  t.equal(d?.file, 'rules/proc_creation_win_fixture_wmi_child.yml');
  t.equal(d?.line, 7);
  // the id in the info.yml still finds the rule
  t.equal(loaded.rules.find((r) => r.id === WMI_RULE)?.tests.length, 2);

  writeFileSync(ruleFile, original.replace(/regression_tests_path: .*/, `regression_tests_path: ${WHOAMI_INFO}`));
  loaded = await loadRules(['rules'], { root });
  d = loaded.diagnostics.find((x) => x.code === 'sigma-regression/id-mismatch');
  t.equal(d?.severity, 'error');
  t.match(d?.message, WHOAMI_RULE);
  t.same(loaded.failedFiles, ['rules/proc_creation_win_fixture_wmi_child.yml']);
});

t.test('a broken info.yml is reported and the other rules still get their tests', async (t) => {
  const root = scratchRepo(t);
  writeFileSync(path.join(root, WHOAMI_INFO), 'rule_metadata: [unclosed\n');
  const loaded = await loadRules(['rules'], { root });
  t.same(loaded.failedFiles, [WHOAMI_INFO]);
  t.equal(loaded.diagnostics.find((d) => d.file === WHOAMI_INFO)?.code, 'load/yaml-syntax');
  t.equal(loaded.rules.find((r) => r.id === WMI_RULE)?.tests.length, 2);
  t.equal(loaded.rules.find((r) => r.id === WHOAMI_RULE)?.tests.length, 0);
});

t.test('only the info files of the loaded rules are attached', async (t) => {
  const loaded = await loadRules(['rules/proc_creation_win_fixture_whoami.yml'], { root: FIXTURE });
  t.same(loaded.rules.map((r) => r.id), [WHOAMI_RULE]);
  t.same(loaded.diagnostics.map((d) => d.code), ['sigma-regression/unsupported-type']);
});
