/**
 * Inline waivers in rule files (YAML and TOML both use `#` comments):
 *
 *   # ruleproof-disable-next-line attack/name-mismatch -- MITRE renames this in 19.0
 *
 * suppress the named checks' findings on the next line that holds content (waivers may stack).
 * A waiver must say why (`-- reason`), and one that suppresses nothing is reported, so waivers do
 * not outlive the problem they excused.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic, Severity } from '../util/diagnostics.js';
import type { SeveritySetting } from './types.js';

export const UNUSED_WAIVER = 'lint/unused-waiver';
export const WAIVER_REASON = 'lint/waiver-reason';
/** Checks the waiver mechanism itself reports, configurable like any check. */
export const WAIVER_CHECKS: Record<string, { defaultSeverity: Severity; description: string }> = {
  [UNUSED_WAIVER]: { defaultSeverity: 'warning', description: 'A ruleproof-disable-next-line waiver that suppresses no finding.' },
  [WAIVER_REASON]: { defaultSeverity: 'error', description: 'A ruleproof-disable-next-line waiver without a "-- reason".' },
};

const DIRECTIVE = /^(\s*)#\s*ruleproof-disable-next-line\b(.*)$/;

export interface Waiver {
  file: string;
  /** Line and column of the comment. */
  line: number;
  column: number;
  /** The line whose findings it suppresses (0 when nothing follows). */
  target: number;
  checks: string[];
  reason?: string;
}

/** The waivers of one file's text. */
export function parseWaivers(file: string, text: string): Waiver[] {
  if (!text.includes('ruleproof-disable-next-line')) return [];
  const lines = text.split(/\r\n|\r|\n/);
  const out: Waiver[] = [];
  const pending: Waiver[] = [];
  for (const [i, line] of lines.entries()) {
    const m = DIRECTIVE.exec(line);
    if (m) {
      const body = m[2]!;
      const cut = body.indexOf('--');
      const ids = (cut < 0 ? body : body.slice(0, cut)).split(/[\s,]+/).filter(Boolean);
      const reason = cut < 0 ? '' : body.slice(cut + 2).trim();
      const waiver: Waiver = { file, line: i + 1, column: m[1]!.length + 1, target: 0, checks: ids, ...(reason ? { reason } : {}) };
      out.push(waiver);
      pending.push(waiver);
      continue;
    }
    // Blank lines and other comments between a waiver and its target do not consume it.
    if (!line.trim() || line.trim().startsWith('#')) continue;
    for (const w of pending) w.target = i + 1;
    pending.length = 0;
  }
  return out;
}

export interface WaiverOptions {
  /** Text of a file by repository-relative path; undefined when it cannot be read. */
  readText: (file: string) => string | undefined;
  /** Severity of a check for a file (after configuration and overrides). */
  severityFor: (checkId: string, file: string) => SeveritySetting;
  knownChecks: readonly string[];
  /** Checks that ran: a waiver of a known check that did not run cannot be judged unused. */
  ranChecks: readonly string[];
  closest: (id: string, known: readonly string[]) => string | undefined;
}

/** Drop waived findings; add findings for waivers without a reason or that suppress nothing. */
export function applyWaivers(findings: Diagnostic[], files: Iterable<string>, options: WaiverOptions): Diagnostic[] {
  const byFile = new Map<string, Waiver[]>();
  for (const file of files) {
    if (byFile.has(file)) continue;
    const text = options.readText(file);
    byFile.set(file, text === undefined ? [] : parseWaivers(file, text));
  }
  const used = new Set<string>();
  const kept = findings.filter((d) => {
    const waivers = byFile.get(d.file);
    if (!waivers?.length || d.code.startsWith('lint/')) return true;
    const waiver = waivers.find((w) => w.target === d.line && w.checks.includes(d.code));
    if (!waiver) return true;
    used.add(`${waiver.file}:${waiver.line}:${d.code}`);
    return false;
  });
  const extra: Diagnostic[] = [];
  const report = (w: Waiver, code: string, message: string, hint: string) => {
    const severity = options.severityFor(code, w.file);
    if (severity !== 'off') extra.push({ file: w.file, line: w.line, column: w.column, severity, code, message, hint });
  };
  for (const waivers of byFile.values()) {
    for (const w of waivers) {
      if (!w.reason) {
        report(w, WAIVER_REASON, 'this waiver does not say why the finding is acceptable', 'Add the reason after two dashes: # ruleproof-disable-next-line <check-id> -- <reason>.');
      }
      if (!w.checks.length) {
        report(w, UNUSED_WAIVER, 'this waiver names no check, so it suppresses nothing', 'Name the check id(s) to waive, e.g. # ruleproof-disable-next-line attack/name-mismatch -- <reason>.');
        continue;
      }
      for (const id of w.checks) {
        if (used.has(`${w.file}:${w.line}:${id}`)) continue;
        if (!options.knownChecks.includes(id)) {
          const guess = options.closest(id, options.knownChecks);
          report(w, UNUSED_WAIVER, `this waiver names "${id}", which is not a lint check`, guess ? `Did you mean "${guess}"?` : 'Use a check id as shown in the findings.');
          continue;
        }
        // A check that is off (or not run) cannot produce findings to waive; that is configuration, not a stale waiver.
        if (!options.ranChecks.includes(id) || options.severityFor(id, w.file) === 'off') continue;
        report(
          w,
          UNUSED_WAIVER,
          w.target ? `this waiver of ${id} suppresses nothing: line ${w.target} has no ${id} finding` : `this waiver of ${id} is at the end of the file and suppresses nothing`,
          'Remove the waiver (the problem it excused is gone), or move it to the line before the finding.',
        );
      }
    }
  }
  return [...kept, ...extra];
}

/** Read a rule file for waivers; rule files are small and read once per run. */
export function readTextOrUndefined(absPath: string): string | undefined {
  try {
    return readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
}
