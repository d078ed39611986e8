/** `ruleproof new-test` and `ruleproof test --update` in scratch repositories. */
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { nativeRule, processEvents, ruleproof, tempRepo } from '../regress/helpers.js';
import { rewriteCount } from '../../src/cli/new-test.js';

const ID = '5cafe01d-0000-4000-8000-000000000001';

function repo(t: Parameters<typeof tempRepo>[0], ruleText?: string) {
  const r = tempRepo(t);
  r.write('datasets/cmd.ndjson', processEvents([{ name: 'cmd.exe', args: ['cmd.exe', '/c', 'a'] }, { name: 'cmd.exe', args: ['cmd.exe', '/c', 'b'] }, { name: 'notepad.exe' }]));
  r.write('datasets/benign.ndjson', processEvents([{ name: 'notepad.exe' }]));
  r.write('detections/cmd.yml', ruleText ?? `# a comment that must survive\n${nativeRule({ id: ID, version: 1, name: 'Cmd Rule', query: 'process where process.name : "cmd.exe"' })}`);
  return r;
}

t.test('new-test writes a fire test with the count and a distinguishing match, then a quiet one', async (t) => {
  const r = repo(t);
  const fire = await ruleproof(r.dir, 'new-test', '--rule', 'Cmd Rule', '--dataset', 'datasets/cmd.ndjson', '--name', 'fires on cmd');
  t.equal(fire.code, 0, fire.stderr);
  t.match(fire.stdout, /detections\/cmd\.yml \(Cmd Rule v1\): 2 alert\(s\) on datasets\/cmd\.ndjson/);
  t.match(fire.stdout, /\+\d+: tests:/);
  const text = readFileSync(path.join(r.dir, 'detections/cmd.yml'), 'utf8');
  t.match(text, /^# a comment that must survive\n/, 'the rest of the file is untouched');
  t.match(text, /tests:\n {2}- name: fires on cmd\n {4}dataset: datasets\/cmd\.ndjson\n {4}expect: fire\n {4}count: 2\n {4}match:\n {6}process\.name: cmd\.exe\n$/);

  const quiet = await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/benign.ndjson', '--reason', 'notepad only');
  t.equal(quiet.code, 0, quiet.stderr);
  const after = readFileSync(path.join(r.dir, 'detections/cmd.yml'), 'utf8');
  t.match(after, /count: 2\n {4}match:\n {6}process\.name: cmd\.exe\n {2}- name: benign\.ndjson\n {4}dataset: datasets\/benign\.ndjson\n {4}expect: quiet\n {4}reason: notepad only\n$/, 'appended to the same sequence');

  const test = await ruleproof(r.dir, 'test');
  t.equal(test.code, 0, 'the written tests pass as they are');
  t.match(test.stdout, /2 tests: 2 passed/);

  const dup = await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/benign.ndjson');
  t.equal(dup.code, 2);
  t.match(dup.stderr, /already has a test named "benign\.ndjson"; pass --name/);
});

t.test('new-test: dry run, CRLF files, unknown rule or dataset, Elastic TOML sidecar', async (t) => {
  const crlf = nativeRule({ id: ID, version: 1, name: 'Cmd Rule', query: 'process where process.name : "cmd.exe"' }).replace(/\n/g, '\r\n');
  const r = repo(t, crlf);
  const dry = await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/cmd.ndjson', '--dry-run');
  t.equal(dry.code, 0);
  t.match(dry.stdout, /dry run: nothing written/);
  t.equal(readFileSync(path.join(r.dir, 'detections/cmd.yml'), 'utf8'), crlf);
  await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/cmd.ndjson');
  const written = readFileSync(path.join(r.dir, 'detections/cmd.yml'), 'utf8');
  t.notMatch(written.replace(/\r\n/g, ''), /\n/, 'CRLF kept on every line');
  t.equal((await ruleproof(r.dir, 'test')).code, 0);

  t.equal((await ruleproof(r.dir, 'new-test', '--rule', 'nothing-like-it', '--dataset', 'datasets/cmd.ndjson')).code, 2);
  const missing = await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/nope.ndjson');
  t.equal(missing.code, 2);
  t.match(missing.stderr, /dataset datasets\/nope\.ndjson does not exist/);

  const TOML_ID = '5cafe01d-0000-4000-8000-000000000002';
  r.write(
    'detections/elastic.toml',
    `[metadata]\ncreation_date = "2024/01/01"\n\n[rule]\nauthor = ["x"]\ndescription = "d"\nlanguage = "eql"\nlicense = "Elastic License v2"\nname = "Toml Cmd"\nrisk_score = 21\nrule_id = "${TOML_ID}"\nseverity = "low"\ntype = "eql"\nquery = '''\nprocess where process.name : "notepad.exe"\n'''\n`,
  );
  const toml = await ruleproof(r.dir, 'new-test', '--rule', TOML_ID, '--dataset', 'datasets/benign.ndjson');
  t.equal(toml.code, 0, toml.stderr);
  const sidecar = path.join(r.dir, 'detections/elastic.tests.yml');
  t.ok(existsSync(sidecar), 'a sidecar beside the TOML rule');
  t.match(readFileSync(sidecar, 'utf8'), new RegExp(`^rule: ${TOML_ID}\ntests:\n  - name: benign\\.ndjson\n    dataset: datasets/benign\\.ndjson\n    expect: fire\n    count: 1\n`));
  t.equal((await ruleproof(r.dir, 'test', '--rule', TOML_ID)).code, 0);
});

t.test('test --update rewrites counts that changed, shows the diff, and leaves other failures', async (t) => {
  const r = repo(t);
  await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/cmd.ndjson', '--name', 'fires on cmd');
  await ruleproof(r.dir, 'new-test', '--rule', ID, '--dataset', 'datasets/benign.ndjson', '--reason', 'control');
  // The capture grows: three cmd.exe starts now, and the control gains one.
  r.write('datasets/cmd.ndjson', processEvents([{ name: 'cmd.exe' }, { name: 'cmd.exe' }, { name: 'cmd.exe' }]));
  const failing = await ruleproof(r.dir, 'test');
  t.equal(failing.code, 1);
  t.match(failing.stdout, /expected exactly 2 alert\(s\), got 3/);

  const update = await ruleproof(r.dir, 'test', '--update');
  t.equal(update.code, 0, 'every failure was a count, and it is rewritten');
  t.match(update.stdout, /Updated counts\ndetections\/cmd\.yml: Cmd Rule — "fires on cmd": expected exactly 2 alert\(s\), got 3\n-\d+: {5}count: 2\n\+\d+: {5}count: 3/);
  t.match(readFileSync(path.join(r.dir, 'detections/cmd.yml'), 'utf8'), /count: 3\n/);
  t.equal((await ruleproof(r.dir, 'test')).code, 0);

  r.write('datasets/benign.ndjson', processEvents([{ name: 'cmd.exe' }]));
  const quietBroken = await ruleproof(r.dir, 'test', '--update');
  t.equal(quietBroken.code, 1, 'a quiet test that fires is not a count to rewrite');
  t.match(quietBroken.stdout, /--update: no count to rewrite/);
});

t.test('rewriteCount: replaces a range or adds a count after expect', async (t) => {
  const text = 'tests:\n  - name: a\n    dataset: d\n    expect: fire\n    count:\n      min: 5\n      max: 9\n    match:\n      x: 1\n  - name: b\n    dataset: d\n    expect: fire\n';
  const ranged = rewriteCount(text, 0, 3);
  t.equal(ranged?.text, 'tests:\n  - name: a\n    dataset: d\n    expect: fire\n    count: 3\n    match:\n      x: 1\n  - name: b\n    dataset: d\n    expect: fire\n');
  t.same(ranged?.diff, ['-5:     count:', '-6:       min: 5', '-7:       max: 9', '+5:     count: 3']);
  const added = rewriteCount(text, 1, 4);
  t.match(added?.text, /- name: b\n {4}dataset: d\n {4}expect: fire\n {4}count: 4\n$/);
  t.equal(rewriteCount(text, 7, 1), undefined, 'no such test');
});
