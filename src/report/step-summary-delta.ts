/**
 * What changed against a baseline report (the same command's JSON from the base branch, given with
 * `--baseline FILE`): tests that now fail or now pass, tests added and removed, lint findings new and
 * resolved, and the ATT&CK coverage delta. Rendered in the job summary and the PR comment.
 */
import type { RuleResult, TestResult } from '../replay/types.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { ReportParts } from './markdown.js';

export interface TestRef {
  rule: string;
  ruleId: string;
  test: string;
  dataset: string;
  file: string;
  line: number;
}

export interface BaselineDelta {
  tests?: {
    newlyFailing: TestRef[];
    fixed: TestRef[];
    added: number;
    removed: number;
  };
  lint?: { newFindings: Diagnostic[]; resolved: number };
  coverage?: {
    before: { techniques: number; tested: number };
    after: { techniques: number; tested: number };
    /** Techniques that gained / lost a passing fire test. */
    gained: string[];
    lost: string[];
  };
}

/** A test is the same test across branches when its rule (id, and version only for historical ones), name and dataset are. */
function testKey(r: RuleResult, t: TestResult): string {
  return `${r.id}@${r.historical ? r.version : 'current'}\u0000${t.name}\u0000${t.dataset}`;
}

function testRef(r: RuleResult, t: TestResult): TestRef {
  return { rule: r.version === null ? r.name : `${r.name} (v${r.version})`, ruleId: r.id, test: t.name, dataset: t.dataset, file: t.location.file, line: t.location.line };
}

/** Findings keep their identity when lines move: code, file and message. */
function findingKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.file}\u0000${d.message}`;
}

export function compareWithBaseline(current: ReportParts, baseline: ReportParts): BaselineDelta {
  const delta: BaselineDelta = {};
  if (current.test && baseline.test) {
    const before = new Map<string, TestResult>();
    for (const r of baseline.test.rules) for (const t of r.tests) before.set(testKey(r, t), t);
    const seen = new Set<string>();
    const tests = { newlyFailing: [] as TestRef[], fixed: [] as TestRef[], added: 0, removed: 0 };
    for (const r of current.test.rules) {
      for (const t of r.tests) {
        const key = testKey(r, t);
        seen.add(key);
        const old = before.get(key);
        if (!old) {
          tests.added++;
          if (t.status !== 'pass') tests.newlyFailing.push(testRef(r, t));
        } else if (old.status === 'pass' && t.status !== 'pass') tests.newlyFailing.push(testRef(r, t));
        else if (old.status !== 'pass' && t.status === 'pass') tests.fixed.push(testRef(r, t));
      }
    }
    for (const key of before.keys()) if (!seen.has(key)) tests.removed++;
    delta.tests = tests;
  }
  if (current.lint && baseline.lint) {
    // Multisets: two equal findings in one file are two findings.
    const remaining = new Map<string, number>();
    for (const d of baseline.lint.diagnostics) remaining.set(findingKey(d), (remaining.get(findingKey(d)) ?? 0) + 1);
    const newFindings: Diagnostic[] = [];
    for (const d of current.lint.diagnostics) {
      const n = remaining.get(findingKey(d)) ?? 0;
      if (n > 0) remaining.set(findingKey(d), n - 1);
      else newFindings.push(d);
    }
    const resolved = [...remaining.values()].reduce((a, b) => a + b, 0);
    delta.lint = { newFindings, resolved };
  }
  if (current.coverage && baseline.coverage) {
    const tested = (c: NonNullable<ReportParts['coverage']>) => new Set(c.techniques.filter((t) => t.testedRules.length).map((t) => t.technique));
    const now = tested(current.coverage);
    const then = tested(baseline.coverage);
    delta.coverage = {
      before: { techniques: baseline.coverage.totals.techniques, tested: baseline.coverage.totals.tested },
      after: { techniques: current.coverage.totals.techniques, tested: current.coverage.totals.tested },
      gained: [...now].filter((t) => !then.has(t)).sort(),
      lost: [...then].filter((t) => !now.has(t)).sort(),
    };
  }
  return delta;
}
