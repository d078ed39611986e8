/** The contract of a lint check (ESLint style): an id, a default severity, docs, and `check`. */
import type { Severity, SourceLocation } from '../util/diagnostics.js';
import type { Rule, RuleFormat } from '../rules/model.js';
import type { AttackCatalogue } from './attack/catalogue.js';

export type SeveritySetting = Severity | 'off';

export interface LintContext {
  /** Every rule of the run, in a stable order (file, then id and version), for checks across rules. */
  readonly rules: readonly Rule[];
  readonly attack: AttackCatalogue;
  /** Computed once per run and shared by the checks that need it (indexes across rules). */
  memo<T>(key: string, compute: () => T): T;
}

/** One problem a check found in a rule; located by `path` (into the rule's document) or `location`. */
export interface Finding {
  /** Dotted path for `locate(rule, path)`, e.g. `rule.threat.0.technique.0.id`. */
  path?: string;
  /** An explicit location (e.g. in a sidecar file or inside the query text). */
  location?: SourceLocation;
  message: string;
  hint?: string;
}

export interface LintCheck {
  /** Stable id, `<area>/<name>`, used in output and configuration. */
  id: string;
  defaultSeverity: Severity;
  docs: { description: string; url?: string };
  /** Formats the check applies to; all when absent. */
  formats?: readonly RuleFormat[];
  check(rule: Rule, context: LintContext): Finding[];
}
