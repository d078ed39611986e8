/** Sigma files with several YAML documents (a rule and the correlation that uses it) load as one file. */
import t from 'tap';
import { loadRules } from '../../src/rules/index.js';

const RULE = [
  'title: Whoami run by WmiPrvSE',
  'id: 0f6d2a1b-3c4e-4d5f-8a9b-1c2d3e4f5a6b',
  'name: whoami_from_wmi',
  'status: test',
  'level: medium',
  'logsource: {product: windows, category: process_creation}',
  'detection:',
  '  sel:',
  '    ParentImage|endswith: \\WmiPrvSE.exe',
  '    Image|endswith: \\whoami.exe',
  '  condition: sel',
].join('\n');

const CORRELATION = [
  'title: Many whoami runs through WMI',
  'id: 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  'status: test',
  'level: high',
  'correlation:',
  '  type: event_count',
  '  rules: [whoami_from_wmi]',
  '  group-by: [Computer]',
  '  timespan: 1m',
  '  condition: {gte: 3}',
].join('\n');

t.test('a rule and a correlation separated by --- load from one file', async (t) => {
  for (const eol of ['\n', '\r\n']) {
    const root = t.testdir({ 'detections': { 'multi.yml': (RULE + '\n---\n' + CORRELATION + '\n').replace(/\n/g, eol) } });
    const loaded = await loadRules(['detections'], { root });
    t.same(loaded.diagnostics.filter((d) => d.severity === 'error'), [], `no load errors (${JSON.stringify(eol)})`);
    t.same(loaded.rules.map((r) => r.id).sort(), ['0f6d2a1b-3c4e-4d5f-8a9b-1c2d3e4f5a6b', '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d']);
    t.ok(loaded.rules.every((r) => r.format === 'sigma' && r.source.file === 'detections/multi.yml'));
  }
});

t.test('a native rule file with a stray second document is still a located YAML error, not Sigma', async (t) => {
  const root = t.testdir({ 'detections': { 'native.yml': 'id: x\nname: y\n---\nid: z\n' } });
  const loaded = await loadRules(['detections'], { root });
  const err = loaded.diagnostics.find((d) => d.file === 'detections/native.yml');
  t.equal(err?.code, 'load/yaml-syntax');
  t.equal(err?.line, 3);
});
