/** Builds the `test` command's JSON report: the source of truth every other output renders from. */
import { compareDiagnostics, type Diagnostic } from '../util/diagnostics.js';
import { TOOL_VERSION } from '../util/version.js';
import type { ReplayOutcome } from '../replay/runner.js';
import type { TestReport, TestTotals } from '../replay/types.js';

export function totals(outcome: Pick<ReplayOutcome, 'rules' | 'datasets'>): TestTotals {
  const t: TestTotals = { rules: 0, tests: 0, passed: 0, failed: 0, errors: 0, unsupported: 0, untestedRules: 0, datasetWarnings: 0 };
  for (const r of outcome.rules) {
    t.rules++;
    if (r.status === 'untested') t.untestedRules++;
    for (const test of r.tests) {
      t.tests++;
      if (test.status === 'pass') t.passed++;
      else if (test.status === 'fail') t.failed++;
      else if (test.status === 'unsupported') t.unsupported++;
      else t.errors++;
    }
    // A rule that cannot run and has no tests still must not look like a pass.
    if (!r.tests.length && (r.status === 'error' || r.status === 'unsupported')) {
      if (r.status === 'error') t.errors++;
      else t.unsupported++;
    }
  }
  for (const d of outcome.datasets) t.datasetWarnings += d.warnings;
  return t;
}

/**
 * Exit codes (DESIGN.md): 2 for load/configuration errors and missing or unreadable datasets (wins
 * over 1); 1 for failing tests and rules that cannot run; 0 otherwise.
 */
export function testExitCode(outcome: ReplayOutcome, loadDiagnostics: readonly Diagnostic[]): number {
  const loadError = loadDiagnostics.some((d) => d.severity === 'error');
  const datasetError = outcome.diagnostics.some(
    (d) => d.severity === 'error' && (d.code === 'dataset/missing' || d.code === 'dataset/unreadable' || d.code.startsWith('dataset/lfs')),
  );
  if (loadError || datasetError) return 2;
  const t = totals(outcome);
  const strictDatasetErrors = outcome.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('dataset/'));
  if (t.failed || t.errors || t.unsupported || strictDatasetErrors) return 1;
  return 0;
}

export function buildTestReport(outcome: ReplayOutcome, loadDiagnostics: readonly Diagnostic[], totalMs: number): TestReport {
  const diagnostics = [...loadDiagnostics, ...outcome.diagnostics].sort(compareDiagnostics);
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: TOOL_VERSION },
    command: 'test',
    summary: totals(outcome),
    rules: outcome.rules,
    datasets: outcome.datasets,
    diagnostics,
    timings: { totalMs: Math.round(totalMs) },
    exitCode: testExitCode(outcome, loadDiagnostics),
  };
}
