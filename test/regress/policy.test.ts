/** The version policy both ways, the behaviour/metadata split, the content hash and ruleproof.lock.json. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRules } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/model.js';
import { behaviourHash, canonicalJson, normalizeQueryText } from '../../src/regress/fields.js';
import { compareRule } from '../../src/regress/compare.js';
import { rematch } from '../../src/regress/replay.js';
import { nativeRule, ruleproof, tempRepo } from './helpers.js';

const ID = '12345678-0000-4000-8000-000000000001';

async function ruleFrom(t: Parameters<typeof tempRepo>[0], yaml: string, file = 'detections/r.yml'): Promise<Rule> {
  const repo = tempRepo(t);
  repo.write(file, yaml);
  const loaded = await loadRules(['detections'], { root: repo.dir });
  t.same(loaded.diagnostics, [], 'the rule loads');
  return loaded.rules[0] as Rule;
}

const base = { id: ID, version: 5, name: 'Policy Rule', description: 'words', severity: 'low', query: 'process where process.name : "a.exe"' };

t.test('normalizeQueryText: comments and layout are not behaviour, string contents are', async (t) => {
  t.equal(normalizeQueryText('process  where\n  /* note */ x == "a  b" // trailing\n and y'), 'process where x == "a  b" and y');
  t.equal(normalizeQueryText("a : 'x /* not a comment */'"), "a : 'x /* not a comment */'");
  t.equal(normalizeQueryText('a == """multi\n  line"""'), 'a == """multi\n  line"""');
  t.not(normalizeQueryText('a == "x"'), normalizeQueryText('a == "X"'));
  t.equal(canonicalJson({ b: 1, a: [2, { d: null, c: 'x' }] }), '{"a":[2,{"c":"x","d":null}],"b":1}');
});

t.test('metadata-only changes need no bump and keep the hash', async (t) => {
  const old = await ruleFrom(t, nativeRule(base));
  const neu = await ruleFrom(t, nativeRule({ ...base, name: 'Policy Rule Renamed', description: 'better words', query: 'process where\n  process.name : "a.exe"  /* reformatted */' }));
  const pair = compareRule(old, neu);
  t.same(pair.behaviourChanges, []);
  t.same(pair.metadataChanges.map((f) => f.field), ['description', 'name']);
  t.equal(pair.version.verdict, 'ok');
  t.equal(pair.change, 'changed');
  t.equal(behaviourHash(old), behaviourHash(neu));
});

t.test('behaviour changes need a bump: query, severity', async (t) => {
  const old = await ruleFrom(t, nativeRule(base));
  const query = await ruleFrom(t, nativeRule({ ...base, query: 'process where process.name : "b.exe"' }));
  const q = compareRule(old, query);
  t.same(q.behaviourChanges, [{ field: 'query', old: 'process where process.name : "a.exe"', new: 'process where process.name : "b.exe"' }]);
  t.equal(q.version.verdict, 'bump-required');
  t.not(behaviourHash(old), behaviourHash(query));

  const severity = compareRule(old, await ruleFrom(t, nativeRule({ ...base, severity: 'high' })));
  t.same(severity.behaviourChanges.map((f) => f.field), ['severity'], 'what alerts carry is behaviour');
  t.equal(severity.version.verdict, 'bump-required');

  const bumped = compareRule(old, await ruleFrom(t, nativeRule({ ...base, version: 6, query: 'process where process.name : "b.exe"' })));
  t.equal(bumped.version.verdict, 'ok');
  t.match(bumped.version.message, /5 → 6/);

  const down = compareRule(old, await ruleFrom(t, nativeRule({ ...base, version: 4 })));
  t.equal(down.version.verdict, 'version-decreased');

  const unversioned = { ...base } as Partial<typeof base>;
  delete unversioned.version;
  const none = compareRule(old, await ruleFrom(t, nativeRule({ ...(unversioned as typeof base), query: 'process where true' })));
  t.equal(none.version.verdict, 'bump-required');
  t.match(none.version.message, /no version to compare/);
});

t.test('Elastic TOML: [rule] keys that change behaviour are named; note and tags are metadata', async (t) => {
  const toml = (index: string, note: string) => `[metadata]
creation_date = "2024/01/01"

[rule]
author = ["x"]
description = "d"
index = [${index}]
language = "eql"
license = "Elastic License v2"
name = "Toml Rule"
note = "${note}"
risk_score = 21
rule_id = "${ID}"
severity = "low"
type = "eql"
query = '''
process where process.name : "a.exe"
'''
`;
  const repo = tempRepo(t);
  repo.write('detections/etc/version.lock.json', JSON.stringify({ [ID]: { rule_name: 'Toml Rule', sha256: 'x', type: 'eql', version: 7 } }));
  repo.write('old/r.toml', toml('"logs-a-*"', 'n1'));
  repo.write('new/r.toml', toml('"logs-a-*", "logs-b-*"', 'n2'));
  repo.write('meta/r.toml', toml('"logs-a-*"', 'n2'));
  const [old] = (await loadRules(['old'], { root: repo.dir })).rules;
  const [neu] = (await loadRules(['new'], { root: repo.dir })).rules;
  const [meta] = (await loadRules(['meta'], { root: repo.dir })).rules;
  const index = compareRule(old, neu);
  t.same(index.behaviourChanges.map((f) => f.field), ['extra.index']);
  t.equal(index.version.verdict, 'bump-required');
  const note = compareRule(old, meta);
  t.same(note.behaviourChanges, [], 'the investigation note is metadata');
});

t.test('rematch pairs lost and gained alerts that end on the same event', async (t) => {
  const alert = (id: string, keys: string[]) => ({ id, timestamp: 't', events: keys.map((key) => ({ key, timestamp: 't', fields: {} })) });
  const r = rematch([alert('n1', ['line:1', 'line:9']), alert('n2', ['line:5'])], [alert('o1', ['line:2', 'line:9']), alert('o2', ['line:7'])]);
  t.same(r.rematched.map((m) => [m.old.id, m.new.id]), [['o1', 'n1']]);
  t.same(r.gained.map((a) => a.id), ['n2']);
  t.same(r.lost.map((a) => a.id), ['o2']);
});

t.test('ruleproof lock: check, update, bump-required both ways', async (t) => {
  const repo = tempRepo(t);
  const OWN = '99999999-0000-4000-8000-000000000009';
  repo.write('detections/versioned.yml', nativeRule(base));
  repo.write('detections/unversioned.yml', nativeRule({ id: OWN, name: 'Lock Owned', query: 'process where process.name : "c.exe"' }));
  const lockFile = path.join(repo.dir, 'ruleproof.lock.json');

  const first = await ruleproof(repo.dir, 'lock');
  t.equal(first.code, 1, 'nothing locked yet');
  t.match(first.stdout, /Policy Rule \(12345678-0000-4000-8000-000000000001\) detections\/versioned\.yml: not in ruleproof\.lock\.json/);

  const update = await ruleproof(repo.dir, 'lock', '--update');
  t.equal(update.code, 0, update.stdout);
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  t.same(Object.keys(lock.rules), [ID, OWN].sort(), 'sorted by id');
  t.equal(lock.rules[ID].version, 5);
  t.equal(lock.rules[OWN].version, 1, 'a rule without a version starts at 1');
  t.match(lock.rules[ID].sha256, /^[0-9a-f]{64}$/);
  t.equal((await ruleproof(repo.dir, 'lock')).code, 0, 'in step now');
  const loaded = await loadRules(['detections'], { root: repo.dir });
  t.equal(loaded.rules.find((r) => r.id === OWN)?.version, 1, 'the loader reads the version the lock gives');

  // Metadata only: the lock stays valid.
  repo.write('detections/versioned.yml', nativeRule({ ...base, description: 'reworded' }));
  t.equal((await ruleproof(repo.dir, 'lock')).code, 0, 'a metadata change keeps the hash');

  // Behaviour change without a bump, in a rule that states its version: only the author can fix it.
  repo.write('detections/versioned.yml', nativeRule({ ...base, query: 'process where process.name : "z.exe"' }));
  const stale = await ruleproof(repo.dir, 'lock', '--format', 'json');
  t.equal(stale.code, 1);
  t.same(JSON.parse(stale.stdout).findings.map((f: { kind: string; fixable: boolean }) => [f.kind, f.fixable]), [['bump-required', false]]);
  const refused = await ruleproof(repo.dir, 'lock', '--update');
  t.equal(refused.code, 1);
  t.match(refused.stdout, /increase the version in detections\/versioned\.yml/);
  t.equal(JSON.parse(readFileSync(lockFile, 'utf8')).rules[ID].version, 5, 'not recorded');

  // With the bump, the update records it.
  repo.write('detections/versioned.yml', nativeRule({ ...base, version: 6, query: 'process where process.name : "z.exe"' }));
  t.match((await ruleproof(repo.dir, 'lock')).stdout, /locked at 5, now 6 with a behaviour change: the lock is out of date/);
  t.equal((await ruleproof(repo.dir, 'lock', '--update')).code, 0);
  t.equal(JSON.parse(readFileSync(lockFile, 'utf8')).rules[ID].version, 6);

  // A rule whose version the lock owns is bumped by the update, as Elastic's tooling does.
  repo.write('detections/unversioned.yml', nativeRule({ id: OWN, name: 'Lock Owned', query: 'process where process.name : "d.exe"' }));
  const owned = await ruleproof(repo.dir, 'lock', '--update');
  t.equal(owned.code, 0, owned.stdout);
  t.match(owned.stdout, /bumped: behaviour changed since it was locked at version 1/);
  t.equal(JSON.parse(readFileSync(lockFile, 'utf8')).rules[OWN].version, 2);
  t.equal((await loadRules(['detections'], { root: repo.dir })).rules.find((r) => r.id === OWN)?.version, 2);

  // A deleted rule: reported, dropped by the update, not a failure of the check.
  repo.remove('detections/unversioned.yml');
  const removed = await ruleproof(repo.dir, 'lock');
  t.equal(removed.code, 0);
  t.match(removed.stdout, /locked, but no current rule has this id/);
  await ruleproof(repo.dir, 'lock', '--update');
  t.same(Object.keys(JSON.parse(readFileSync(lockFile, 'utf8')).rules), [ID]);
});
