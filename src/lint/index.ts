/**
 * `ruleproof lint`: run every enabled check over every loaded rule. Schema problems are load errors
 * already (`load/*`); checks see only rules that loaded. Findings are located diagnostics, in a
 * stable order, with severities from the check's default or the configuration (`off` disables).
 */
import { locate, type Rule } from '../rules/model.js';
import { loadedWithoutWaivers } from '../rules/index.js';
import { closest } from '../rules/validate.js';
import { compareDiagnostics, type Diagnostic, type Severity } from '../util/diagnostics.js';
import { loadAttackCatalogue } from './attack/catalogue.js';
import { BUILTIN_CHECKS } from './checks/index.js';
import type { LintCheck, LintContext, SeveritySetting } from './types.js';
import { matchesGlob } from './glob.js';
import { applyWaivers, readTextOrUndefined, WAIVER_CHECKS } from './waivers.js';
import { forgetCompiledQuery } from './query.js';

export type { Finding, LintCheck, LintContext, SeveritySetting } from './types.js';
export { BUILTIN_CHECKS } from './checks/index.js';

export interface LintOptions {
  /** ATT&CK catalogue version (`18.1`); an unknown version throws a ContentError naming the bundled ones. */
  attackVersion: string;
  /** Per check id: a severity, or `off`. */
  severities: Record<string, SeveritySetting>;
  /** The checks to run (default: every built-in check). */
  checks?: readonly LintCheck[];
  /** Per path glob: severities for the rule files it matches (later entries win over earlier ones and `severities`). */
  overrides?: readonly LintOverride[];
  /** Honour `# ruleproof-disable-next-line` waivers in rule files (default true). */
  waivers?: boolean;
}

export interface LintOverride {
  files: readonly string[];
  checks: Record<string, SeveritySetting>;
}

export { applyBaseline, buildBaseline, parseBaseline, serializeBaseline, BASELINE_KIND, type FindingsBaseline, type BaselineResult } from './baseline.js';
export { parseWaivers, UNUSED_WAIVER, WAIVER_REASON, type Waiver } from './waivers.js';

const CONFIG_FILE = 'ruleproof.config.yml';

export function lintRules(rules: Rule[], options: LintOptions): Diagnostic[] {
  const checks = options.checks ?? BUILTIN_CHECKS;
  const overrides = options.overrides ?? [];
  const diagnostics: Diagnostic[] = [...unknownCheckIds(options.severities, overrides, checks)];
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
  const severityFor = severityResolver(options.severities, overrides, checks);
  // Rule by rule, so that a rule's compiled query (the largest thing checks share) can be let go
  // once every check has seen it; findings are sorted below, so the order of the loops does not show.
  // The checks that apply to each format, worked out once rather than for every rule.
  const checksByFormat = new Map<string, readonly LintCheck[]>();
  for (const rule of ordered) {
    let applicable = checksByFormat.get(rule.format);
    if (!applicable) checksByFormat.set(rule.format, (applicable = checks.filter((c) => !c.formats || c.formats.includes(rule.format))));
    for (const check of applicable) {
      const setting = severityFor(check.id, rule.source.file);
      if (setting === 'off') continue;
      const found = runCheck(check, rule, context, setting);
      if (found.length) diagnostics.push(...found);
    }
    forgetCompiledQuery(rule, context);
  }
  const files = ruleFiles(ordered);
  const waived = options.waivers === false ? diagnostics : applyWaivers(diagnostics, files.keys(), {
    readText: (file) => {
      const abs = files.get(file);
      // A file the loader read without a waiver comment in it has none to apply.
      if (abs && loadedWithoutWaivers(abs)) return '';
      return abs ? readTextOrUndefined(abs) : undefined;
    },
    severityFor,
    knownChecks: [...new Set([...BUILTIN_CHECKS, ...checks].map((c) => c.id))],
    ranChecks: checks.map((c) => c.id),
    closest: (id, known) => closest(id, [...known]),
  });
  return dedupe(waived.sort(compareDiagnostics));
}

/** The severity of a check for a file: default, then `severities`, then each matching override in order. */
function severityResolver(severities: Record<string, SeveritySetting>, overrides: readonly LintOverride[], checks: readonly LintCheck[]) {
  const defaults = new Map<string, SeveritySetting>(Object.entries(WAIVER_CHECKS).map(([id, c]) => [id, c.defaultSeverity]));
  for (const c of checks) defaults.set(c.id, c.defaultSeverity);
  const resolved = new Map<string, SeveritySetting>();
  const base = (checkId: string): SeveritySetting => {
    let setting = resolved.get(checkId);
    if (setting === undefined) resolved.set(checkId, (setting = severities[checkId] ?? defaults.get(checkId) ?? 'warning'));
    return setting;
  };
  // Without overrides the file does not matter: asked once per check and rule, so keep it cheap.
  if (!overrides.length) return (checkId: string, _file: string): SeveritySetting => base(checkId);
  const cache = new Map<string, Map<string, SeveritySetting>>();
  return (checkId: string, file: string): SeveritySetting => {
    let perFile = cache.get(file);
    if (!perFile) cache.set(file, (perFile = new Map()));
    let setting = perFile.get(checkId);
    if (setting) return setting;
    setting = base(checkId);
    for (const o of overrides) {
      const s = o.checks[checkId];
      if (s && o.files.some((g) => matchesGlob(file, g))) setting = s;
    }
    perFile.set(checkId, setting);
    return setting;
  };
}

/** Repository-relative files of the rules (rule files and test sidecars) → absolute paths, for waivers. */
function ruleFiles(rules: readonly Rule[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of rules) {
    files.set(r.source.file, r.source.absPath);
    if (r.source.testsFile) {
      const abs = r.source.absPath.replace(/\\/g, '/');
      const root = abs.endsWith(r.source.file) ? abs.slice(0, abs.length - r.source.file.length) : undefined;
      if (root !== undefined) files.set(r.source.testsFile, root + r.source.testsFile);
    }
  }
  return files;
}

function runCheck(check: LintCheck, rule: Rule, context: LintContext, severity: Severity): Diagnostic[] {
  try {
    const findings = check.check(rule, context);
    if (!findings.length) return NO_DIAGNOSTICS;
    return findings.map((finding) => {
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

const NO_DIAGNOSTICS: Diagnostic[] = [];

function compareRules(a: Rule, b: Rule): number {
  const byFile = a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0;
  return byFile || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || (a.version ?? -1) - (b.version ?? -1);
}

function dedupe(sorted: Diagnostic[]): Diagnostic[] {
  return sorted.filter((d, i) => i === 0 || compareDiagnostics(d, sorted[i - 1]!) !== 0 || d.severity !== sorted[i - 1]!.severity);
}

function unknownCheckIds(severities: Record<string, SeveritySetting>, overrides: readonly LintOverride[], checks: readonly LintCheck[]): Diagnostic[] {
  const known = [...checks.map((c) => c.id), ...Object.keys(WAIVER_CHECKS)];
  const configured = new Set([...Object.keys(severities), ...overrides.flatMap((o) => Object.keys(o.checks))]);
  return [...configured]
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
