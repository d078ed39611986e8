/**
 * `ruleproof merge-reports FILES…`: merge the JSON reports of the shards of one run and render the
 * result like the command itself would have (any format, report files, GitHub outputs); the exit
 * code is the merged run's, so the merge job is the gate.
 */
import type { ChalkInstance } from 'chalk';
import { mergeReports } from '../replay/merge.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import { renderTestReport } from '../report/console-test.js';
import { renderCoverageSummary } from '../coverage/summary.js';
import type { GatingReport } from '../report/markdown.js';
import { emitReport, readReportFile, type ReportOutputOptions } from './formats.js';
import type { CliIO } from './main.js';

function renderConsole(report: GatingReport, color: ChalkInstance, verbose: boolean): string {
  switch (report.command) {
    case 'lint':
      return renderDiagnostics(report.diagnostics, color) || color.green(`✓ ${report.summary.rules} rule(s) linted, no problems`);
    case 'test':
      return renderTestReport(report, color, { verbose });
    case 'check': {
      const lintFindings = report.lint.diagnostics.filter((d) => !d.code.startsWith('load/'));
      return [
        color.bold('Lint'),
        (lintFindings.length ? renderDiagnostics(lintFindings, color) : color.green(`✓ ${report.lint.summary.rules} rule(s), no lint findings`)) + '\n',
        color.bold('Replay'),
        renderTestReport(report.test, color, { verbose }) + '\n',
        color.bold('ATT&CK coverage'),
        renderCoverageSummary(report.coverage, color),
      ].join('\n');
    }
  }
}

export async function mergeReportsCommand(io: CliIO, files: string[], opts: ReportOutputOptions & { verbose?: boolean }, color: ChalkInstance): Promise<number> {
  const reports: GatingReport[] = [];
  for (const file of files) {
    const r = readReportFile(io, file);
    if (typeof r === 'string') {
      io.stderr(`ruleproof: merge-reports: ${r}\n`);
      return 2;
    }
    reports.push(r);
  }
  const merged = mergeReports(reports);
  if (typeof merged === 'string') {
    io.stderr(`ruleproof: merge-reports: ${merged}\n`);
    return 2;
  }
  return emitReport(io, merged, opts, () => renderConsole(merged, color, !!opts.verbose));
}
