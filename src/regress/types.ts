/** The `regress` command's JSON report: the source its console and Markdown renderings are built from. */
import type { Diagnostic } from '../util/diagnostics.js';
import type { AlertSummary } from '../replay/types.js';
import type { FieldChange } from './fields.js';

export type RuleChangeKind = 'added' | 'deleted' | 'changed' | 'renamed' | 'unchanged';

/**
 * - `ok`: no behaviour change, or one with a version increase;
 * - `bump-required`: behaviour changed and the version did not increase (a failure);
 * - `version-decreased`: the version went down (a failure);
 * - `new` / `removed`: added or deleted rules (nothing to compare).
 */
export type VersionVerdict = 'ok' | 'bump-required' | 'version-decreased' | 'new' | 'removed';

export interface RuleSide {
  file: string;
  version: number | null;
  name: string;
}

export interface DatasetDiff {
  dataset: string;
  oldAlerts: number;
  newAlerts: number;
  /** Alerts only the new version raises (identified by dataset and event keys). */
  gained: AlertSummary[];
  /** Alerts only the old version raised. */
  lost: AlertSummary[];
  unchanged: number;
  /**
   * The same detection found through other supporting events: a lost and a gained alert that end on
   * the same event (a sequence now joins its last event with a different earlier one). Counted as
   * neither lost nor gained; listed for review.
   */
  rematched: Array<{ old: AlertSummary; new: AlertSummary }>;
  /** What the new version's tests expect on this dataset (both when tests disagree; null when none). */
  expect: 'fire' | 'quiet' | 'both' | null;
  /** `fail`: an alert lost where the new tests expect fire, or gained where they expect quiet. */
  verdict: 'fail' | 'review' | 'same';
  message: string;
  /** The dataset could not be read. */
  error?: string;
}

export interface RuleRegression {
  id: string;
  name: string;
  change: RuleChangeKind;
  old?: RuleSide;
  new?: RuleSide;
  /** Fields that change behaviour (query, language, severity, Elastic `[rule]` keys, …). */
  behaviourChanges: FieldChange[];
  /** Metadata fields that changed (names only matter to a reviewer; values kept for the report). */
  metadataChanges: FieldChange[];
  version: { verdict: VersionVerdict; message: string };
  /** Per dataset, old vs new alerts; empty when the behaviour did not change. */
  datasets: DatasetDiff[];
  /** Why a side could not be replayed (compile error, unsupported language). */
  replayProblem?: string;
  verdict: 'pass' | 'fail';
}

export interface RegressSummary {
  added: number;
  deleted: number;
  changed: number;
  renamed: number;
  unchanged: number;
  versionFailures: number;
  alertFailures: number;
  alertsGained: number;
  alertsLost: number;
  alertsRematched: number;
}

export interface RegressReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'regress';
  /** What was compared: a git ref (and the commit it named) against the working tree, or two files. */
  base: { ref: string; commit: string } | { from: string; to: string };
  /** File-level changes git saw under the rule paths (for `--base`). */
  files?: Array<{ status: string; path: string; oldPath?: string }>;
  summary: RegressSummary;
  /** Changed, added, deleted and renamed rules; unchanged ones only counted. Sorted by name, then id. */
  rules: RuleRegression[];
  diagnostics: Diagnostic[];
  exitCode: number;
}
