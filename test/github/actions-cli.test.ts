/**
 * `ruleproof test|check|lint` inside a GitHub Actions job (GITHUB_ACTIONS=true): annotations at the
 * failing test's line, the job summary appended to $GITHUB_STEP_SUMMARY, outputs in $GITHUB_OUTPUT,
 * report files, a baseline delta; and machine formats on stdout stay clean.
 */
import t from 'tap';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ruleproof, scratchRepo, tempDir, WMI_TESTS } from './helpers.js';
import { parseXml } from '../report/xml-check.js';

function actionsEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const summary = path.join(dir, 'summary.md');
  const output = path.join(dir, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const event = path.join(dir, 'event.json');
  writeFileSync(event, JSON.stringify({ pull_request: { number: 7, head: { sha: 'abc123', repo: { full_name: 'acme/rules' } }, base: { repo: { full_name: 'acme/rules' } } } }));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    GITHUB_REPOSITORY: 'acme/rules',
    GITHUB_SHA: 'def456',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_PATH: event,
    ...extra,
  };
}

function outputs(env: NodeJS.ProcessEnv): Record<string, string> {
  const text = readFileSync(env.GITHUB_OUTPUT as string, 'utf8');
  return Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

t.test('a failing test in a workflow: annotation, summary, outputs, report files', async (t) => {
  const repo = scratchRepo(t, { failing: true });
  const env = actionsEnv(tempDir(t));
  const run = await ruleproof(repo, env, 'test', '--sarif', 'out/r.sarif', '--junit', 'out/r.xml', '--json', 'out/r.json');
  t.equal(run.code, 1, run.stderr);
  t.match(run.stdout, /SCCM client actions/, 'the console report is still printed');
  const annotations = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
  t.equal(annotations.length, 1, 'one error annotation');
  t.match(annotations[0], /^::error file=detections\/lateral_movement_incoming_wmi\.tests\.yml,line=6,col=5,title=ruleproof%3A test "SCCM client actions" failed::/);
  t.match(annotations[0], /expected the rule to fire, got no alert%0A%0ANo alert\./, 'the explanation is in the annotation');

  const summary = readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8');
  t.match(summary, /^## ruleproof test: ❌ failed/);
  t.match(summary, /Tests that did not pass \(1\)/);
  t.match(summary, /\[`detections\/lateral_movement_incoming_wmi\.tests\.yml:6:5`\]\(https:\/\/github\.com\/acme\/rules\/blob\/abc123\/detections\/lateral_movement_incoming_wmi\.tests\.yml#L6\)/, 'locations link to the PR head');
  t.match(summary, /FAIL not \(\?process\.Ext\.token\.integrity_level_name/, 'with the clause that failed');

  const out = outputs(env);
  t.match(out, { command: 'test', 'exit-code': '1', passed: 'false', rules: '1', tests: '2', 'tests-passed': '1', 'tests-failed': '1', report: 'out/r.json', sarif: 'out/r.sarif', junit: 'out/r.xml' });
  for (const f of ['out/r.sarif', 'out/r.xml', 'out/r.json']) t.ok(existsSync(path.join(repo, f)), `${f} written`);
  const junit = parseXml(readFileSync(path.join(repo, 'out/r.xml'), 'utf8'));
  t.equal(junit.attrs.failures, '1');
  const sarif = JSON.parse(readFileSync(path.join(repo, 'out/r.sarif'), 'utf8'));
  t.equal(sarif.runs[0].results.length, 1);
  t.equal(sarif.runs[0].results[0].ruleId, 'test/fail');
});

t.test('machine formats keep stdout parseable; the summary and outputs are still written', async (t) => {
  const repo = scratchRepo(t, { failing: true });
  const env = actionsEnv(tempDir(t));
  const run = await ruleproof(repo, env, 'check', '--format', 'json');
  t.equal(run.code, 1);
  const report = JSON.parse(run.stdout);
  t.equal(report.command, 'check');
  t.match(readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8'), /## ruleproof check: ❌ failed/);
  t.match(outputs(env), { 'tests-failed': '1', 'lint-errors': '0', 'techniques-mapped': '2' });
});

t.test('--format github prints only workflow commands, also outside Actions', async (t) => {
  const repo = scratchRepo(t, { failing: true });
  const run = await ruleproof(repo, {}, 'test', '--format', 'github');
  t.equal(run.code, 1);
  const lines = run.stdout.trim().split('\n');
  t.equal(lines.length, 1);
  t.match(lines[0], /^::error file=/);
});

t.test('a baseline from the base branch: newly failing tests and the coverage delta', async (t) => {
  const repo = scratchRepo(t);
  const base = await ruleproof(repo, {}, 'check', '--json', 'base.json', '--format', 'json');
  t.equal(base.code, 0, base.stderr + base.stdout.slice(0, 2000));
  writeFileSync(path.join(repo, WMI_TESTS), readFileSync(path.join(repo, WMI_TESTS), 'utf8').replace('expect: quiet', 'expect: fire'));
  const env = actionsEnv(tempDir(t));
  const head = await ruleproof(repo, env, 'check', '--baseline', 'base.json');
  t.equal(head.code, 1);
  const summary = readFileSync(env.GITHUB_STEP_SUMMARY as string, 'utf8');
  t.match(summary, /### Compared with the baseline/);
  t.match(summary, /Tests: 1 newly failing, 0 fixed, 0 added, 0 removed/);
  t.match(summary, /ATT&CK coverage: 2 of 2 technique\(s\) tested \(±0 against 2 of 2\)/);
  t.match(summary, /\*\*Newly failing\*\*\n\n- WMI Incoming Lateral Movement \(v218\) — `SCCM client actions`/);

  const missing = await ruleproof(repo, env, 'check', '--baseline', 'nope.json', '--format', 'json');
  t.equal(missing.code, 1, 'a missing baseline does not change the verdict');
  t.match(missing.stderr, /warning: --baseline ignored: nope\.json does not exist/);
});

t.test('lint in a workflow, and RULEPROOF_GITHUB=off', async (t) => {
  const repo = scratchRepo(t);
  const env = actionsEnv(tempDir(t));
  const run = await ruleproof(repo, env, 'lint');
  t.equal(run.code, 0, run.stdout);
  t.notMatch(run.stdout, /^::/m, 'no findings, no annotations');
  t.match(outputs(env), { command: 'lint', 'lint-errors': '0', rules: '1' });
  const env2 = actionsEnv(tempDir(t), { RULEPROOF_GITHUB: 'off' });
  const failing = scratchRepo(t, { failing: true });
  const off = await ruleproof(failing, env2, 'test');
  t.equal(off.code, 1);
  t.notMatch(off.stdout, /^::error/m);
  t.equal(readFileSync(env2.GITHUB_STEP_SUMMARY as string, 'utf8'), '');
});
