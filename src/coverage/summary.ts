/**
 * The coverage summary the gate prints: per ATT&CK technique, how many current rules map to it and
 * how many of those have a passing `fire` test. (Navigator layers, HTML and Markdown build on this.)
 */
import type { ChalkInstance } from 'chalk';
import type { Rule } from '../rules/model.js';
import type { TestReport } from '../replay/types.js';

export interface TechniqueCoverage {
  technique: string;
  name: string;
  tactics: string[];
  rules: string[];
  /** Rules with at least one passing `fire` test. */
  testedRules: string[];
  failingRules: string[];
}

export interface CoverageSummary {
  techniques: TechniqueCoverage[];
  totals: { techniques: number; tested: number; rules: number };
}

export function coverageSummary(rules: readonly Rule[], report: TestReport): CoverageSummary {
  const current = rules.filter((r) => !r.historical);
  const resultOf = (r: Rule) => report.rules.find((x) => x.id === r.id && x.version === r.version && x.file === r.source.file);
  const byTechnique = new Map<string, TechniqueCoverage>();
  for (const rule of current) {
    const result = resultOf(rule);
    const fires = !!result?.tests.some((t) => t.expect === 'fire' && t.status === 'pass');
    const failing = !!result?.tests.some((t) => t.status !== 'pass');
    for (const m of rule.threat) {
      const t = m.subtechnique ?? m.technique;
      if (!t) continue;
      let entry = byTechnique.get(t.id);
      if (!entry) byTechnique.set(t.id, (entry = { technique: t.id, name: t.name, tactics: [], rules: [], testedRules: [], failingRules: [] }));
      if (m.tactic && !entry.tactics.includes(m.tactic.name)) entry.tactics.push(m.tactic.name);
      if (!entry.rules.includes(rule.name)) entry.rules.push(rule.name);
      if (fires && !entry.testedRules.includes(rule.name)) entry.testedRules.push(rule.name);
      if (failing && !entry.failingRules.includes(rule.name)) entry.failingRules.push(rule.name);
    }
  }
  const techniques = [...byTechnique.values()].sort((a, b) => (a.technique < b.technique ? -1 : 1));
  for (const t of techniques) {
    t.tactics.sort();
    t.rules.sort();
    t.testedRules.sort();
    t.failingRules.sort();
  }
  return {
    techniques,
    totals: { techniques: techniques.length, tested: techniques.filter((t) => t.testedRules.length).length, rules: current.length },
  };
}

export function renderCoverageSummary(summary: CoverageSummary, c: ChalkInstance): string {
  const lines = summary.techniques.map((t) => {
    const mark = t.testedRules.length ? c.green('✓') : c.yellow('○');
    return `  ${mark} ${t.technique.padEnd(10)} ${t.name.padEnd(36)} ${t.testedRules.length}/${t.rules.length} rule(s) tested  ${c.dim(t.tactics.join(', '))}`;
  });
  lines.push(
    `${summary.totals.tested} of ${summary.totals.techniques} mapped technique(s) covered by a passing fire test (${summary.totals.rules} current rule(s))`,
  );
  return lines.join('\n');
}
