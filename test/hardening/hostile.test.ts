/**
 * Hostile content: each limit holds with a clear diagnostic, and the rest of the run goes on —
 * YAML alias bombs and deep nesting, `__proto__`/`constructor` keys in rules and events, dataset
 * paths that leave the repository (`../`, absolute, a symbolic link out), and enormous lines.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadRules } from '../../src/rules/index.js';
import { parseYamlSource } from '../../src/rules/yaml-source.js';
import { replayTests } from '../../src/replay/runner.js';
import { datasetPathProblem } from '../../src/replay/dataset-path.js';
import { openDataset } from '../../src/events/dataset.js';

const base = mkdtempSync(path.join(os.tmpdir(), 'ruleproof-hostile-'));
t.teardown(() => rmSync(base, { recursive: true, force: true }));
const root = path.join(base, 'repo');
mkdirSync(path.join(root, 'detections'), { recursive: true });
mkdirSync(path.join(root, 'datasets'), { recursive: true });

const EVENT = JSON.stringify({ '@timestamp': '2024-01-01T00:00:00Z', event: { category: ['process'] }, process: { name: 'evil.exe' } });
writeFileSync(path.join(root, 'datasets', 'good.ndjson'), EVENT + '\n');
writeFileSync(path.join(base, 'outside.ndjson'), EVENT + '\n');
symlinkSync(path.join(base, 'outside.ndjson'), path.join(root, 'datasets', 'link-out.ndjson'));
symlinkSync(path.join(root, 'datasets', 'good.ndjson'), path.join(root, 'datasets', 'link-in.ndjson'));

function rule(name: string, id: number, tests: string[], extra = ''): string {
  return (
    `id: 00000000-0000-4000-8000-00000000000${id}\nversion: 1\nname: ${name}\ndescription: x\nauthor: [t]\nlicense: MIT\nseverity: low\nrisk_score: 1\n${extra}` +
    `query:\n  language: eql\n  field_view: ecs\n  text: 'process where process.name == "evil.exe"'\n` +
    `tests:\n${tests.map((d, i) => `  - name: t${i}\n    dataset: ${d}\n    expect: fire\n`).join('')}`
  );
}

const laughs =
  'lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' +
  Array.from({ length: 9 }, (_, i) => {
    const prev = String.fromCharCode(97 + i);
    return `l${i}: &${String.fromCharCode(98 + i)} [${Array(9).fill('*' + prev).join(',')}]`;
  }).join('\n') +
  '\n';

writeFileSync(path.join(root, 'detections', 'good.yml'), rule('good rule', 1, ['datasets/good.ndjson', 'datasets/link-in.ndjson']));
writeFileSync(path.join(root, 'detections', 'escape.yml'), rule('escaping rule', 2, ['../outside.ndjson', path.join(base, 'outside.ndjson'), 'datasets/link-out.ndjson', 'datasets/good.ndjson']));
writeFileSync(path.join(root, 'detections', 'bomb.yml'), laughs + rule('bomb rule', 3, ['datasets/good.ndjson']));
writeFileSync(path.join(root, 'detections', 'deep.yml'), 'x: ' + '['.repeat(200) + ']'.repeat(200) + '\n' + rule('deep rule', 4, ['datasets/good.ndjson']));
writeFileSync(
  path.join(root, 'detections', 'proto.yml'),
  rule('proto rule', 5, ['datasets/good.ndjson'], '__proto__:\n  polluted: yes\nconstructor:\n  prototype:\n    polluted2: yes\n'),
);

t.test('YAML: alias bombs and deep nesting are refused; the other rules load', async (t) => {
  const bomb = parseYamlSource(laughs, 'bomb.yml');
  t.equal(bomb.ok, false);
  if (!bomb.ok) {
    t.equal(bomb.diagnostics[0]?.code, 'load/yaml-limit');
    t.match(bomb.diagnostics[0]?.message, /aliases expand too much/);
  }
  const deep = parseYamlSource('a: ' + '['.repeat(100) + ']'.repeat(100), 'deep.yml');
  t.equal(deep.ok, false);
  if (!deep.ok) t.match(deep.diagnostics[0]?.message, /nested deeper than 64 levels/);
  const overflow = parseYamlSource('a: ' + '['.repeat(20_000) + ']'.repeat(20_000), 'deeper.yml');
  t.equal(overflow.ok, false, 'even nesting deep enough to overflow the parser is a diagnostic');
  if (!overflow.ok) t.match(overflow.diagnostics[0]?.message, /nested|invalid YAML/);

  const loaded = await loadRules(['detections'], { root });
  const names = loaded.rules.map((r) => r.name).sort();
  t.ok(names.includes('good rule') && names.includes('escaping rule'), `the other rules load (${names.join(', ')})`);
  t.notOk(names.includes('bomb rule'));
  t.notOk(names.includes('deep rule'));
  const codes = loaded.diagnostics.map((d) => `${d.file}:${d.code}`);
  t.ok(codes.includes('detections/bomb.yml:load/yaml-limit'), codes.join(' '));
  t.ok(codes.includes('detections/deep.yml:load/yaml-limit'), codes.join(' '));
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'a __proto__ key in a rule pollutes nothing');
  t.equal(({} as Record<string, unknown>).polluted2, undefined);
});

t.test('dataset paths that leave the repository are refused; the run goes on', async (t) => {
  t.match(datasetPathProblem(root, '../outside.ndjson'), /leaves the repository/);
  t.match(datasetPathProblem(root, 'datasets/../../outside.ndjson'), /leaves the repository/);
  t.match(datasetPathProblem(root, '..\\outside.ndjson'), /leaves the repository/);
  t.match(datasetPathProblem(root, '/etc/passwd'), /absolute/);
  t.match(datasetPathProblem(root, 'C:\\Windows\\win.ini'), /absolute/);
  t.match(datasetPathProblem(root, 'datasets/link-out.ndjson'), /symbolic link/);
  t.equal(datasetPathProblem(root, 'datasets/link-in.ndjson'), undefined, 'a link that stays inside is fine');
  t.equal(datasetPathProblem(root, 'datasets/good.ndjson'), undefined);

  const loaded = await loadRules(['detections'], { root });
  const outcome = await replayTests(loaded.rules, { root });
  const escaping = outcome.rules.find((r) => r.name === 'escaping rule');
  t.same(
    escaping?.tests.map((x) => x.status),
    ['error', 'error', 'error', 'pass'],
    'each escaping test is an error, the good one still passes',
  );
  const refused = outcome.diagnostics.filter((d) => d.code === 'dataset/outside-repository');
  t.equal(refused.length, 3);
  t.ok(refused.every((d) => d.file === 'detections/escape.yml' && d.line > 0), 'reported at the test');
  t.equal(outcome.rules.find((r) => r.name === 'good rule')?.status, 'pass');
  const proto = loaded.diagnostics.filter((d) => d.file === 'detections/proto.yml');
  t.ok(
    outcome.rules.find((r) => r.name === 'proto rule')?.status === 'pass' || proto.some((d) => d.severity === 'error' && d.line > 0),
    `a rule with __proto__/constructor keys loads, or is refused with a located error (${proto.map((d) => d.message).join('; ')})`,
  );
});

t.test('__proto__ and constructor keys in events are ordinary fields', async (t) => {
  const file = path.join(root, 'datasets', 'proto.ndjson');
  writeFileSync(
    file,
    '{"@timestamp":"2024-01-01T00:00:00Z","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted2":"yes"}},"process":{"name":"a"}}\n' + EVENT + '\n',
  );
  const events = [];
  for await (const e of openDataset(file, { root, onDiagnostic: () => {} })) events.push(e);
  t.equal(events.length, 2);
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal(({} as Record<string, unknown>).polluted2, undefined);
});

t.test('an enormous line is skipped with a warning, bounded in memory, and the next lines are read', async (t) => {
  const file = path.join(root, 'datasets', 'huge.ndjson');
  const huge = '{"x":"' + 'a'.repeat(3_000_000) + '"}';
  writeFileSync(file, EVENT + '\n' + huge + '\n' + EVENT + '\n');
  const saved = process.env.RULEPROOF_MAX_LINE_BYTES;
  process.env.RULEPROOF_MAX_LINE_BYTES = String(1 << 20);
  t.teardown(() => {
    if (saved === undefined) delete process.env.RULEPROOF_MAX_LINE_BYTES;
    else process.env.RULEPROOF_MAX_LINE_BYTES = saved;
  });
  const warnings: string[] = [];
  const keys: string[] = [];
  for await (const e of openDataset(file, { root, onDiagnostic: (d) => warnings.push(`${d.line}:${d.code}:${d.message}`) })) keys.push(e.key);
  t.same(keys, ['line:1', 'line:3']);
  t.equal(warnings.length, 1);
  t.match(warnings[0], /^2:dataset\/line-too-long:line 2 is 3000008 bytes long/);
});

t.test('OTRF and JSON-array datasets bound their lines and elements the same way', async (t) => {
  const saved = process.env.RULEPROOF_MAX_LINE_BYTES;
  process.env.RULEPROOF_MAX_LINE_BYTES = String(1 << 20);
  t.teardown(() => {
    if (saved === undefined) delete process.env.RULEPROOF_MAX_LINE_BYTES;
    else process.env.RULEPROOF_MAX_LINE_BYTES = saved;
  });
  const samples = JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/events/otrf-samples.json'), 'utf8')) as Record<string, { raw: string }>;
  const otrfLine = (samples.eid1_wsmprovhost as { raw: string }).raw;
  const hugeOtrf = otrfLine.replace('"EventID"', `"Padding":"${'p'.repeat(3_000_000)}","EventID"`);
  const otrf = path.join(root, 'datasets', 'huge-otrf.json');
  writeFileSync(otrf, `${otrfLine}\n${hugeOtrf}\n${otrfLine}\n`);
  const otrfWarnings: string[] = [];
  const otrfKeys: string[] = [];
  for await (const e of openDataset(otrf, { root, onDiagnostic: (d) => otrfWarnings.push(`${d.line}:${d.code}:${d.message}`) })) otrfKeys.push(e.key);
  t.same(otrfKeys, ['line:1', 'line:3'], 'OTRF: the lines around the enormous one are read');
  t.match(otrfWarnings.filter((w) => w.includes('line-too-long')), [/^2:dataset\/line-too-long:line 2 is 30\d{5} bytes long/]);

  const array = path.join(root, 'datasets', 'huge-array.json');
  const huge = '{"x":"' + 'a'.repeat(3_000_000) + '"}';
  writeFileSync(array, `[\n${EVENT},\n${huge},\n${EVENT}\n]\n`);
  const arrayWarnings: string[] = [];
  const arrayKeys: string[] = [];
  for await (const e of openDataset(array, { root, onDiagnostic: (d) => arrayWarnings.push(`${d.line}:${d.code}:${d.message}`) })) arrayKeys.push(e.key);
  t.same(arrayKeys, ['line:2', 'line:4'], 'JSON array: the elements around the enormous one are read');
  t.same(arrayWarnings, [`3:dataset/line-too-long:the array element starting at line 3 is longer than the limit of ${1 << 20} bytes; skipped`]);
});
