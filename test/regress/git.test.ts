/** `regress --base` in a temporary git repository: added, changed, renamed and deleted rules by id. */
import t from 'tap';
import { regressSinceRef } from '../../src/regress/index.js';
import { nativeRule, processEvents, ruleproof, tempRepo, type Repo } from './helpers.js';
import { changedFiles, materializeTree } from '../../src/regress/git.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const A = 'aaaaaaaa-0000-4000-8000-000000000001';
const B = 'bbbbbbbb-0000-4000-8000-000000000002';
const C = 'cccccccc-0000-4000-8000-000000000003';
const D = 'dddddddd-0000-4000-8000-000000000004';
const E = 'eeeeeeee-0000-4000-8000-000000000005';

const CMD_TESTS = [
  { name: 'fires on cmd', dataset: 'datasets/cmd.ndjson', expect: 'fire' as const },
  { name: 'quiet on benign', dataset: 'datasets/benign.ndjson', expect: 'quiet' as const },
];

function baseRepo(t: Parameters<typeof tempRepo>[0]): { repo: Repo; base: string } {
  const repo = tempRepo(t);
  repo.write('datasets/cmd.ndjson', processEvents([{ name: 'cmd.exe', args: ['cmd.exe', '/c', 'whoami'] }, { name: 'cmd.exe', args: ['cmd.exe', '/c', 'backup'] }, { name: 'notepad.exe' }]));
  repo.write('datasets/benign.ndjson', processEvents([{ name: 'notepad.exe' }, { name: 'whoami.exe' }]));
  repo.write('detections/cmd.yml', nativeRule({ id: A, version: 1, name: 'Cmd Spawn', query: 'process where process.name : "cmd.exe"', tests: CMD_TESTS }));
  repo.write('detections/meta.yml', nativeRule({ id: B, version: 3, name: 'Metadata Only', description: 'old words', query: 'process where process.name : "mmc.exe"' }));
  repo.write('detections/old/moved.yml', nativeRule({ id: C, version: 1, name: 'Moved Rule', query: 'process where process.name : "at.exe"' }));
  repo.write('detections/deleted.yml', nativeRule({ id: D, version: 1, name: 'Deleted Rule', query: 'process where process.name : "notepad.exe"', tests: [{ name: 'fires', dataset: 'datasets/cmd.ndjson', expect: 'fire' }] }));
  const base = repo.commit('base');
  return { repo, base };
}

function change(repo: Repo, aVersion: number): void {
  repo.write(
    'detections/cmd.yml',
    nativeRule({ id: A, version: aVersion, name: 'Cmd Spawn', query: 'process where process.name : ("cmd.exe", "whoami.exe") and\n  not process.args : "backup"', tests: CMD_TESTS }),
  );
  repo.write('detections/meta.yml', nativeRule({ id: B, version: 3, name: 'Metadata Only', description: 'better words', query: 'process where process.name : "mmc.exe"' }));
  mkdirSync(path.join(repo.dir, 'detections/new'), { recursive: true });
  repo.git('mv', 'detections/old/moved.yml', 'detections/new/moved.yml');
  repo.remove('detections/deleted.yml');
  repo.write('detections/added.yml', nativeRule({ id: E, version: 1, name: 'Added Rule', query: 'process where process.name : "whoami.exe"', tests: [{ name: 'fires', dataset: 'datasets/benign.ndjson', expect: 'fire' }] }));
}

t.test('added, changed, renamed and deleted rules are found by id', async (t) => {
  const { repo, base } = baseRepo(t);
  change(repo, 1);
  const report = await regressSinceRef(base, { root: repo.dir, rules: ['detections'] });
  const byName = Object.fromEntries(report.rules.map((r) => [r.name, r]));
  t.same(
    report.rules.map((r) => `${r.name}:${r.change}`),
    ['Added Rule:added', 'Cmd Spawn:changed', 'Deleted Rule:deleted', 'Metadata Only:changed', 'Moved Rule:renamed'],
    'sorted by name; the moved file is recognised by id',
  );
  t.same(byName['Moved Rule']?.old?.file, 'detections/old/moved.yml');
  t.same(byName['Moved Rule']?.new?.file, 'detections/new/moved.yml');
  t.same(byName['Moved Rule']?.behaviourChanges, []);
  t.same(byName['Moved Rule']?.datasets, [], 'a pure move is not replayed');
  t.same(report.summary, { added: 1, deleted: 1, changed: 2, renamed: 1, unchanged: 0, versionFailures: 1, alertFailures: 1, alertsGained: 2, alertsLost: 2, alertsRematched: 0 });
  t.same(report.files?.map((f) => `${f.status} ${f.oldPath ? `${f.oldPath} -> ` : ''}${f.path}`), [
    'A detections/added.yml',
    'M detections/cmd.yml',
    'D detections/deleted.yml',
    'M detections/meta.yml',
    'R detections/old/moved.yml -> detections/new/moved.yml',
  ]);
  t.equal(report.exitCode, 1);
  t.same('ref' in report.base && report.base.commit, base);
});

t.test('version policy: a behaviour change without a bump fails, metadata only does not', async (t) => {
  const { repo, base } = baseRepo(t);
  change(repo, 1);
  const report = await regressSinceRef(base, { root: repo.dir, rules: ['detections'] });
  const cmd = report.rules.find((r) => r.name === 'Cmd Spawn');
  t.equal(cmd?.version.verdict, 'bump-required');
  t.match(cmd?.version.message, /behaviour changed but the version stayed at 1/);
  t.same(cmd?.behaviourChanges.map((f) => f.field), ['query']);
  const meta = report.rules.find((r) => r.name === 'Metadata Only');
  t.equal(meta?.version.verdict, 'ok');
  t.same(meta?.metadataChanges.map((f) => f.field), ['description']);
  t.same(meta?.behaviourChanges, []);
  t.equal(meta?.verdict, 'pass');
  t.same(meta?.datasets, [], 'metadata-only changes are not replayed');
});

t.test('the alert diff: a lost alert where fire is expected and a new one where quiet is expected fail', async (t) => {
  const { repo, base } = baseRepo(t);
  change(repo, 2);
  const report = await regressSinceRef(base, { root: repo.dir, rules: ['detections'] });
  const cmd = report.rules.find((r) => r.name === 'Cmd Spawn');
  t.equal(cmd?.version.verdict, 'ok', 'bumped 1 → 2');
  const [benign, cmdData] = cmd?.datasets ?? [];
  t.equal(cmdData?.dataset, 'datasets/cmd.ndjson');
  t.equal(cmdData?.oldAlerts, 2);
  t.equal(cmdData?.newAlerts, 1);
  t.equal(cmdData?.unchanged, 1);
  t.same(cmdData?.lost.map((a) => a.id), [`${A}@1:datasets/cmd.ndjson:line:2`]);
  t.equal(cmdData?.verdict, 'fail');
  t.match(cmdData?.message, /1 alert\(s\) lost where the new version's tests expect it to fire/);
  t.equal(benign?.dataset, 'datasets/benign.ndjson');
  t.same(benign?.gained.map((a) => a.id), [`${A}@2:datasets/benign.ndjson:line:2`]);
  t.equal(benign?.verdict, 'fail');
  t.equal(cmd?.verdict, 'fail');

  const added = report.rules.find((r) => r.name === 'Added Rule');
  t.same(added?.datasets.map((d) => [d.dataset, d.oldAlerts, d.newAlerts, d.verdict]), [['datasets/benign.ndjson', 0, 1, 'review']]);
  const deleted = report.rules.find((r) => r.name === 'Deleted Rule');
  t.same(deleted?.datasets.map((d) => [d.dataset, d.oldAlerts, d.newAlerts, d.expect, d.verdict]), [['datasets/cmd.ndjson', 1, 0, null, 'review']]);
  t.equal(deleted?.verdict, 'pass', 'deleting a rule is listed for review, not failed');
});

t.test('without --base: the merge base with the default branch; committed and untracked changes both count', async (t) => {
  const { repo, base } = baseRepo(t);
  repo.git('checkout', '-q', '-b', 'feature');
  change(repo, 2);
  repo.commit('feature work');
  repo.write('detections/untracked.yml', nativeRule({ id: 'ffffffff-0000-4000-8000-000000000006', version: 1, name: 'Untracked Rule', query: 'process where true' }));
  const report = await regressSinceRef(undefined, { root: repo.dir, rules: ['detections'] });
  t.same('ref' in report.base && report.base.commit, base, 'merge base of HEAD and main');
  t.ok(report.rules.some((r) => r.name === 'Untracked Rule' && r.change === 'added'));
  t.ok(report.files?.some((f) => f.path === 'detections/untracked.yml' && f.status === 'A'));
});

t.test('nothing changed: exit 0 and an empty list', async (t) => {
  const { repo, base } = baseRepo(t);
  const run = await ruleproof(repo.dir, 'regress', '--base', base);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /✓ no rule changed/);
  t.match(run.stdout, /0 changed, 0 renamed, 0 added, 0 deleted, 4 unchanged/);
});

t.test('CLI: console, JSON and Markdown renderings; exit 1 on failures', async (t) => {
  const { repo, base } = baseRepo(t);
  change(repo, 1);
  const consoleRun = await ruleproof(repo.dir, 'regress', '--base', base, '--json', 'out/regress.json', '--markdown', 'out/regress.md');
  t.equal(consoleRun.code, 1, consoleRun.stderr);
  t.match(consoleRun.stdout, /✗ Cmd Spawn {2}changed {2}v1 → v1/);
  t.match(consoleRun.stdout, /version: behaviour changed but the version stayed at 1: increase it/);
  t.match(consoleRun.stdout, /FAIL cmd\.ndjson \(tests expect fire\): 2 → 1 alert\(s\)/);
  t.match(consoleRun.stdout, /- 2024-01-01T00:00:01\.000Z line:2 \(h1, cmd\.exe\)/);
  t.match(consoleRun.stdout, /moved detections\/old\/moved\.yml → detections\/new\/moved\.yml/);
  const json = JSON.parse(readFileSync(path.join(repo.dir, 'out/regress.json'), 'utf8'));
  t.equal(json.command, 'regress');
  t.equal(json.exitCode, 1);
  const md = readFileSync(path.join(repo.dir, 'out/regress.md'), 'utf8');
  t.match(md, /^## Rule regression/);
  t.match(md, /### ❌ Cmd Spawn — changed, v1 → v1/);
  t.match(md, /\| ❌ \| `cmd\.ndjson` \| fire \| 2 \| 1 \| 0 \| 1 \| 0 \| 1 \|/);
  const jsonRun = await ruleproof(repo.dir, 'regress', '--base', base, '--format', 'json');
  t.same(JSON.parse(jsonRun.stdout).summary, json.summary);
  const mdRun = await ruleproof(repo.dir, 'regress', '--base', base, '--format', 'markdown');
  t.equal(mdRun.stdout, md);
});

t.test('CLI usage errors', async (t) => {
  const { repo } = baseRepo(t);
  t.equal((await ruleproof(repo.dir, 'regress', '--from', 'detections/cmd.yml')).code, 2, '--from needs --to');
  const bad = await ruleproof(repo.dir, 'regress', '--base', 'no-such-ref');
  t.equal(bad.code, 2);
  t.match(bad.stderr, /git rev-parse failed/);
});

t.test('git plumbing: name-status with renames and a tree copy at a ref', async (t) => {
  const { repo, base } = baseRepo(t);
  change(repo, 1);
  const changes = changedFiles(repo.dir, base, ['detections']);
  t.ok(changes.some((c) => c.status === 'R' && c.oldPath === 'detections/old/moved.yml'));
  const dest = mkdtempSync(path.join(tmpdir(), 'ruleproof-tree-'));
  t.teardown(() => rmSync(dest, { recursive: true, force: true }));
  const written = materializeTree(repo.dir, base, ['detections', 'ruleproof.lock.json'], dest);
  t.same(written, ['detections/cmd.yml', 'detections/deleted.yml', 'detections/meta.yml', 'detections/old/moved.yml']);
  t.match(readFileSync(path.join(dest, 'detections/cmd.yml'), 'utf8'), /version: 1\n/);
  t.notMatch(readFileSync(path.join(dest, 'detections/cmd.yml'), 'utf8'), /whoami/, 'the base content, not the working tree');
});
