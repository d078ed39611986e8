/**
 * The outcome of replaying rules' tests: the `test` command's JSON report is built from these, and
 * every other output (console, JUnit, SARIF, GitHub, coverage) is rendered from that report.
 */
import type { Diagnostic, SourceLocation } from '../util/diagnostics.js';
import type { CountExpectation, ExpectKind, FieldView, QueryLanguage, RuleFormat } from '../rules/model.js';
import type { StageExplanation } from '../engine/types.js';

/** One event of an alert, as a report shows it: identity, time and the fields worth reading. */
export interface AlertEventSummary {
  key: string;
  timestamp: string;
  /** A handful of canonical fields (event.code, host.name, process.*, source/destination, …). */
  fields: Record<string, unknown>;
}

export interface AlertSummary {
  /** Stable identity: rule id, version, dataset and the keys of its events. */
  id: string;
  timestamp: string;
  joinKey?: unknown[];
  events: AlertEventSummary[];
}

export type TestStatus = 'pass' | 'fail' | 'error' | 'unsupported';

/** Why a test failed, in terms a detection engineer can act on. */
export interface FailureExplanation {
  /** One-paragraph verdict, e.g. "No alert: stage 2 matched 0 events; nearest candidate failed …". */
  summary: string;
  /** For a missing detection: per stage, how many events matched it and the nearest candidate. */
  stages?: Array<{
    stage: number;
    text: string;
    matchedEvents: number;
    nearest?: { event: AlertEventSummary; explanation: StageExplanation };
  }>;
  /** For a sequence whose stages all matched: the closest attempts to join them. */
  joinAttempts?: string[];
  /** For an unexpected alert or a `match`/`count` mismatch: the alerts that were produced. */
  alerts?: AlertSummary[];
}

export interface TestResult {
  name: string;
  dataset: string;
  expect: ExpectKind;
  count?: CountExpectation;
  match?: Record<string, unknown>;
  reason?: string;
  status: TestStatus;
  /** One line: what was expected and what happened. */
  message: string;
  alertCount: number;
  /** The first alerts (bounded), for the report and for `new-test`. */
  alerts: AlertSummary[];
  explanation?: FailureExplanation;
  location: SourceLocation;
  durationMs: number;
}

export interface RuleResult {
  id: string;
  version: number | null;
  name: string;
  file: string;
  format: RuleFormat;
  language: QueryLanguage;
  fieldView: FieldView;
  historical: boolean;
  /** Which implementation of a multi-implementation analytic (MITRE CAR: `EQL`, `LogPoint`) this is. */
  implementation?: string;
  /** pass: every test passed; fail: some test failed; error/unsupported: the rule could not run; untested: no tests. */
  status: TestStatus | 'untested';
  /** Why the rule could not run, when it could not. */
  problem?: Diagnostic;
  tests: TestResult[];
}

export interface DatasetSummary {
  path: string;
  events: number;
  warnings: number;
  error?: string;
}

export interface TestTotals {
  rules: number;
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  unsupported: number;
  untestedRules: number;
  datasetWarnings: number;
}

export interface TestReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'test';
  summary: TestTotals;
  rules: RuleResult[];
  datasets: DatasetSummary[];
  /** Load errors, dataset warnings and errors, sorted by location. */
  diagnostics: Diagnostic[];
  /** Wall-clock figures live here and only here. */
  timings: { totalMs: number };
  exitCode: number;
}
