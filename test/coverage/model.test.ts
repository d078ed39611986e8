import t from 'tap';
import { fixtureCoverage } from './helpers.js';
import { compareTechniqueIds, ruleCoverageStatus } from '../../src/coverage/model.js';
import { renderCoverageMarkdown } from '../../src/coverage/markdown.js';
import type { RuleResult } from '../../src/replay/types.js';

t.test('rule standing follows its test results', async (t) => {
  const { coverage } = await fixtureCoverage();
  const status = Object.fromEntries(coverage.rules.map((r) => [r.name, r.status]));
  t.same(status, {
    'Coverage Fixture DCOM Quiet Only': 'quiet-only',
    'Coverage Fixture PowerShell Untested': 'untested',
    'Coverage Fixture Unmapped': 'untested',
    'Coverage Fixture WMI Child': 'tested',
    'Coverage Fixture WinRM Failing': 'failing',
  });
  t.same(coverage.rules.map((r) => r.name), [...coverage.rules.map((r) => r.name)].sort(), 'rules sorted by name');
  const wmi = coverage.rules.find((r) => r.name === 'Coverage Fixture WMI Child');
  t.same(wmi?.platforms, ['Windows'], 'OS: tags give the platform');
  t.same(wmi?.mappings, [{ technique: 'T1047', tactic: 'execution' }]);
  t.equal(wmi?.tests.length, 2);
});

t.test('per technique: mapped, passing fire, failing, no tests, score and status', async (t) => {
  const { coverage } = await fixtureCoverage();
  const byId = new Map(coverage.techniques.map((e) => [e.id, e]));
  const t1047 = byId.get('T1047');
  t.equal(t1047?.status, 'tested');
  t.equal(t1047?.score, 100);
  t.same(t1047?.counts, { mapped: 1, passingFire: 1, failing: 0, noTests: 0, tested: 1 });
  t.same(t1047?.tactics, ['execution']);

  const winrm = byId.get('T1021.006');
  t.equal(winrm?.status, 'failing');
  t.equal(winrm?.score, 0);
  t.equal(winrm?.counts.failing, 1);
  t.equal(winrm?.parent, 'T1021');

  const ps = byId.get('T1059.001');
  t.equal(ps?.status, 'untested');
  t.equal(ps?.counts.noTests, 1);

  t.equal(byId.get('T1021.003')?.status, 'untested', 'a quiet-only rule does not make its technique tested');

  const parent = byId.get('T1021');
  t.equal(parent?.counts.mapped, 0, 'no rule maps the parent directly');
  t.equal(parent?.status, 'none');
  t.same(parent?.subtechniques, ['T1021.003', 'T1021.006']);
  t.same(parent?.rollup, { mapped: 2, passingFire: 0, failing: 1, noTests: 0, tested: 0 }, 'roll-up over its sub-techniques');

  const unknown = byId.get('T9999');
  t.equal(unknown?.unknown, true);
  t.equal(unknown?.name, 'Made Up Technique', 'the name as written');
  t.same(unknown?.tactics, ['lateral-movement'], 'the tactic it was mapped under');

  const declared = byId.get('T1003.001');
  t.equal(declared?.status, 'none', 'a technique only a dataset declares');
  t.same(declared?.datasets, [{ path: 'datasets/example/only-declared.json', expects: [], declared: true }]);
  t.ok(byId.get('T1003')?.subtechniques.includes('T1003.001'));

  t.same(
    coverage.techniques.map((e) => e.id),
    [...coverage.techniques.map((e) => e.id)].sort(compareTechniqueIds),
    'techniques in numeric id order',
  );
});

t.test('datasets exercising a technique come from the tests of its rules', async (t) => {
  const { coverage } = await fixtureCoverage();
  const t1047 = coverage.techniques.find((e) => e.id === 'T1047');
  t.same(t1047?.datasets, [
    { path: 'datasets/otrf-security-datasets/empire_psremoting_stager_2020-09-20170827.json', expects: ['quiet'], declared: false },
    { path: 'datasets/otrf-security-datasets/empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437.json', expects: ['fire'], declared: false },
  ]);
});

t.test('tactic roll-up and totals', async (t) => {
  const { coverage } = await fixtureCoverage();
  const lm = coverage.tactics.find((x) => x.shortname === 'lateral-movement');
  t.equal(lm?.mappedTechniques, 3, 'T1021.003, T1021.006 and the unknown T9999');
  t.equal(lm?.testedTechniques, 0);
  t.equal(lm?.rules, 2);
  t.ok((lm?.catalogueTechniques ?? 0) > 20, 'the catalogue count of the tactic');
  const exec = coverage.tactics.find((x) => x.shortname === 'execution');
  t.equal(exec?.mappedTechniques, 2);
  t.equal(exec?.testedTechniques, 1);
  t.same(coverage.summary, {
    rules: 5,
    rulesTested: 1,
    rulesFailing: 1,
    rulesUntested: 2,
    rulesQuietOnly: 1,
    rulesUnmapped: 1,
    techniquesMapped: 5,
    techniquesTested: 1,
    techniquesFailing: 1,
    catalogueTechniques: coverage.summary.catalogueTechniques,
  });
  t.equal(coverage.exitCode, 1, 'the failing test carries into the exit code');
  t.equal(coverage.attack.version, '18.1');
  t.ok(coverage.attack.platforms.includes('Windows'));
});

t.test('historical versions are left out', async (t) => {
  const { rules, test } = await fixtureCoverage();
  const { buildCoverage } = await import('../../src/coverage/model.js');
  const { loadAttackCatalogue } = await import('../../src/lint/attack/catalogue.js');
  const asHistory = rules.map((r) => (r.name === 'Coverage Fixture WMI Child' ? { ...r, historical: true } : r));
  const coverage = buildCoverage(asHistory, test, loadAttackCatalogue('18.1'));
  t.notOk(coverage.rules.some((r) => r.name === 'Coverage Fixture WMI Child'));
  t.notOk(coverage.techniques.some((e) => e.id === 'T1047'));
});

t.test('ruleCoverageStatus: a rule that cannot run is failing even without tests', async (t) => {
  const base = { id: 'x', version: 1, name: 'x', file: 'x', format: 'native', language: 'eql', fieldView: 'ecs', historical: false } as const;
  t.equal(ruleCoverageStatus({ ...base, status: 'unsupported', tests: [] } as RuleResult), 'failing');
  t.equal(ruleCoverageStatus({ ...base, status: 'untested', tests: [] } as RuleResult), 'untested');
  t.equal(ruleCoverageStatus(undefined), 'untested');
});

t.test('Markdown: summary, tactic table, technique rows and the rules needing attention', async (t) => {
  const { coverage } = await fixtureCoverage();
  const md = renderCoverageMarkdown(coverage);
  t.match(md, /^## ATT&CK coverage \(Enterprise 18\.1\)/);
  t.match(md, /\*\*1 of 5\*\* mapped technique\(s\) tested, \*\*1 with failing rules\*\*/);
  t.match(md, /\| Lateral Movement \(TA0008\) \| 3 of \d+ \| 0 \| 2 \|/);
  t.match(md, /\| ✅ \| T1047 Windows Management Instrumentation \| execution \| 1\/1 \| 0 \| 0 \| `empire_wmi_dcerpc_wmi_IWbemServices_ExecMethod_2020-09-21001437\.json` \|/);
  t.match(md, /\| ❌ \| T1021 Remote Services \(via sub-techniques\) \| lateral-movement \| 0\/2 \| 1 \| 0 \| – \|/);
  t.match(md, /T9999 Made Up Technique \(not in the catalogue\)/);
  t.match(md, /❌ \*\*Coverage Fixture WinRM Failing\*\* v4 `test\/fixtures\/coverage\/rules\/winrm_wrong\.yml`: should fire but cannot: expected the rule to fire, got no alert/);
  t.match(md, /Rules without a technique: Coverage Fixture Unmapped/);
  // A pipe in a name must not break the table.
  const piped = { ...coverage, techniques: coverage.techniques.map((e) => (e.id === 'T1047' ? { ...e, name: 'A | B' } : e)) };
  t.match(renderCoverageMarkdown(piped), /T1047 A \\\| B/);
});
