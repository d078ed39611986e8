/** lintRules as a whole: the bundled content is clean, order is stable, configuration applies. */
import t from 'tap';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CHECKS, lintRules, type LintCheck } from '../../src/lint/index.js';
import { severityRiskBand } from '../../src/lint/checks/severity-risk-band.js';
import { loadRules } from '../../src/rules/index.js';
import { ContentError } from '../../src/util/diagnostics.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/rules');

t.test('the bundled detections load and lint with zero errors', async (t) => {
  const loaded = await loadRules(['detections'], { root: repoRoot });
  t.same(loaded.diagnostics.filter((d) => d.severity !== 'info'), [], 'no load errors or warnings (infos such as a CAR pseudocode note are fine)');
  t.same(loaded.failedFiles, []);
  t.ok(loaded.rules.length >= 5, 'current and historical versions');
  const findings = lintRules(loaded.rules, { attackVersion: '18.1', severities: {} });
  t.same(findings.filter((d) => d.severity === 'error'), [], 'no lint errors');
  const loadedIds = loaded.rules.map((r) => `${r.id}@${r.version}${r.historical ? ' (history)' : ''}`);
  t.same(
    loadedIds.filter((id) => id.startsWith('2772264c') || id.startsWith('f3475224')).sort(),
    [
      '2772264c-6fb9-4d9d-9014-b416eed21254@102 (history)',
      '2772264c-6fb9-4d9d-9014-b416eed21254@107 (history)',
      '2772264c-6fb9-4d9d-9014-b416eed21254@215',
      'f3475224-b179-4f78-8877-c2bd64c26b88@100 (history)',
      'f3475224-b179-4f78-8877-c2bd64c26b88@218',
    ],
  );
});

t.test('every built-in check has an id, a default severity and a description', async (t) => {
  const ids = BUILTIN_CHECKS.map((c) => c.id);
  t.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const check of BUILTIN_CHECKS) {
    t.match(check.id, /^[a-z]+\/[a-z0-9-]+$/, `${check.id}: id shape`);
    t.ok(['error', 'warning', 'info'].includes(check.defaultSeverity), `${check.id}: default severity`);
    t.ok(check.docs.description.length > 80, `${check.id}: a paragraph of docs`);
  }
});

t.test('findings come out in a stable order, whatever the order of the rules', async (t) => {
  const loaded = await loadRules(['valid'], { root: fixtures });
  // Break things so that several checks fire on several rules.
  const broken = loaded.rules.map((r) => ({ ...r, name: 'Same Name', severity: 'low', riskScore: 90 }));
  const forward = lintRules(broken, { attackVersion: '18.1', severities: {} });
  const backward = lintRules([...broken].reverse(), { attackVersion: '18.1', severities: {} });
  t.ok(forward.length >= 6, `several findings (${forward.length})`);
  t.same(backward, forward);
  const keys = forward.map((d) => `${d.file}:${String(d.line).padStart(5, '0')}:${String(d.column).padStart(5, '0')}:${d.code}`);
  t.same(keys, [...keys].sort(), 'sorted by file, line, column, code');
});

t.test('severities: overrides, off, and unknown check ids in the configuration', async (t) => {
  const loaded = await loadRules(['valid/native_rule.yml'], { root: fixtures });
  const rule = { ...loaded.rules[0]!, riskScore: 10 };
  const lint = (severities: Record<string, 'error' | 'warning' | 'info' | 'off'>) =>
    lintRules([rule], { attackVersion: '18.1', severities, checks: [severityRiskBand] }).map((d) => `${d.code} ${d.severity}`);
  t.same(lint({}), ['rule/severity-risk-band error']);
  t.same(lint({ 'rule/severity-risk-band': 'warning' }), ['rule/severity-risk-band warning']);
  t.same(lint({ 'rule/severity-risk-band': 'off' }), []);
  const typo = lintRules([rule], { attackVersion: '18.1', severities: { 'rule/severity-riskband': 'off' }, checks: [severityRiskBand] });
  t.equal(typo.length, 2);
  t.match(typo, [
    { file: 'ruleproof.config.yml', code: 'config/unknown-check', severity: 'warning', message: /"rule\/severity-riskband", which is not a lint check/, hint: /Did you mean "rule\/severity-risk-band"\?/ },
    { code: 'rule/severity-risk-band', severity: 'error' },
  ]);
  const all = lintRules([rule], { attackVersion: '18.1', severities: { 'rule/severity-risk-band': 'off' } });
  t.notOk(all.some((d) => d.code === 'rule/severity-risk-band'), 'off also applies with every built-in check');
  t.notOk(all.some((d) => d.code === 'config/unknown-check'), 'every built-in id is known');
});

t.test('an unknown ATT&CK version is a clear configuration error', async (t) => {
  t.throws(() => lintRules([], { attackVersion: '3.0', severities: {} }), ContentError);
  try {
    lintRules([], { attackVersion: '3.0', severities: {} });
  } catch (e) {
    t.match((e as ContentError).diagnostic, { code: 'config/attack-version', message: /"3\.0" is not bundled .*18\.1/ });
  }
});

t.test('a check that throws is reported and does not stop the others', async (t) => {
  const loaded = await loadRules(['valid/native_rule.yml'], { root: fixtures });
  const exploding: LintCheck = {
    id: 'test/exploding',
    defaultSeverity: 'warning',
    docs: { description: 'Throws.' },
    check() {
      throw new Error('boom');
    },
  };
  const counting: LintCheck = {
    id: 'test/counting',
    defaultSeverity: 'info',
    docs: { description: 'Reports every rule at its name.' },
    formats: ['native'],
    check: (rule) => [{ path: 'name', message: `saw ${rule.name}` }],
  };
  const findings = lintRules(loaded.rules, { attackVersion: '18.1', severities: {}, checks: [exploding, counting] });
  t.match(findings, [
    { file: 'valid/native_rule.yml', line: 1, code: 'lint/internal-error', severity: 'error', message: /check test\/exploding failed on this rule: boom/ },
    { file: 'valid/native_rule.yml', line: 4, column: 1, code: 'test/counting', severity: 'info', message: 'saw Suspicious Child of WmiPrvSE' },
  ]);
  const tomlOnly = await loadRules(['valid/elastic_rule.toml'], { root: fixtures });
  t.same(lintRules(tomlOnly.rules, { attackVersion: '18.1', severities: {}, checks: [counting] }), [], 'formats limit where a check runs');
});
