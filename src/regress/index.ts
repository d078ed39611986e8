/**
 * `regress`: what changed in the rules since a git ref (or between two rule files), judged against the
 * version policy, and what the change does to the alerts on every dataset either version is tested on.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRules } from '../rules/index.js';
import type { Rule } from '../rules/model.js';
import { RULEPROOF_LOCK } from '../rules/lock.js';
import { compareDiagnostics, ContentError, type Diagnostic } from '../util/diagnostics.js';
import { TOOL_VERSION } from '../util/version.js';
import { compareRule, pairRules, shellOf, type RulePair } from './compare.js';
import { changedFiles, defaultBase, git, materializeTree, resolveCommit } from './git.js';
import { diffAlerts, type DiffJob } from './replay.js';
import type { RegressReport, RegressSummary, RuleRegression } from './types.js';

export interface RegressOptions {
  root: string;
  /** Rule paths (directories or files) relative to the root. */
  rules: string[];
  /** Also replay over these datasets (every bundled dataset with `--all-datasets`). */
  extraDatasets?: string[];
  maxAlerts?: number;
}

function datasetsOf(...rules: Array<Rule | undefined>): string[] {
  const out = new Set<string>();
  for (const r of rules) for (const t of r?.tests ?? []) out.add(t.dataset);
  return [...out];
}

async function buildReport(
  pairs: RulePair[],
  base: RegressReport['base'],
  options: RegressOptions,
  diagnostics: Diagnostic[],
  files?: RegressReport['files'],
  includeUnchanged = false,
): Promise<RegressReport> {
  const reported = includeUnchanged ? pairs : pairs.filter((p) => p.change !== 'unchanged');
  const jobs: DiffJob[] = reported
    .filter((p) => p.behaviourChanges.length > 0 || p.change === 'added' || p.change === 'deleted')
    .map((p) => ({
      key: p.id,
      ...(p.old ? { old: p.old } : {}),
      ...(p.new ? { new: p.new } : {}),
      datasets: [...new Set([...datasetsOf(p.old, p.new), ...(options.extraDatasets ?? [])])],
    }));
  const outcomes = await diffAlerts(jobs, {
    root: options.root,
    ...(options.maxAlerts !== undefined ? { maxAlerts: options.maxAlerts } : {}),
    onDiagnostic: (d) => {
      if (d.severity === 'error') diagnostics.push(d);
    },
  });

  const rules: RuleRegression[] = reported.map((p) => {
    const outcome = outcomes.get(p.id);
    const r: RuleRegression = { ...shellOf(p), datasets: outcome?.datasets ?? [], verdict: 'pass' };
    if (outcome?.problem) r.replayProblem = outcome.problem;
    const versionFails = r.version.verdict === 'bump-required' || r.version.verdict === 'version-decreased';
    const newSideBroken = !!outcome?.problem?.includes('new version:');
    if (versionFails || newSideBroken || r.datasets.some((d) => d.verdict === 'fail')) r.verdict = 'fail';
    return r;
  });

  const summary: RegressSummary = {
    added: pairs.filter((p) => p.change === 'added').length,
    deleted: pairs.filter((p) => p.change === 'deleted').length,
    changed: pairs.filter((p) => p.change === 'changed').length,
    renamed: pairs.filter((p) => p.change === 'renamed').length,
    unchanged: pairs.filter((p) => p.change === 'unchanged').length,
    versionFailures: rules.filter((r) => r.version.verdict === 'bump-required' || r.version.verdict === 'version-decreased').length,
    alertFailures: rules.filter((r) => r.datasets.some((d) => d.verdict === 'fail')).length,
    alertsGained: rules.reduce((n, r) => n + r.datasets.reduce((m, d) => m + d.newAlerts - d.unchanged - d.rematched.length, 0), 0),
    alertsLost: rules.reduce((n, r) => n + r.datasets.reduce((m, d) => m + d.oldAlerts - d.unchanged - d.rematched.length, 0), 0),
    alertsRematched: rules.reduce((n, r) => n + r.datasets.reduce((m, d) => m + d.rematched.length, 0), 0),
  };
  const sorted = diagnostics.sort(compareDiagnostics);
  const loadError = sorted.some((d) => d.severity === 'error' && (d.code.startsWith('load/') || d.code.startsWith('dataset/')));
  const exitCode = loadError ? 2 : rules.some((r) => r.verdict === 'fail') ? 1 : 0;
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: TOOL_VERSION },
    command: 'regress',
    base,
    ...(files ? { files } : {}),
    summary,
    rules,
    diagnostics: sorted,
    exitCode,
  };
}

/** The working tree's rules against the same paths at `ref` (default: the merge base with the default branch). */
export async function regressSinceRef(ref: string | undefined, options: RegressOptions): Promise<RegressReport> {
  const root = path.resolve(options.root);
  const baseRef = ref ?? defaultBase(root);
  const commit = resolveCommit(root, baseRef);
  git(root, ['rev-parse', '--show-toplevel']);
  // The lock file can give rules their versions; a path missing on either side is simply not listed.
  const lockPaths = [RULEPROOF_LOCK];
  const files = changedFiles(root, commit, [...options.rules, ...lockPaths]).map((c) => ({ status: c.status, path: c.path, ...(c.oldPath ? { oldPath: c.oldPath } : {}) }));

  const head = await loadRules(options.rules, { root });
  const diagnostics: Diagnostic[] = [...head.diagnostics];
  const scratch = mkdtempSync(path.join(tmpdir(), 'ruleproof-base-'));
  try {
    materializeTree(root, commit, [...options.rules, ...lockPaths], scratch);
    const existing = options.rules.filter((p) => existsSync(path.join(scratch, p)));
    const base = existing.length ? await loadRules(existing, { root: scratch }) : { rules: [], diagnostics: [], failedFiles: [] };
    // The base is history: its load problems are worth a note, not a failure of this change.
    for (const d of base.diagnostics) diagnostics.push({ ...d, severity: d.severity === 'error' ? 'warning' : d.severity, message: `at ${baseRef}: ${d.message}`, code: `regress/base-${d.code.replace(/\//g, '-')}` });
    const pairs = pairRules(base.rules, head.rules);
    return await buildReport(pairs, { ref: baseRef, commit }, { ...options, root }, diagnostics, files);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Two rule files side by side (e.g. a version under detections/history/ against the current one). */
export async function regressFiles(from: string, to: string, options: RegressOptions): Promise<RegressReport> {
  const root = path.resolve(options.root);
  const load = async (file: string): Promise<{ rule: Rule; diagnostics: Diagnostic[] }> => {
    if (!existsSync(path.resolve(root, file))) {
      throw new ContentError({ file, line: 0, column: 0, severity: 'error', code: 'config/regress', message: `rule file ${file} does not exist`, hint: 'Give paths relative to the repository root (or absolute).' });
    }
    const loaded = await loadRules([file], { root });
    const rule = loaded.rules[0];
    if (!rule) {
      const first = loaded.diagnostics.find((d) => d.severity === 'error');
      if (first) throw new ContentError(first);
      throw new ContentError({ file, line: 0, column: 0, severity: 'error', code: 'config/regress', message: `no rule in ${file}`, hint: 'Give a rule file (native YAML, Elastic TOML, …).' });
    }
    return { rule, diagnostics: loaded.diagnostics };
  };
  const a = await load(from);
  const b = await load(to);
  const diagnostics = [...a.diagnostics, ...b.diagnostics];
  if (a.rule.id !== b.rule.id) {
    diagnostics.push({
      file: b.rule.source.file,
      line: 1,
      column: 1,
      severity: 'warning',
      code: 'regress/different-ids',
      message: `the two files hold different rules (${a.rule.id} and ${b.rule.id}); compared anyway`,
    });
  }
  const pair = compareRule(a.rule, { ...b.rule, id: a.rule.id });
  // Two files side by side are always in different places: what matters is whether the content moved.
  const contentChanged = pair.behaviourChanges.length || pair.metadataChanges.length || a.rule.version !== b.rule.version;
  pair.change = contentChanged ? 'changed' : 'unchanged';
  return buildReport([pair], { from: a.rule.source.file, to: b.rule.source.file }, { ...options, root }, diagnostics, undefined, true);
}
