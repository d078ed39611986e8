/**
 * `ruleproof lint`: run every enabled check over every loaded rule. Schema problems are load errors
 * already (`load/*`); checks see only rules that loaded. Findings are located diagnostics, in a
 * stable order, with severities from the check's default or the configuration (`off` disables).
 */
import { locate, type Rule } from '../rules/model.js';
import { closest } from '../rules/validate.js';
import { compareDiagnostics, type Diagnostic, type Severity } from '../util/diagnostics.js';
import { loadAttackCatalogue } from './attack/catalogue.js';
import { BUILTIN_CHECKS } from './checks/index.js';
import type { LintCheck, LintContext, SeveritySetting } from './types.js';

export type { Finding, LintCheck, LintContext, SeveritySetting } from './types.js';
export { BUILTIN_CHECKS } from './checks/index.js';

export interface LintOptions {
  /** ATT&CK catalogue version (`18.1`); an unknown version throws a ContentError naming the bundled ones. */
  attackVersion: string;
  /** Per check id: a severity, or `off`. */
  severities: Record<string, SeveritySetting>;
  /** The checks to run (default: every built-in check). */
  checks?: readonly LintCheck[];
}

const CONFIG_FILE = 'ruleproof.config.yml';

export function lintRules(rules: Rule[], options: LintOptions): Diagnostic[] {
  const checks = options.checks ?? BUILTIN_CHECKS;
  const diagnostics: Diagnostic[] = [...unknownCheckIds(options.severities, checks)];
  const ordered = [...rules].sort(compareRules);
  const memo = new Map<string, unknown>();
  const context: LintContext = {
    rules: ordered,
    attack: loadAttackCatalogue(options.attackVersion),
    memo<T>(key: string, compute: () => T): T {
      if (!memo.has(key)) memo.set(key, compute());
      return memo.get(key) as T;
    },
  };
  for (const check of checks) {
    const setting = options.severities[check.id] ?? check.defaultSeverity;
    if (setting === 'off') continue;
    for (const rule of ordered) {
      if (check.formats && !check.formats.includes(rule.format)) continue;
      diagnostics.push(...runCheck(check, rule, context, setting));
    }
  }
  return dedupe(diagnostics.sort(compareDiagnostics));
}

function runCheck(check: LintCheck, rule: Rule, context: LintContext, severity: Severity): Diagnostic[] {
  try {
    return check.check(rule, context).map((finding) => {
      const where = finding.location ?? locate(rule, finding.path ?? '');
      return {
        ...where,
        severity,
        code: check.id,
        message: finding.message,
        ...(finding.hint ? { hint: finding.hint } : {}),
      };
    });
  } catch (e) {
    // A bug in one check must not hide the findings of the others, nor crash the run.
    return [
      {
        ...locate(rule, ''),
        severity: 'error',
        code: 'lint/internal-error',
        message: `check ${check.id} failed on this rule: ${(e as Error).message}`,
        hint: 'This is a bug in ruleproof; please report it with the rule file. Other checks still ran.',
      },
    ];
  }
}

function compareRules(a: Rule, b: Rule): number {
  const byFile = a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0;
  return byFile || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.version ?? -1) - (b.version ?? -1);
}

function dedupe(sorted: Diagnostic[]): Diagnostic[] {
  return sorted.filter((d, i) => i === 0 || compareDiagnostics(d, sorted[i - 1]!) !== 0 || d.severity !== sorted[i - 1]!.severity);
}

function unknownCheckIds(severities: Record<string, SeveritySetting>, checks: readonly LintCheck[]): Diagnostic[] {
  const known = checks.map((c) => c.id);
  return Object.keys(severities)
    .filter((id) => !known.includes(id))
    .sort()
    .map((id) => {
      const guess = closest(id, known);
      return {
        file: CONFIG_FILE,
        line: 0,
        column: 0,
        severity: 'warning' as const,
        code: 'config/unknown-check',
        message: `the configuration sets a severity for "${id}", which is not a lint check`,
        hint: guess ? `Did you mean "${guess}"?` : `Lint checks: ${known.join(', ')}.`,
      };
    });
}
