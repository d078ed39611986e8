/**
 * Sigma loading: rule metadata into the model, sidecar tests, filters and correlations assembled
 * across files, multi-document files, CRLF, and load errors at their line.
 */
import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRules } from '../../src/rules/index.js';
import { loadSigmaText } from '../../src/rules/sigma.js';
import { VersionLocks } from '../../src/rules/lock.js';
import { compileSigma } from '../../src/engine/sigma/index.js';
import type { Rule } from '../../src/rules/model.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ruleproof-sigma-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

const RULE = `title: WmiPrvSE child process
id: 7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11
status: test
description: A process started by WmiPrvSE.exe.
references:
    - https://example.com/wmi
author: Alice, Bob
date: 2024-03-01
modified: 2024-04-02
tags:
    - attack.execution
    - attack.t1047
logsource:
    category: process_creation
    product: windows
detection:
    selection:
        ParentImage|endswith: '\\WmiPrvSE.exe'
    condition: selection
falsepositives:
    - SCCM client actions
level: high
`;

t.test('a Sigma rule loads into the model', async (t) => {
  const root = tree({
    'rules/wmi.yml': RULE,
    'rules/wmi.tests.yml': 'rule: 7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11\ntests:\n  - name: x\n    dataset: datasets/x.json\n    expect: fire\n',
  });
  const result = await loadRules(['rules'], { root });
  t.same(result.diagnostics, []);
  const rule = result.rules[0] as Rule;
  t.equal(rule.id, '7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11');
  t.equal(rule.name, 'WmiPrvSE child process');
  t.equal(rule.format, 'sigma');
  t.equal(rule.query.language, 'sigma');
  t.equal(rule.query.fieldView, 'sigma');
  t.equal(rule.severity, 'high');
  t.equal(rule.status, 'test');
  t.equal(rule.created, '2024-03-01');
  t.equal(rule.updated, '2024-04-02');
  t.same(rule.author, ['Alice', 'Bob']);
  t.same(rule.tags, ['attack.execution', 'attack.t1047']);
  t.same(rule.falsePositives, ['SCCM client actions']);
  t.same(rule.references, ['https://example.com/wmi']);
  t.equal(rule.tests.length, 1, 'the sidecar tests are attached');
  t.same(rule.source.positions.get('detection.selection'), { line: 17, column: 5 });
  t.equal(rule.query.text, RULE, 'the query text is the rule document');
  const compiled = compileSigma(rule.query.text, { language: 'sigma', fieldView: 'sigma' });
  t.ok(compiled.ok, 'and it compiles');
});

t.test('CRLF files load with the same positions', async (t) => {
  const root = tree({ 'r.yml': RULE.replace(/\n/g, '\r\n') });
  const result = await loadRules(['r.yml'], { root });
  t.same(result.diagnostics, []);
  const rule = result.rules[0] as Rule;
  t.same(rule.source.positions.get('level'), { line: 22, column: 1 });
  t.notOk(rule.query.text.includes('\r'));
});

t.test('load errors are located', async (t) => {
  const root = tree({
    'bad_status.yml': RULE.replace('status: test', 'status: production'),
    'bad_date.yml': RULE.replace('date: 2024-03-01', 'date: 2024/03/01'),
    'no_title.yml': RULE.replace('title: WmiPrvSE child process\n', ''),
    'bad_id.yml': RULE.replace('id: 7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11', 'id: not-a-uuid'),
    'no_condition.yml': RULE.replace('    condition: selection\n', ''),
    'good.yml': RULE.replace('7d2a5a57', '8d2a5a57'),
  });
  const result = await loadRules(['.'], { root });
  t.same(result.failedFiles, ['bad_date.yml', 'bad_id.yml', 'bad_status.yml', 'no_condition.yml', 'no_title.yml']);
  t.equal(result.rules.length, 1, 'the good file still loads');
  const at = (file: string) => result.diagnostics.find((d) => d.file === file);
  t.match(at('bad_status.yml'), { line: 3, code: 'load/schema', message: /unknown status "production"/ });
  t.match(at('bad_date.yml'), { line: 8, message: /YYYY-MM-DD/ });
  t.match(at('no_title.yml'), { message: /needs a title/ });
  t.match(at('bad_id.yml'), { line: 2, message: /not a UUID/ });
  t.match(at('no_condition.yml'), { message: /no condition/ });
});

t.test('a filter in another file applies to the rules it names', async (t) => {
  const root = tree({
    'rules/wmi.yml': RULE,
    'filters/sccm.yml': `title: Exclude SCCM
logsource:
    category: process_creation
    product: windows
filter:
    rules:
        - 7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11
    selection:
        Image|startswith: 'C:\\Windows\\CCM\\'
    condition: not selection
`,
  });
  const result = await loadRules(['rules', 'filters'], { root });
  t.same(result.diagnostics, []);
  t.equal(result.rules.length, 1, 'a filter is not a rule');
  const rule = result.rules[0] as Rule;
  t.match(rule.query.text, /---\ntitle: Exclude SCCM/);
  const c = compileSigma(rule.query.text, { language: 'sigma', fieldView: 'sigma' });
  if (!c.ok) throw new Error(JSON.stringify(c.errors));
  const alerts: unknown[] = [];
  const det = c.query.newDetector((a) => alerts.push(a));
  const ev = (image: string, i: number) => ({
    doc: { winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', event_data: { ParentImage: 'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe', Image: image } } },
    timestamp: i,
    key: `line:${i}`,
    dataset: 'x',
    ordinal: i,
  });
  det.push(ev('C:\\Windows\\CCM\\CcmExec.exe', 1));
  det.push(ev('C:\\Windows\\System32\\cmd.exe', 2));
  det.finish();
  t.equal(alerts.length, 1, 'the filtered event is dropped, the other still fires');
});

t.test('a correlation finds the rules it names, in the rule paths or beside it on disk', async (t) => {
  const corr = `title: Many WMI children
id: 1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
correlation:
    type: event_count
    rules:
        - 7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11
    group-by:
        - Computer
    timespan: 5m
    condition:
        gte: 2
level: high
`;
  const root = tree({ 'rules/wmi.yml': RULE, 'rules/corr/many.yml': corr });
  const all = await loadRules(['rules'], { root });
  t.same(all.diagnostics, []);
  const c1 = all.rules.find((r) => r.id.startsWith('1f0e')) as Rule;
  t.match(c1.query.text, /title: WmiPrvSE child process/, 'the referenced rule is appended');
  t.ok(compileSigma(c1.query.text, { language: 'sigma', fieldView: 'sigma' }).ok);

  const root2 = tree({ 'rules/wmi.yml': RULE, 'rules/many.yml': corr });
  const alone = await loadRules(['rules/many.yml'], { root: root2 });
  const c2 = alone.rules[0] as Rule;
  t.match(c2.query.text, /title: WmiPrvSE child process/, 'found on disk when not loaded');
});

t.test('multi-document text: a correlation and its rule in one file', async (t) => {
  const text = `${RULE}---\ntitle: Two in a row\nname: two_in_a_row\ncorrelation:\n    type: event_count\n    rules: [7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11]\n    timespan: 1m\n    condition: {gte: 2}\n`;
  const root = tree({ 'bundle.yml': text });
  const result = loadSigmaText(text, { root, file: 'bundle.yml', absPath: path.join(root, 'bundle.yml'), locks: new VersionLocks(root) });
  t.same(result.diagnostics, []);
  t.same(result.rules.map((r) => r.id), ['7d2a5a57-8c1e-4b8e-9d1e-0a4c8e3f7a11', 'two_in_a_row'], 'a correlation without id is known by its name');
  const corr = result.rules[1] as Rule;
  t.same(corr.query.origin, { line: 23, column: 1 }, 'the correlation document starts at its --- marker');
  t.match(corr.query.text, /^---\ntitle: Two in a row/);
  t.ok(compileSigma(corr.query.text, { language: 'sigma', fieldView: 'sigma' }).ok);
});
