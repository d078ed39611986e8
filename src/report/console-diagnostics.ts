/** ESLint-"stylish"-like rendering of diagnostics, grouped by file. */
import type { ChalkInstance } from 'chalk';
import { compareDiagnostics, type Diagnostic } from '../util/diagnostics.js';

export function renderDiagnostics(diagnostics: readonly Diagnostic[], c: ChalkInstance): string {
  const sorted = [...diagnostics].sort(compareDiagnostics);
  const lines: string[] = [];
  let file: string | undefined;
  for (const d of sorted) {
    if (d.file !== file) {
      file = d.file;
      lines.push(c.underline(d.file));
    }
    const where = `${d.line}:${d.column}`.padEnd(8);
    const sev = d.severity === 'error' ? c.red('error  ') : d.severity === 'warning' ? c.yellow('warning') : c.blue('info   ');
    lines.push(`  ${c.dim(where)} ${sev}  ${d.message}  ${c.dim(d.code)}`);
    if (d.hint) lines.push(c.dim(`           ${d.hint}`));
  }
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.filter((d) => d.severity === 'warning').length;
  const infos = sorted.length - errors - warnings;
  const mark = errors ? c.red('✖') : warnings ? c.yellow('⚠') : c.blue('ℹ');
  if (sorted.length) lines.push('', `${mark} ${errors} error(s), ${warnings} warning(s)${infos ? `, ${infos} info` : ''}`);
  return lines.join('\n');
}
