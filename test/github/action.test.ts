/**
 * action.yml: the inputs the docs promise, no input pasted into a script, and its shell steps run for
 * real (bash, with the CLI from source) against a scratch content repository: reports written,
 * outputs set, and the fail-on gate.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { repoRoot, scratchRepo, tempDir } from './helpers.js';

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};

t.test('shape: a composite action with the documented inputs', async (t) => {
  t.equal(action.runs.using, 'composite');
  for (const input of ['command', 'paths', 'format', 'github-token', 'comment', 'fail-on', 'cache', 'args']) {
    t.ok(action.inputs[input]?.description, `input ${input} is documented`);
  }
  t.equal(action.inputs['fail-on']?.default, 'error');
  t.equal(action.inputs.comment?.default, 'false');
  for (const o of ['exit-code', 'report', 'sarif', 'junit']) t.ok(action.outputs[o], `output ${o}`);
  t.match(action.runs.steps.map((s) => s.uses ?? ''), ['actions/setup-node@v4', '', '', 'actions/cache@v4']);
  for (const step of action.runs.steps.filter((s) => s.run)) {
    t.notMatch(step.run as string, /\$\{\{/, `"${step.name}" takes its inputs from the environment, not pasted into the script`);
  }
});

function stepScript(name: RegExp): Step {
  const step = action.runs.steps.find((s) => name.test(s.name ?? ''));
  if (!step) throw new Error(`no step ${name}`);
  return step;
}

function bash(script: string, cwd: string, env: Record<string, string>) {
  const r = spawnSync('bash', ['-e', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function outputs(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

t.test('the run and gate steps, for real', async (t) => {
  const repo = scratchRepo(t, { failing: true });
  const tmp = tempDir(t);
  const outFile = path.join(tmp, 'output.txt');
  const summary = path.join(tmp, 'summary.md');
  writeFileSync(outFile, '');
  writeFileSync(summary, '');
  const runner = {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outFile,
    GITHUB_STEP_SUMMARY: summary,
    RUNNER_TEMP: tmp,
    GITHUB_JOB: 'gate',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: '42',
    RUNNER_OS: 'Linux',
    NODE_OPTIONS: `--import=${pathToFileURL(path.join(repoRoot, 'node_modules/@tapjs/typescript/dist/esm/import.mjs')).href}`,
  };
  const paths = bash(stepScript(/^Report paths/).run as string, repo, { ...runner, RULEPROOF_ARGS: '--strict', RULEPROOF_COMMAND: 'test' });
  t.equal(paths.code, 0, paths.stderr);
  const p = outputs(outFile);
  t.match(p['cache-key'], /^ruleproof-results-Linux-42-1-gate-[0-9a-f]{16}$/);
  writeFileSync(outFile, '');

  const runEnv = {
    ...runner,
    RULEPROOF_BIN: path.join(repoRoot, 'test/github/ruleproof-bin.ts'),
    RULEPROOF_COMMAND: 'test',
    RULEPROOF_PATHS: 'detections/*.toml',
    RULEPROOF_FORMAT: 'console',
    RULEPROOF_ARGS: '--strict',
    RULEPROOF_CACHE: 'true',
    REPORT_JSON: p.json as string,
    REPORT_SARIF: p.sarif as string,
    REPORT_JUNIT: p.junit as string,
  };
  const run = bash(stepScript(/^Run ruleproof/).run as string, repo, runEnv);
  t.equal(run.code, 0, 'the run step itself succeeds; the gate decides');
  t.match(run.stdout, /^::error file=detections\/lateral_movement_incoming_wmi\.tests\.yml,line=6/m, 'annotations in the log');
  const o = outputs(outFile);
  t.match(o, { code: '1', 'exit-code': '1', 'tests-failed': '1', report: p.json, sarif: p.sarif, junit: p.junit });
  for (const f of [p.json, p.sarif, p.junit]) t.ok(existsSync(f as string), `${path.basename(f as string)} written`);
  t.ok(existsSync(path.join(repo, '.ruleproof-cache')), 'the result cache directory is used');
  t.match(readFileSync(summary, 'utf8'), /## ruleproof test: ❌ failed/);

  const gate = (FAIL_ON: string, CODE: string, WARNINGS = '0') => bash(stepScript(/^Gate/).run as string, repo, { FAIL_ON, CODE, WARNINGS });
  t.equal(gate('error', '1').code, 1);
  t.equal(gate('error', '0').code, 0);
  t.equal(gate('never', '1').code, 0);
  t.equal(gate('warning', '0', '3').code, 1);
  t.match(gate('warning', '0', '3').stdout, /::error title=ruleproof::3 lint warning\(s\) \(fail-on: warning\)/);
  t.equal(gate('warning', '0', '0').code, 0);
  t.equal(gate('warning', '2', '0').code, 2);
  t.equal(gate('bogus', '0').code, 2);

  const bad = bash(stepScript(/^Run ruleproof/).run as string, repo, { ...runEnv, RULEPROOF_COMMAND: 'rm -rf' });
  t.equal(bad.code, 2);
  t.match(bad.stdout, /command must be check, test, lint or merge-reports/);
});
