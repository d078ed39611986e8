/** Clause coverage and the mutation check, on small rules and NDJSON datasets in a scratch repository. */
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRules } from '../../src/rules/index.js';
import { computeClauseCoverage } from '../../src/coverage/clauses.js';
import { instrumentQuery } from '../../src/engine/coverage.js';
import { nativeRule, processEvents, ruleproof, tempRepo } from '../regress/helpers.js';

const ID = '0c0c0c0c-0000-4000-8000-000000000001';
const SEQ = '0c0c0c0c-0000-4000-8000-000000000002';

function repoWithRules(t: Parameters<typeof tempRepo>[0]) {
  const repo = tempRepo(t);
  repo.write('datasets/cmd.ndjson', processEvents([{ name: 'cmd.exe', args: ['cmd.exe', 'whoami'] }, { name: 'cmd.exe', args: ['cmd.exe', 'backup'] }, { name: 'notepad.exe' }]));
  repo.write('datasets/backup.ndjson', processEvents([{ name: 'cmd.exe', args: ['cmd.exe', 'backup'] }]));
  repo.write('datasets/benign.ndjson', processEvents([{ name: 'notepad.exe' }]));
  repo.write(
    'detections/cmd.yml',
    nativeRule({
      id: ID,
      version: 1,
      name: 'Cmd With Exclusions',
      query: 'process where process.name : "cmd.exe" and\n  not process.args : "backup" and\n  not process.args : "never"',
      tests: [
        { name: 'fires on cmd', dataset: 'datasets/cmd.ndjson', expect: 'fire' },
        { name: 'backup job is excluded', dataset: 'datasets/backup.ndjson', expect: 'quiet' },
        { name: 'benign control', dataset: 'datasets/benign.ndjson', expect: 'quiet' },
      ],
    }),
  );
  repo.write(
    'detections/seq.yml',
    nativeRule({
      id: SEQ,
      version: 1,
      name: 'Cmd Then Notepad',
      query: 'sequence by host.id\n  [process where process.name : "cmd.exe" and not process.args : "backup"]\n  [process where process.name : "notepad.exe"]',
      tests: [
        { name: 'fires', dataset: 'datasets/cmd.ndjson', expect: 'fire' },
        { name: 'backup without notepad', dataset: 'datasets/backup.ndjson', expect: 'quiet' },
      ],
    }),
  );
  repo.write('detections/untested.yml', nativeRule({ id: '0c0c0c0c-0000-4000-8000-000000000003', version: 1, name: 'No Tests', query: 'process where true' }));
  return repo;
}

t.test('predicate counters follow the engine: short-circuit, true and false per predicate', async (t) => {
  const repo = repoWithRules(t);
  const { rules } = await loadRules(['detections'], { root: repo.dir });
  const report = await computeClauseCoverage(rules, { root: repo.dir });
  const cmd = report.rules.find((r) => r.id === ID);
  t.same(
    cmd?.predicates.map((p) => [p.text, p.negated, p.true, p.false]),
    [
      ['process.name : "cmd.exe"', false, 3, 2],
      ['process.args : "backup"', true, 2, 1],
      ['process.args : "never"', true, 0, 1],
    ],
  );
  t.same(cmd?.predicates.map((p) => [p.line, p.column]), [[8, 19], [9, 11], [10, 11]], 'positions in the rule file');
  t.same(cmd?.summary, { predicates: 3, bothWays: 2, onlyTrue: 0, onlyFalse: 1, never: 0, exclusions: 2, unexercised: 1, vacuousTests: 0 });
  const [backup, never] = cmd?.exclusions ?? [];
  t.equal(backup?.text, 'not process.args : "backup"');
  t.same(backup?.exercisedBy, ['backup job is excluded']);
  t.same(backup?.removedEvents, [{ dataset: 'datasets/backup.ndjson', events: 1 }, { dataset: 'datasets/cmd.ndjson', events: 1 }]);
  t.same(never?.exercisedBy, [], 'no quiet test exercises the second exclusion');
  t.equal(backup?.mutation, undefined, 'no mutation without --mutate');
  t.equal(report.rules.find((r) => r.name === 'No Tests')?.unavailable, 'no tests: nothing exercises the rule');
  t.equal(report.totals.instrumented, 2);
});

t.test('mutation check: killed, survivors and vacuous quiet tests', async (t) => {
  const repo = repoWithRules(t);
  const { rules } = await loadRules(['detections'], { root: repo.dir });
  const report = await computeClauseCoverage(rules, { root: repo.dir, mutate: true });
  const cmd = report.rules.find((r) => r.id === ID);
  const [backup, never] = cmd?.exclusions ?? [];
  t.same(backup?.mutation, { mode: 'drop', killedBy: ['backup job is excluded'], survivors: ['benign control'], vacuous: [] });
  t.same(backup?.negation?.killedBy, ['backup job is excluded'], 'negated: the backup job now matches');
  t.same(never?.mutation, { mode: 'drop', killedBy: [], survivors: ['backup job is excluded', 'benign control'], vacuous: [] });

  const seq = report.rules.find((r) => r.id === SEQ);
  const [exclusion] = seq?.exclusions ?? [];
  t.same(exclusion?.exercisedBy, ['backup without notepad'], 'the exclusion removes the backup cmd');
  t.same(exclusion?.mutation?.vacuous, ['backup without notepad'], 'but the test stays quiet without it: no notepad follows');
  t.equal(seq?.summary.vacuousTests, 1);
  t.equal(report.mutated, true);
});

t.test('instrumentQuery: mutants compile like the original; languages without the IR say so', async (t) => {
  const inst = instrumentQuery('process where a == 1 and not b == 2', { language: 'eql', fieldView: 'ecs' });
  t.ok(inst.ok);
  if (!inst.ok) return;
  t.same(inst.query.exclusions.map((x) => x.text), ['not b == 2']);
  t.equal(inst.query.mutant(0, 'drop').stageCount, 1);
  const spl = instrumentQuery('| tstats count from datamodel=Endpoint.Processes by Processes.dest', { language: 'spl', fieldView: 'cim' });
  t.equal(spl.ok, false);
  if (!spl.ok) t.match(spl.reason, /not evaluated through the shared IR/);
  // KQL lowers to the IR inside its compiler: its clauses are instrumented like EQL's.
  const kql = instrumentQuery('process.name : "cmd.exe" and not process.args : "/c"', { language: 'kql', fieldView: 'ecs' });
  t.ok(kql.ok, 'KQL is instrumented');
  if (kql.ok) {
    t.same(kql.query.exclusions.map((x) => x.text), ['not process.args : "/c"']);
    t.equal(kql.query.mutant(0, 'drop').stageCount, 1);
  }
  const bad = instrumentQuery('process where (', { language: 'eql', fieldView: 'ecs' });
  t.equal(bad.ok, false);
});

t.test('CLI: test --clause-coverage --mutate in the console and the JSON report; coverage renders it', async (t) => {
  const repo = repoWithRules(t);
  const run = await ruleproof(repo.dir, 'test', '--mutate', '--json', 'out/test.json');
  t.equal(run.code, 0, run.stderr + run.stdout);
  t.match(run.stdout, /Clause coverage/);
  t.match(run.stdout, /! 10:7 not process\.args : "never" — no quiet test exercises it/);
  t.match(run.stdout, /drop: no quiet test fails; vacuous: "backup without notepad" still quiet though the exclusion removes events there/);
  t.match(run.stdout, /1 vacuous quiet test\(s\)/);
  const json = JSON.parse(readFileSync(path.join(repo.dir, 'out/test.json'), 'utf8'));
  t.equal(json.command, 'test');
  t.equal(json.clauseCoverage.totals.vacuousTests, 1);
  const plain = await ruleproof(repo.dir, 'test', '--format', 'json');
  t.notOk('clauseCoverage' in JSON.parse(plain.stdout), 'absent unless asked for');

  const md = await ruleproof(repo.dir, 'coverage', '--report', 'out/test.json');
  t.match(md.stdout, /### Clause coverage/);
  t.match(md.stdout, /\| Cmd With Exclusions v1 \| 2\/3 \| 0 \| 1\/2 \| 0 \|/);
  t.match(md.stdout, /\*\*Vacuous quiet tests\*\*/);
  const html = await ruleproof(repo.dir, 'coverage', '--format', 'html', '--clause-coverage');
  t.match(html.stdout, /"clauseCoverage":\{"schemaVersion":1,"mutated":false/);
});
