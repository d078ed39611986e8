#!/usr/bin/env node
/**
 * SigmaHQ's regression cases as a conformance suite: every regression_data/**\/info.yml of a SigmaHQ checkout
 * (fetched, never committed), replayed by ruleproof exactly as `ruleproof test` would gate that checkout: the
 * rules that carry `regression_tests_path` and the regression_data tree are extracted into a scratch
 * repository, loaded with loadRules (which attaches the info.yml cases) and replayed with replayTests.
 *
 *   npm run build && node scripts/measure-sigmahq-regression.mjs <sigma-checkout-or-git-dir> [--json out.json]
 *
 * Prints one line per case that does not pass (rule file, expected, got, reason), then the totals: passed,
 * failed, unsupported, error, and how many also match SigmaHQ's match_count exactly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The built library; RULEPROOF_LIB=src runs the TypeScript sources under a loader (the script's own test).
const lib = new URL(process.env.RULEPROOF_LIB === 'src' ? '../src/' : '../dist/', import.meta.url);
const { loadRules } = await import(new URL('rules/index.js', lib).href);
const { replayTests } = await import(new URL('replay/runner.js', lib).href);

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args.splice(jsonAt, 2)[1] : undefined;
const [source] = args;
if (!source) {
  console.error('usage: node scripts/measure-sigmahq-regression.mjs <sigma checkout or git dir> [--json out.json]');
  process.exit(2);
}
const RULE_DIRS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-placeholder', 'rules-compliance'];
const bare = existsSync(path.join(source, 'HEAD')) && !existsSync(path.join(source, '.git'));
const gitDir = bare ? source : path.join(source, '.git');
const git = (...a) => execFileSync('git', ['--git-dir', gitDir, ...a], { maxBuffer: 1 << 30 });

const commit = git('rev-parse', 'HEAD').toString().trim();
const present = new Set(git('ls-tree', '--name-only', 'HEAD').toString().split('\n'));
const ruleDirs = RULE_DIRS.filter((d) => present.has(d));
// Only the rules that name a regression info file, and the regression data: a small scratch repository.
const withTests = git('grep', '-l', '-E', '^regression_tests_path:', 'HEAD', '--', ...ruleDirs)
  .toString()
  .split('\n')
  .filter(Boolean)
  .map((l) => l.replace(/^HEAD:/, ''));
const root = mkdtempSync(path.join(os.tmpdir(), 'sigmahq-regression-'));
try {
  const tar = path.join(root, '.extract.tar');
  writeFileSync(tar, git('archive', '--format=tar', 'HEAD', 'regression_data', ...withTests));
  execFileSync('tar', ['-xf', tar, '-C', root]);
  rmSync(tar);

  const loaded = await loadRules(ruleDirs.filter((d) => withTests.some((f) => f.startsWith(`${d}/`))), { root });
  const outcome = await replayTests(loaded.rules, { root, maxAlertsPerTest: 0 });
  const ruleById = new Map(loaded.rules.map((r) => [r.id, r]));
  const infoFiles = git('ls-tree', '-r', '--name-only', 'HEAD', '--', 'regression_data').toString().split('\n').filter((f) => /\/info\.ya?ml$/.test(f));

  const cases = [];
  for (const r of outcome.rules) {
    const rule = ruleById.get(r.id);
    r.tests.forEach((t, i) => {
      const test = rule?.tests[i];
      if (!test?.location.file.startsWith('regression_data/')) return;
      const expected = test.count?.min ?? test.count?.exact ?? (test.expect === 'quiet' ? 0 : undefined);
      cases.push({
        info: test.location.file,
        rule: r.file,
        ruleId: r.id,
        name: t.name,
        status: t.status,
        expected,
        got: t.alertCount,
        exact: expected === undefined ? t.alertCount > 0 : t.alertCount === expected,
        reason: r.problem?.message ?? t.message ?? '',
      });
    });
  }
  // Cases that never became a test (unsupported type, missing file, rule not loaded) are counted too.
  const attached = new Set(cases.map((c) => c.info));
  const problems = [];
  for (const d of loaded.diagnostics.filter((x) => x.severity !== 'info')) {
    const status = d.code === 'sigma-regression/unsupported-type' ? 'unsupported' : d.code === 'sigma-regression/missing-file' ? 'error' : undefined;
    if (!status) {
      problems.push(d);
      continue;
    }
    attached.add(d.file);
    cases.push({ info: d.file, rule: '', ruleId: '', name: '', status, expected: undefined, got: 0, exact: false, reason: d.message });
  }
  for (const info of infoFiles) {
    if (attached.has(info)) continue;
    const text = git('show', `HEAD:${info}`).toString();
    const caseCount = (text.match(/^\s*-\s*name:/gm) ?? []).length;
    const why = problems.find((d) => d.file === info)?.message ?? (caseCount ? 'its rule was not loaded (no rule file names it, or the rule failed to load)' : 'no regression_tests_info (not a case)');
    for (let i = 0; i < caseCount; i++) cases.push({ info, rule: '', ruleId: '', name: '', status: 'not-run', expected: undefined, got: 0, exact: false, reason: why });
  }
  const key = (c) => `${c.info}\0${c.name}\0${c.status}`;
  cases.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

  const totals = { commit, cases: cases.length, pass: 0, fail: 0, unsupported: 0, error: 0, 'not-run': 0, exactMatchCount: 0 };
  for (const c of cases) {
    totals[c.status] = (totals[c.status] ?? 0) + 1;
    if (c.status === 'pass' && c.exact) totals.exactMatchCount++;
  }
  for (const c of cases.filter((x) => x.status !== 'pass')) {
    console.log(`${c.status.padEnd(11)} ${c.rule || c.info}  expected ${c.expected ?? '>=1'}, got ${c.got}  ${c.reason.split('\n')[0]}`);
  }
  for (const c of cases.filter((x) => x.status === 'pass' && !x.exact)) {
    console.log(`pass>count  ${c.rule}  match_count ${c.expected}, got ${c.got} (SigmaHQ's runner warns)`);
  }
  for (const d of problems) {
    console.log(`diagnostic  ${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
  }
  console.log(JSON.stringify(totals));
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ totals, cases }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
