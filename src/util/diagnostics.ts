/**
 * One shape for every message ruleproof shows a user about their content: load errors, lint
 * findings, dataset warnings, query errors. Reports, SARIF and GitHub annotations all render it.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface SourceLocation {
  /** Repository-relative path with `/` separators (what a user would click on). */
  file: string;
  /** 1-based line; 0 when the problem concerns the whole file. */
  line: number;
  /** 1-based column; 0 when unknown. */
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface Diagnostic extends SourceLocation {
  severity: Severity;
  /** Stable identifier, e.g. `load/yaml-syntax`, `attack/technique-name`, `dataset/malformed-line`. */
  code: string;
  /** What is wrong, in one sentence. */
  message: string;
  /** What to do about it, when there is something to say. */
  hint?: string;
}

/** Thrown for a problem that stops one unit of work (one file, one rule) but not the whole run. */
export class ContentError extends Error {
  constructor(public readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`);
    this.name = 'ContentError';
  }
}

export function formatLocation(loc: SourceLocation): string {
  if (!loc.line) return loc.file;
  return loc.column ? `${loc.file}:${loc.line}:${loc.column}` : `${loc.file}:${loc.line}`;
}

/** Stable ordering for diagnostics: by file, line, column, then code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
