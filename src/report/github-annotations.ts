/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=…::message`) for the findings
 * of a report, so lint findings and failing tests show at their lines in the pull request.
 *
 * GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job);
 * the rest are silently dropped (actions/toolkit docs/problem-matchers.md, "Limitations"). So when a
 * level has more findings than that, the last slot says how many were left out, findings in files the
 * pull request changed go first, and every left-out finding is still printed as a plain log line
 * (and listed in the job summary), never lost.
 */
import { formatLocation } from '../util/diagnostics.js';
import type { Finding } from './sarif-findings.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

/** Per level, per step (GitHub's documented limit). */
export const ANNOTATIONS_PER_LEVEL = 10;

/** Command data (the message): `%`, CR and LF are percent-encoded, as the runner decodes them. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Command properties additionally encode `:` and `,`, which delimit properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(command: string, properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ' ' + props : ''}::${escapeData(message)}`;
}

export function annotationLevel(f: Finding): AnnotationLevel {
  return f.severity === 'info' ? 'notice' : f.severity;
}

export function annotationCommand(f: Finding, level: AnnotationLevel = annotationLevel(f)): string {
  const props: Record<string, string | number | undefined> = { file: f.file, title: f.title };
  if (f.line > 0) {
    props.line = f.line;
    if (f.column > 0) props.col = f.column;
    if (f.endLine !== undefined && f.endLine >= f.line) props.endLine = f.endLine;
    if (f.endColumn !== undefined && f.endColumn > 0 && (f.endLine ?? f.line) === f.line) props.endColumn = f.endColumn;
  }
  // Keys in the order GitHub documents them, for readable logs.
  const ordered: Record<string, string | number | undefined> = {};
  for (const k of ['file', 'line', 'endLine', 'col', 'endColumn', 'title']) ordered[k] = props[k];
  return workflowCommand(level, ordered, f.details ? `${f.message}\n\n${f.details}` : f.message);
}

export interface AnnotationOptions {
  /** Per level (default 10, GitHub's limit). */
  perLevel?: number;
  /** Files changed by the pull request: their findings are annotated first. */
  changedFiles?: ReadonlySet<string>;
}

export interface AnnotationPlan {
  /** The workflow-command lines to print, in order. */
  lines: string[];
  annotated: Finding[];
  /** Findings beyond the limits: printed as log lines, listed in the summary. */
  overflow: Finding[];
  /** Per level, how many findings were left out. */
  overflowCounts: Record<AnnotationLevel, number>;
}

export function planAnnotations(findings: readonly Finding[], options: AnnotationOptions = {}): AnnotationPlan {
  const perLevel = options.perLevel ?? ANNOTATIONS_PER_LEVEL;
  const changed = options.changedFiles;
  const lines: string[] = [];
  const annotated: Finding[] = [];
  const overflow: Finding[] = [];
  const overflowCounts: Record<AnnotationLevel, number> = { error: 0, warning: 0, notice: 0 };
  for (const level of ['error', 'warning', 'notice'] as const) {
    const ofLevel = findings.filter((f) => annotationLevel(f) === level);
    // Stable partition: findings in changed files first, the report's order otherwise.
    const ordered = changed ? [...ofLevel.filter((f) => changed.has(f.file)), ...ofLevel.filter((f) => !changed.has(f.file))] : ofLevel;
    const fits = ordered.length <= perLevel;
    const shown = fits ? ordered : ordered.slice(0, Math.max(0, perLevel - 1));
    for (const f of shown) {
      lines.push(annotationCommand(f, level));
      annotated.push(f);
    }
    if (!fits) {
      const rest = ordered.slice(shown.length);
      overflow.push(...rest);
      overflowCounts[level] = rest.length;
      const noun = level === 'notice' ? 'notice(s)' : `${level}(s)`;
      lines.push(
        workflowCommand(
          level,
          { title: `ruleproof: ${rest.length} more ${noun} not annotated` },
          `GitHub shows ${perLevel} ${level} annotations per step; ${rest.length} more ${noun} are listed in the job summary and in this step's log (and in the SARIF and JSON reports).`,
        ),
      );
    }
  }
  if (overflow.length) {
    lines.push(`::group::ruleproof: ${overflow.length} finding(s) beyond GitHub's annotation limit`);
    for (const f of overflow) lines.push(`${formatLocation(f)}: ${f.severity}: ${f.message} [${f.code}]`.replace(/\r?\n/g, ' '));
    lines.push('::endgroup::');
  }
  return { lines, annotated, overflow, overflowCounts };
}
