/** The `lint` command's JSON report. */
import { compareDiagnostics, type Diagnostic } from '../util/diagnostics.js';
import { TOOL_VERSION } from '../util/version.js';
import type { LoadResult } from '../rules/model.js';

export interface LintReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'lint';
  summary: { rules: number; failedFiles: number; errors: number; warnings: number; infos: number; maxWarnings?: number };
  diagnostics: Diagnostic[];
  exitCode: number;
}

export function lintExitCode(load: Pick<LoadResult, 'diagnostics' | 'failedFiles'>, diagnostics: readonly Diagnostic[], maxWarnings?: number): number {
  if (load.failedFiles.length || load.diagnostics.some((d) => d.severity === 'error')) return 2;
  if (diagnostics.some((d) => d.severity === 'error')) return 1;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (maxWarnings !== undefined && warnings > maxWarnings) return 1;
  return 0;
}

export function buildLintReport(load: LoadResult, findings: readonly Diagnostic[], maxWarnings?: number): LintReport {
  const diagnostics = [...load.diagnostics, ...findings].sort(compareDiagnostics);
  const count = (s: Diagnostic['severity']) => diagnostics.filter((d) => d.severity === s).length;
  const summary: LintReport['summary'] = {
    rules: load.rules.length,
    failedFiles: load.failedFiles.length,
    errors: count('error'),
    warnings: count('warning'),
    infos: count('info'),
  };
  if (maxWarnings !== undefined) summary.maxWarnings = maxWarnings;
  return {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: TOOL_VERSION },
    command: 'lint',
    summary,
    diagnostics,
    exitCode: lintExitCode(load, diagnostics, maxWarnings),
  };
}
