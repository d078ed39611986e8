import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { fixtureCoverage, repoRoot } from './helpers.js';
import { buildNavigatorLayer, NAVIGATOR_VERSION } from '../../src/coverage/navigator.js';

const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/coverage/navigator-layer-4.5.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);
const errorsOf = (value: unknown) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

t.test('the layer validates against the layer format 4.5 schema', async (t) => {
  const { coverage } = await fixtureCoverage();
  const layer = buildNavigatorLayer(coverage);
  t.same(errorsOf(layer), []);
  t.same(layer.versions, { attack: '18', navigator: NAVIGATOR_VERSION, layer: '4.5' });
  t.equal(layer.domain, 'enterprise-attack');
  t.ok(layer.gradient.maxValue > layer.gradient.minValue, 'the format requires maxValue > minValue');
  t.same(layer.metadata.find((m) => 'name' in m && m.name === 'ATT&CK version'), { name: 'ATT&CK version', value: '18.1' });
  t.same(layer.filters.platforms, coverage.attack.platforms, 'no technique hidden by the platform filter');
});

t.test('the schema is not vacuous: it rejects what the format forbids', async (t) => {
  const { coverage } = await fixtureCoverage();
  const good = buildNavigatorLayer(coverage);
  const { domain: _domain, ...noDomain } = good;
  t.not(errorsOf(noDomain).length, 0, 'domain is required');
  t.not(errorsOf({ ...good, versions: { ...good.versions, layer: '4.4' } }).length, 0, 'layer must be 4.5');
  t.not(errorsOf({ ...good, versions: { ...good.versions, navigator: '4.8.2' } }).length, 0, 'navigator at least 4.9.0');
  t.not(errorsOf({ ...good, domain: 'enterprise' }).length, 0, 'domain is one of three');
  t.not(errorsOf({ ...good, techniques: [{ techniqueID: 'T1047', scroe: 3 }] }).length, 0, 'unknown technique property');
  t.not(errorsOf({ ...good, techniques: [{ techniqueID: '1047' }] }).length, 0, 'technique id form');
  t.not(errorsOf({ ...good, gradient: { colors: ['#fff'], minValue: 0, maxValue: 1 } }).length, 0, 'at least two colours');
  t.not(errorsOf({ ...good, layout: { ...good.layout, expandedSubtechniques: 'some' } }).length, 0, 'layout enum');
  t.same(errorsOf([good, good]), [], 'a list of layers is a valid file too');
});

t.test('scores, tactics, comments and sub-technique display', async (t) => {
  const { coverage } = await fixtureCoverage();
  const layer = buildNavigatorLayer(coverage);
  const find = (id: string, tactic?: string) => layer.techniques.filter((x) => x.techniqueID === id && (tactic === undefined || x.tactic === tactic));

  const wmi = find('T1047');
  t.equal(wmi.length, 1, 'one entry: the tactic it was mapped under');
  t.equal(wmi[0]?.tactic, 'execution');
  t.equal(wmi[0]?.score, 100);
  t.match(wmi[0]?.comment, /^1 rule\(s\) mapped: 1 with a passing fire test, 0 failing, 0 without tests\.\n- Coverage Fixture WMI Child: tested, 2\/2 test\(s\) pass/);
  t.ok(wmi[0]?.metadata?.some((m) => 'name' in m && m.name === 'dataset'), 'datasets in the metadata');

  t.equal(find('T1021.006')[0]?.score, 0);
  t.match(find('T1021.006')[0]?.comment, /Coverage Fixture WinRM Failing: FAILING, 0\/1 test\(s\) pass/);
  t.equal(find('T1059.001')[0]?.score, 0);
  t.match(find('T1059.001')[0]?.comment, /no tests/);

  const parent = find('T1021', 'lateral-movement');
  t.same(parent, [{ techniqueID: 'T1021', tactic: 'lateral-movement', showSubtechniques: true }], 'the parent opens its annotated sub-techniques');
  t.equal(find('T1003').length, 0, 'a technique only a dataset declares is not annotated');
  t.equal(find('T9999').length, 0, 'an id ATT&CK does not have is left out');
  t.notOk(layer.techniques.some((x) => x.score !== undefined && (x.score < 0 || x.score > 100)));

  const keys = layer.techniques.map((x) => `${x.techniqueID}|${x.tactic ?? ''}`);
  t.equal(new Set(keys).size, keys.length, 'no duplicate annotation');
});

t.test('the layer is deterministic', async (t) => {
  const { coverage } = await fixtureCoverage();
  t.equal(JSON.stringify(buildNavigatorLayer(coverage)), JSON.stringify(buildNavigatorLayer(structuredClone(coverage))));
});
