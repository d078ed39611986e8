/**
 * `ruleproof merge-reports`: the JSON reports of the shards of one run merged into the report one
 * unsharded run would have written (same rules in the same order, same totals, same diagnostics,
 * same exit code; only wall-clock figures differ), so every format renders from the merge.
 */
import { compareDiagnostics, type Diagnostic } from '../util/diagnostics.js';
import type { CoverageSummary, TechniqueCoverage } from '../coverage/summary.js';
import type { DatasetSummary, RuleResult, TestReport } from './types.js';
import type { LintReport } from '../report/lint-report.js';
import { totals } from '../report/test-report.js';
import type { CheckReport, GatingReport, ShardInfo } from '../report/markdown.js';

type WithShard<T> = T & { shard?: ShardInfo };

/** Every shard lints and loads all rules: their shared diagnostics must appear once. */
function unionDiagnostics(lists: ReadonlyArray<readonly Diagnostic[]>): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const list of lists) {
    for (const d of list) {
      const key = JSON.stringify([d.file, d.line, d.column, d.endLine, d.endColumn, d.severity, d.code, d.message, d.hint]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out.sort(compareDiagnostics);
}

/** The runner's order: name, then version (newest first), then file. */
export function compareRuleResults(a: RuleResult, b: RuleResult): number {
  return (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (b.version ?? -1) - (a.version ?? -1) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
}

function mergeTest(reports: readonly TestReport[]): TestReport | string {
  const rules: RuleResult[] = [];
  const seen = new Map<string, number>();
  for (const [i, r] of reports.entries()) {
    for (const rule of r.rules) {
      const key = `${rule.file}\u0000${rule.id}\u0000${rule.version ?? ''}\u0000${rule.name}\u0000${rule.language}`;
      if (seen.has(key)) return `rule ${rule.name} (${rule.file}) is in report ${(seen.get(key) as number) + 1} and report ${i + 1}: the reports overlap (not shards of one run?)`;
      seen.set(key, i);
      rules.push(rule);
    }
  }
  rules.sort(compareRuleResults);
  const datasets = new Map<string, DatasetSummary>();
  for (const r of reports) for (const d of r.datasets) if (!datasets.has(d.path)) datasets.set(d.path, d);
  const datasetList = [...datasets.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const first = reports[0] as TestReport;
  return {
    schemaVersion: 1,
    tool: first.tool,
    command: 'test',
    summary: totals({ rules, datasets: datasetList }),
    rules,
    datasets: datasetList,
    diagnostics: unionDiagnostics(reports.map((r) => r.diagnostics)),
    // The shards ran side by side: the merged run took as long as the slowest.
    timings: { totalMs: Math.max(...reports.map((r) => r.timings.totalMs)) },
    exitCode: Math.max(...reports.map((r) => r.exitCode)),
  };
}

function mergeLint(reports: readonly LintReport[]): LintReport {
  const diagnostics = unionDiagnostics(reports.map((r) => r.diagnostics));
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const first = reports[0] as LintReport;
  const summary: LintReport['summary'] = {
    rules: Math.max(...reports.map((r) => r.summary.rules)),
    failedFiles: Math.max(...reports.map((r) => r.summary.failedFiles)),
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
  };
  if (first.summary.maxWarnings !== undefined) summary.maxWarnings = first.summary.maxWarnings;
  return { schemaVersion: 1, tool: first.tool, command: 'lint', summary, diagnostics, exitCode: Math.max(...reports.map((r) => r.exitCode)) };
}

function mergeCoverage(list: readonly CoverageSummary[]): CoverageSummary {
  const byId = new Map<string, TechniqueCoverage>();
  const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();
  for (const c of list) {
    for (const t of c.techniques) {
      const prev = byId.get(t.technique);
      byId.set(
        t.technique,
        prev
          ? { ...prev, tactics: union(prev.tactics, t.tactics), rules: union(prev.rules, t.rules), testedRules: union(prev.testedRules, t.testedRules), failingRules: union(prev.failingRules, t.failingRules) }
          : { ...t, tactics: [...t.tactics], rules: [...t.rules], testedRules: [...t.testedRules], failingRules: [...t.failingRules] },
      );
    }
  }
  const techniques = [...byId.values()].sort((a, b) => (a.technique < b.technique ? -1 : 1));
  return {
    techniques,
    totals: { techniques: techniques.length, tested: techniques.filter((t) => t.testedRules.length).length, rules: Math.max(0, ...list.map((c) => c.totals.rules)) },
  };
}

/** Check the shard annotations: all or none, one count, every index exactly once. */
function checkShards(reports: ReadonlyArray<WithShard<GatingReport>>): string | undefined {
  const shards = reports.map((r) => r.shard);
  if (shards.every((s) => !s)) return undefined;
  if (shards.some((s) => !s)) return 'some reports come from sharded runs and some do not';
  const count = (shards[0] as ShardInfo).count;
  if (shards.some((s) => (s as ShardInfo).count !== count)) return `the reports come from different shard counts (${[...new Set(shards.map((s) => s?.count))].join(', ')})`;
  const indexes = shards.map((s) => (s as ShardInfo).index).sort((a, b) => a - b);
  const dup = indexes.find((x, i) => indexes[i - 1] === x);
  if (dup !== undefined) return `shard ${dup}/${count} is given twice`;
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !indexes.includes(i));
  if (missing.length) return `shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing: a merge of incomplete shards would pass tests it never ran`;
  return undefined;
}

export function mergeReports(reports: ReadonlyArray<GatingReport>): GatingReport | string {
  if (!reports.length) return 'no reports to merge';
  const commands = [...new Set(reports.map((r) => r.command))];
  if (commands.length > 1) return `cannot merge ${commands.join(' and ')} reports together`;
  const shardProblem = checkShards(reports as ReadonlyArray<WithShard<GatingReport>>);
  if (shardProblem) return shardProblem;
  switch (commands[0]) {
    case 'lint':
      return mergeLint(reports as LintReport[]);
    case 'test':
      return mergeTest(reports as TestReport[]);
    default: {
      const checks = reports as CheckReport[];
      const test = mergeTest(checks.map((c) => c.test));
      if (typeof test === 'string') return test;
      const lint = mergeLint(checks.map((c) => c.lint));
      const coverage = mergeCoverage(checks.map((c) => c.coverage));
      const exitCode = Math.max(lint.exitCode, test.exitCode);
      const first = checks[0] as CheckReport;
      return { schemaVersion: 1, tool: first.tool, command: 'check', lint, test, coverage, exitCode };
    }
  }
}
