/** --changed-since REF in a temporary git repository: which files, which rules, and what lint and test then report. */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { changedFilesSince, rulesTouchedBy } from '../../src/github/changed-files.js';
import { ruleproof, scratchRepo, tempDir, WMI_RULE, WMI_TESTS, WMI_V100 } from './helpers.js';
import type { Rule } from '../../src/rules/model.js';

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=ruleproof', '-c', 'user.email=ruleproof@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

function repo(t: Tap.Test): string {
  const dir = scratchRepo(t, { history: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  git(dir, 'checkout', '-q', '-b', 'feature');
  return dir;
}

t.test('changed files: committed, uncommitted and untracked, relative to the merge base', async (t) => {
  const dir = repo(t);
  t.same([...(changedFilesSince(dir, 'main') as Set<string>)], [], 'nothing yet');
  appendFileSync(path.join(dir, WMI_TESTS), '# comment\n');
  git(dir, 'commit', '-q', '-am', 'touch tests');
  // The base branch moves on: its own changes are not ours.
  git(dir, 'checkout', '-q', 'main');
  appendFileSync(path.join(dir, WMI_V100), '# on main\n');
  git(dir, 'commit', '-q', '-am', 'main moves');
  git(dir, 'checkout', '-q', 'feature');
  writeFileSync(path.join(dir, 'notes.txt'), 'untracked');
  appendFileSync(path.join(dir, 'datasets/synthetic/README.md'), 'x\n');
  const changed = changedFilesSince(dir, 'main');
  t.same([...(changed as Set<string>)].sort(), ['datasets/synthetic/README.md', WMI_TESTS, 'notes.txt'].sort());
  t.match(changedFilesSince(dir, 'no-such-ref'), /"no-such-ref" is not a commit in this clone .*fetch-depth: 0/);
  t.match(changedFilesSince(tempDir(t), 'main'), /needs a git repository/);
});

t.test('rules touched by changes', async (t) => {
  const rules = [
    { source: { file: 'detections/a.toml', testsFile: 'detections/a.tests.yml' }, tests: [{ dataset: 'datasets/x/one.json' }] },
    { source: { file: 'detections/b.yml' }, tests: [{ dataset: 'datasets/y/two.json' }] },
    {
      source: { file: 'rules/windows/c.yml' },
      tests: [{ dataset: 'regression_data/rules/windows/c/c.evtx', location: { file: 'regression_data/rules/windows/c/info.yml', line: 1, column: 1 } }],
    },
  ] as unknown as Rule[];
  const names = (changed: string[]) => rulesTouchedBy(rules, new Set(changed)).map((r) => r.source.file);
  t.same(names(['detections/a.tests.yml']), ['detections/a.toml'], 'the sidecar');
  t.same(names(['datasets/y/two.json']), ['detections/b.yml'], 'a dataset');
  t.same(names(['datasets/x/one.json.meta.yml']), ['detections/a.toml'], 'a descriptor');
  t.same(names(['datasets/y/dataset.yml']), ['detections/b.yml'], 'a folder descriptor');
  t.same(names(['datasets/dataset.yml']), ['detections/a.toml', 'detections/b.yml'], 'a parent folder descriptor');
  t.same(names(['ruleproof.config.yml']), ['detections/a.toml', 'detections/b.yml', 'rules/windows/c.yml'], 'the configuration touches everything');
  t.same(names(['regression_data/rules/windows/c/info.yml']), ['rules/windows/c.yml'], 'a SigmaHQ regression info.yml alone');
  t.same(names(['README.md', 'detections/other.yml']), []);
});

t.test('test and lint --changed-since on the CLI', async (t) => {
  const dir = repo(t);
  const none = await ruleproof(dir, {}, 'test', '--changed-since', 'main', '--format', 'json');
  t.equal(none.code, 0);
  t.match(none.stderr, /0 of 2 rule\(s\) touched by changes since main/);
  t.equal(JSON.parse(none.stdout).rules.length, 0, 'nothing changed, nothing replayed');

  writeFileSync(path.join(dir, WMI_TESTS), readFileSync(path.join(dir, WMI_TESTS), 'utf8').replace('expect: quiet', 'expect: fire'));
  const one = await ruleproof(dir, {}, 'test', '--changed-since', 'main', '--format', 'json');
  t.equal(one.code, 1, 'the changed rule now fails');
  const report = JSON.parse(one.stdout);
  t.same(report.rules.map((r: any) => r.version), [218], 'only the changed rule replays');

  // Lint: a finding in an unchanged file is not reported.
  writeFileSync(path.join(dir, WMI_V100), readFileSync(path.join(dir, WMI_V100), 'utf8').replace(/^risk_score: .*$/m, 'risk_score: 99'));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'v100 risk and tests');
  git(dir, 'checkout', '-q', '-b', 'other', 'main');
  writeFileSync(path.join(dir, WMI_V100), readFileSync(path.join(dir, WMI_V100), 'utf8').replace(/^risk_score: .*$/m, 'risk_score: 99'));
  const full = await ruleproof(dir, {}, 'lint', '--format', 'json');
  const scoped = await ruleproof(dir, {}, 'lint', '--format', 'json', '--changed-since', 'HEAD');
  const files = (r: typeof full) => [...new Set(JSON.parse(r.stdout).diagnostics.map((d: any) => d.file))];
  t.ok(files(full).length >= files(scoped).length);
  t.ok(files(scoped).every((f) => f === WMI_V100), `only findings in the changed file: ${files(scoped).join(', ')}`);
  t.equal(JSON.parse(scoped.stdout).summary.rules, 1);
  void WMI_RULE;
});
