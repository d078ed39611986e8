import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { compileQuery } from '../../src/engine/index.js';
import { normalizeWindowsRecord } from '../../src/events/normalize/index.js';
import { binderFor } from '../../src/events/views/index.js';
import { getField } from '../../src/events/fields.js';
import { openDataset } from '../../src/events/dataset.js';
import { lintRules } from '../../src/lint/index.js';
import { replayTests } from '../../src/replay/runner.js';
import { loadRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/model.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CAR = 'detections/car/analytics/CAR-2014-11-004.yaml';

t.test('one rule per executable implementation; pseudocode reported as not executable', async (t) => {
  const { rules, diagnostics, failedFiles } = await loadRules([CAR], { root });
  t.same(failedFiles, []);
  t.same(rules.map((r) => [r.name, r.implementation, r.query.language, r.query.fieldView, r.query.dialect]), [
    ['Remote PowerShell Sessions (EQL)', 'EQL', 'eql', 'endgame', 'endgame'],
    ['Remote PowerShell Sessions (LogPoint)', 'LogPoint', 'logpoint', 'logpoint', undefined],
  ]);
  t.match(diagnostics, [{ severity: 'info', code: 'load/not-executable', line: 35, message: /implementation 1 of CAR-2014-11-004 \(pseudocode\) is not executable/ }]);
  const eql = rules[0] as Rule;
  t.match(eql, { id: 'CAR-2014-11-004', version: null, format: 'mitre-car', created: '2014-11-19', license: 'Apache-2.0', author: ['MITRE'] });
  t.equal(eql.query.text, 'process where subtype.create and\n  (process_name == "wsmprovhost.exe" and parent_process_name == "svchost.exe")');
  t.same(eql.query.origin, { line: 38, column: 7 }, 'the code block scalar');
  t.same(
    eql.threat.map((m) => [m.tactic?.id, m.tactic?.name, m.technique?.id, m.subtechnique?.id, m.subtechnique?.name]),
    [
      ['TA0002', 'Execution', 'T1059', 'T1059.001', 'PowerShell'],
      ['TA0008', 'Lateral Movement', 'T1021', 'T1021.006', 'Windows Remote Management'],
    ],
  );
  t.ok(eql.tags.includes('Analytic Type: TTP'));
  t.equal(eql.tests.length, 6, 'the sidecar tests apply to every implementation');
  t.same((rules[1] as Rule).tests.map((x) => x.name), eql.tests.map((x) => x.name));
});

t.test('both implementations pass the same tests and detect the same processes', async (t) => {
  const { rules } = await loadRules([CAR], { root });
  const out = await replayTests(rules, { root, maxAlertsPerTest: 100 });
  for (const r of out.rules) t.same(r.tests.map((x) => x.status), ['pass', 'pass', 'pass', 'pass', 'pass', 'pass'], r.name);
  // Agreement on what was detected: every process creation one implementation reports, the other
  // reports too (same host and image, within two seconds: Sysmon and Security 4688 log one creation
  // with slightly different times, and old 4688 records carry no parent process id).
  type Hit = { who: string; at: number };
  const datasets = [...new Set((rules[0] as Rule).tests.map((x) => x.dataset))];
  const detected = async (rule: Rule) => {
    const c = compileQuery(rule.query.text, { language: rule.query.language, fieldView: rule.query.fieldView, ...(rule.query.dialect ? { dialect: rule.query.dialect } : {}) });
    if (!c.ok) throw new Error(JSON.stringify(c.errors));
    const out: Hit[][] = [];
    for (const ds of datasets) {
      const hits: Hit[] = [];
      const det = c.query.newDetector((a) =>
        a.events.forEach((e) => hits.push({ who: `${String(getField(e.doc, 'host.name'))}|${String(getField(e.doc, 'process.name')).toLowerCase()}`, at: e.timestamp })),
      );
      for await (const e of openDataset(path.join(root, ds), { root, onDiagnostic: () => {} })) det.push(e);
      det.finish();
      out.push(hits);
    }
    return out;
  };
  const covered = (a: Hit[], b: Hit[]) => a.every((x) => b.some((y) => y.who === x.who && Math.abs(y.at - x.at) <= 2000));
  const eql = await detected(rules[0] as Rule);
  const logpoint = await detected(rules[1] as Rule);
  datasets.forEach((ds, i) => {
    t.ok(covered(eql[i] as Hit[], logpoint[i] as Hit[]) && covered(logpoint[i] as Hit[], eql[i] as Hit[]), `agree on ${ds}`);
  });
  t.same(logpoint.map((h) => h.length), [1, 1, 1, 0, 0, 0], 'one remote session per attack capture (Sysmon)');
  t.same(eql.map((h) => h.length), [2, 2, 2, 0, 0, 0], 'EQL sees it in Sysmon and Security 4688');
});

t.test('the CAR data-model fields the analytic uses, in both views', async (t) => {
  // data_model_references: process/create/exe and process/create/parent_exe, plus the create action.
  const record = (eventId: number, data: Record<string, string>) =>
    normalizeWindowsRecord({ provider: 'Microsoft-Windows-Sysmon', eventId, channel: 'Microsoft-Windows-Sysmon/Operational', computer: 'HOST1.example.com', eventData: data });
  const create = record(1, { Image: 'C:\\Windows\\System32\\wsmprovhost.exe', ParentImage: 'C:\\Windows\\System32\\svchost.exe', ProcessId: '4' });
  const terminate = record(5, { Image: 'C:\\Windows\\System32\\wsmprovhost.exe', ProcessId: '4' });
  const read = (view: 'endgame' | 'logpoint', name: string, doc: Record<string, unknown>) => {
    const b = binderFor(view).bind(name);
    t.ok(b.known, `${view} knows ${name}`);
    return b.get ? b.get(doc) : getField(doc, b.path);
  };
  t.equal(read('endgame', 'process_name', create), 'wsmprovhost.exe', 'exe (endgame process_name)');
  t.equal(read('endgame', 'parent_process_name', create), 'svchost.exe', 'parent_exe (endgame parent_process_name)');
  t.equal(read('endgame', 'subtype.create', create), true, 'process/create');
  t.equal(read('endgame', 'subtype.create', terminate), false);
  t.equal(read('endgame', 'subtype', terminate), 'terminate');
  t.equal(read('logpoint', 'image', create), 'C:\\Windows\\System32\\wsmprovhost.exe', 'exe as a path (LogPoint image)');
  t.equal(read('logpoint', 'parent_image', create), 'C:\\Windows\\System32\\svchost.exe', 'parent_exe as a path (LogPoint parent_image)');
  t.equal(read('logpoint', 'norm_id', create), 'WindowsSysmon');
  t.equal(read('logpoint', 'event_id', create), '1');
  const c = compileQuery('process where subtype.create and process_name == "WSMPROVHOST.EXE"', { language: 'eql', fieldView: 'endgame', dialect: 'endgame' });
  t.ok(c.ok && c.query.explain(create)[0]?.matched, 'legacy == is case-insensitive');
  t.ok(c.ok && !c.query.explain(terminate)[0]?.matched);
});

t.test('implementations are not duplicates; a Splunk implementation runs; bad analytics fail with a location', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-car-'));
  writeFileSync(
    path.join(dir, 'CAR-2099-01-001.yaml'),
    [
      'title: Test Analytic',
      'id: CAR-2099-01-001',
      'coverage:',
      '  - technique: T1047',
      '    tactics: [TA0002]',
      'implementations:',
      '  - type: Splunk',
      '    code: index=__your_sysmon_index__ EventCode=1 ParentImage="*\\\\WmiPrvSE.exe"',
      '  - type: DNIF',
      '    code: _fetch * from event',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'CAR-2099-01-002.yaml'), 'title: Broken\nid: NOT-AN-ID\ncoverage: []\nimplementations: []\n');
  const { rules, diagnostics, failedFiles } = await loadRules([dir], { root: dir });
  t.same(rules.map((r) => [r.name, r.query.language]), [['Test Analytic (Splunk)', 'spl']]);
  t.same(failedFiles, ['CAR-2099-01-002.yaml']);
  t.match(diagnostics.filter((d) => d.severity === 'error'), [{ file: 'CAR-2099-01-002.yaml', line: 2, code: 'load/schema' }]);
  t.ok(diagnostics.some((d) => d.code === 'load/not-executable' && /DNIF/.test(d.message)));
  t.ok(compileQuery((rules[0] as Rule).query.text, { language: 'spl', fieldView: 'cim' }).ok);

  const both = await loadRules([CAR], { root });
  const lint = lintRules(both.rules, { attackVersion: '18.1', severities: {} });
  t.same(lint.filter((d) => d.code === 'rule/duplicate-id-version' || d.code === 'rule/values'), [], 'EQL and LogPoint share id and version without being duplicates');
});
