import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findRoot, loadConfig } from '../../src/cli/config.js';
import { ContentError } from '../../src/util/diagnostics.js';

t.test('no config file: defaults', async (t) => {
  const dir = t.testdir({});
  const c = loadConfig(dir);
  t.same(c.rules, ['detections']);
  t.same(c.datasets, ['datasets']);
  t.equal(c.attackVersion, '18.1');
});

t.test('config file options are read', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [rules, more]\ndatasets: data\nattack_version: 19.2\nchecks:\n  attack/technique-name: warning\n' });
  const c = loadConfig(dir);
  t.same(c.rules, ['rules', 'more']);
  t.same(c.datasets, ['data']);
  t.equal(c.attackVersion, '19.2');
  t.same(c.checks, { 'attack/technique-name': 'warning' });
});

t.test('an ATT&CK version that is not bundled is an error at its line', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [x]\nattack_version: 17.1\n' });
  const e = t.throws(() => loadConfig(dir));
  t.ok(e instanceof ContentError);
  t.match((e as ContentError).diagnostic, {
    file: 'ruleproof.config.yml',
    line: 2,
    column: 17,
    code: 'config/attack-version',
    message: 'ATT&CK version "17.1" is not bundled with ruleproof (bundled: 18.1, 19.2)',
  });
  t.equal(loadConfig(t.testdir({ 'ruleproof.config.yml': 'attack_version: v19\n' })).attackVersion, 'v19', 'a major version or a v prefix names a bundled release');
});

t.test('an unknown option is an error at its line', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [x]\nrulez: [y]\n' });
  try {
    loadConfig(dir);
    t.fail('should throw');
  } catch (e) {
    t.ok(e instanceof ContentError);
    const d = (e as ContentError).diagnostic;
    t.equal(d.line, 2);
    t.match(d.message, /unknown option "rulez"/);
    t.match(d.hint, /Known options/);
  }
});

t.test('malformed YAML and bad severities are errors', async (t) => {
  const bad = t.testdir({ 'ruleproof.config.yml': 'rules: [x\n' });
  t.throws(() => loadConfig(bad), ContentError);
  const sev = t.testdir({ 'ruleproof.config.yml': 'checks:\n  a/b: loud\n' });
  t.throws(() => loadConfig(sev), { message: /severity "loud"/ });
});

t.test('findRoot walks up to the config file', async (t) => {
  const dir = t.testdir({ 'ruleproof.config.yml': 'rules: [x]\n' });
  const deep = path.join(dir, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(deep, 'f.txt'), '');
  t.equal(findRoot(deep), dir);
});
