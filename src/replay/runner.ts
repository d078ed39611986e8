/**
 * Replays every rule's tests. Each dataset is read once per run and its events are offered to every
 * rule that has a test on it, in one pass (DESIGN.md, "Engine"); assertions are judged afterwards, and
 * only a failing test pays for a second, explaining pass over its dataset.
 */
import { existsSync } from 'node:fs';
import { compileQuery } from '../engine/index.js';
import type { CompiledQuery, QueryError } from '../engine/types.js';
import { openDataset } from '../events/dataset.js';
import type { ReplayEvent } from '../events/types.js';
import { queryPositionInFile, type Rule, type TestCase } from '../rules/model.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { resolveContentPath } from '../util/paths.js';
import { judge } from './assertions.js';
import { EXPLAINED_ALERTS, explainFailure } from './explain.js';
import { summarizeAlert } from './summarize.js';
import { datasetPathProblem } from './dataset-path.js';
import { alertWants, emptyTally, runPasses, type AlertTally, type PassJob, type PassResult } from './workers.js';
import type { DatasetSummary, RuleResult, TestResult, TestStatus } from './types.js';

export interface ReplayOptions {
  root: string;
  /** Malformed dataset lines fail the tests that read them (default: warnings). */
  strict?: boolean;
  /** How many alerts a test result carries (the count is always exact). */
  maxAlertsPerTest?: number;
  /** Datasets read at once, on worker threads (`--jobs N`; default 1: this thread). */
  jobs?: number;
  /** Told about every diagnostic that comes from reading a dataset, with the dataset (the result cache stores them per dataset). */
  onDatasetDiagnostic?: (dataset: string, diagnostic: Diagnostic) => void;
}

export interface ReplayOutcome {
  rules: RuleResult[];
  datasets: DatasetSummary[];
  diagnostics: Diagnostic[];
}

interface CompiledRule {
  rule: Rule;
  query?: CompiledQuery;
  result: RuleResult;
}

/** Compile a rule's query; a failure becomes the rule's `problem`, reported at the query's line. */
export function compileRule(rule: Rule): { query?: CompiledQuery; problem?: Diagnostic; status?: TestStatus } {
  const { query } = rule;
  const compiled = compileQuery(query.text, {
    language: query.language,
    fieldView: query.fieldView,
    ...(query.dialect ? { dialect: query.dialect } : {}),
  });
  if (compiled.ok) return { query: compiled.query };
  const first = compiled.errors[0] as QueryError;
  const pos = queryPositionInFile(query, first.line, first.column);
  const unsupported = compiled.errors.every((e) => e.kind === 'unsupported');
  return {
    status: unsupported ? 'unsupported' : 'error',
    problem: {
      file: rule.source.file,
      line: pos.line,
      column: pos.column,
      severity: 'error',
      code: unsupported ? 'replay/unsupported' : 'query/parse',
      message: unsupported
        ? `the ${query.language} query cannot be run by ruleproof: ${first.message}`
        : `the ${query.language} query does not parse: ${first.message}`,
      hint: unsupported
        ? 'This rule is reported as not run, never as passing. Rewrite the unsupported part or exclude the rule.'
        : 'Fix the query at the position shown.',
    },
  };
}

function baseResult(rule: Rule): RuleResult {
  return {
    id: rule.id,
    version: rule.version,
    name: rule.name,
    file: rule.source.file,
    format: rule.format,
    language: rule.query.language,
    fieldView: rule.query.fieldView,
    historical: rule.historical,
    ...(rule.implementation ? { implementation: rule.implementation } : {}),
    status: rule.tests.length ? 'pass' : 'untested',
    tests: [],
  };
}

function testShell(test: TestCase): Omit<TestResult, 'status' | 'message' | 'alertCount' | 'alerts' | 'durationMs'> {
  const out: Omit<TestResult, 'status' | 'message' | 'alertCount' | 'alerts' | 'durationMs'> = {
    name: test.name,
    dataset: test.dataset,
    expect: test.expect,
    location: test.location,
  };
  if (test.count) out.count = test.count;
  if (test.match) out.match = test.match;
  if (test.reason) out.reason = test.reason;
  return out;
}

const STATUS_RANK: Record<RuleResult['status'], number> = { untested: 0, pass: 1, fail: 2, unsupported: 3, error: 4 };

function worst(a: RuleResult['status'], b: RuleResult['status']): RuleResult['status'] {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

/** Sort key making results independent of discovery order. */
function ruleOrder(a: Rule, b: Rule): number {
  return (
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
    (b.version ?? -1) - (a.version ?? -1) ||
    (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0)
  );
}

export async function replayTests(rules: readonly Rule[], options: ReplayOptions): Promise<ReplayOutcome> {
  const maxAlerts = options.maxAlertsPerTest ?? 20;
  const diagnostics: Diagnostic[] = [];
  const compiled: CompiledRule[] = [...rules].sort(ruleOrder).map((rule) => {
    const result = baseResult(rule);
    const c = compileRule(rule);
    if (c.problem) {
      result.status = c.status as TestStatus;
      result.problem = c.problem;
      diagnostics.push(c.problem);
    }
    return { rule, result, ...(c.query ? { query: c.query } : {}) };
  });

  // dataset path → the rules (with a compiled query) that have at least one test on it
  const byDataset = new Map<string, CompiledRule[]>();
  for (const cr of compiled) {
    if (!cr.query) continue;
    for (const test of cr.rule.tests) {
      const list = byDataset.get(test.dataset) ?? [];
      if (!list.includes(cr)) list.push(cr);
      byDataset.set(test.dataset, list);
    }
  }

  const talliesBy = new Map<CompiledRule, Map<string, AlertTally>>();
  const datasetSummaries: DatasetSummary[] = [];
  const datasetFailure = new Map<string, string>();
  const datasetWarnings = new Map<string, number>();

  // Missing datasets are reported here; the others are read in one pass each (on worker threads
  // with --jobs), and their results applied in dataset order, so the report is the same either way.
  const jobs: PassJob[] = [];
  const datasetDiagnostics = new Map<string, Diagnostic[]>();
  for (const dataset of [...byDataset.keys()].sort()) {
    const users = byDataset.get(dataset) as CompiledRule[];
    const summary: DatasetSummary = { path: dataset, events: 0, warnings: 0 };
    datasetSummaries.push(summary);
    const found: Diagnostic[] = [];
    datasetDiagnostics.set(dataset, found);
    const file = resolveContentPath(options.root, dataset);
    const outside = datasetPathProblem(options.root, dataset);
    if (outside || !existsSync(file)) {
      const message = outside ?? `dataset ${dataset} does not exist`;
      summary.error = message;
      datasetFailure.set(dataset, message);
      for (const cr of users) {
        for (const test of cr.rule.tests.filter((t) => t.dataset === dataset)) {
          found.push({
            ...test.location,
            severity: 'error',
            code: outside ? 'dataset/outside-repository' : 'dataset/missing',
            message: `test "${test.name}" of ${cr.rule.name}: ${message}`,
            hint: outside
              ? 'Copy the dataset into the repository (e.g. under datasets/) and name it relative to the root.'
              : 'Dataset paths are relative to the repository root, with / separators. Fix the path or add the file.',
          });
        }
      }
      continue;
    }
    jobs.push({
      file,
      dataset,
      rules: users.map((cr) => cr.rule),
      // Enough alerts kept for the report and for a failing test's explanation.
      wants: users.map((cr) => alertWants(cr.rule, dataset, Math.max(maxAlerts, EXPLAINED_ALERTS))),
      queries: users.map((cr) => cr.query as CompiledQuery),
    });
  }
  const passes = await runPasses(jobs, { root: options.root, strict: !!options.strict, ...(options.jobs ? { jobs: options.jobs } : {}) });
  jobs.forEach((job, j) => {
    const { dataset } = job;
    const pass = passes[j] as PassResult;
    const users = byDataset.get(dataset) as CompiledRule[];
    const summary = datasetSummaries.find((s) => s.path === dataset) as DatasetSummary;
    const found = datasetDiagnostics.get(dataset) as Diagnostic[];
    users.forEach((cr, i) => {
      let perDataset = talliesBy.get(cr);
      if (!perDataset) talliesBy.set(cr, (perDataset = new Map()));
      perDataset.set(dataset, pass.tallies[i] ?? emptyTally());
    });
    for (const d of pass.diagnostics) {
      summary.warnings++;
      const reported: Diagnostic = options.strict && d.severity === 'warning' ? { ...d, severity: 'error' } : d;
      found.push(reported);
      options.onDatasetDiagnostic?.(dataset, reported);
    }
    summary.events = pass.events;
    if (pass.failure) {
      summary.error = pass.failure.message;
      datasetFailure.set(dataset, pass.failure.message);
      found.push(pass.failure);
      options.onDatasetDiagnostic?.(dataset, pass.failure);
    }
    datasetWarnings.set(dataset, summary.warnings);
  });
  for (const dataset of [...byDataset.keys()].sort()) diagnostics.push(...(datasetDiagnostics.get(dataset) as Diagnostic[]));

  for (const cr of compiled) {
    for (const [testIndex, test] of cr.rule.tests.entries()) {
      const started = performance.now();
      const shell = testShell(test);
      let result: TestResult;
      if (!cr.query) {
        const status = cr.result.status as TestStatus;
        result = {
          ...shell,
          status,
          message: cr.result.problem?.message ?? 'the rule could not be compiled',
          alertCount: 0,
          alerts: [],
          durationMs: 0,
        };
      } else if (datasetFailure.has(test.dataset)) {
        result = { ...shell, status: 'error', message: datasetFailure.get(test.dataset) as string, alertCount: 0, alerts: [], durationMs: 0 };
      } else {
        const tally = talliesBy.get(cr)?.get(test.dataset) ?? emptyTally();
        const verdict = judge(test, { count: tally.count, someMatch: () => tally.matched[testIndex] === true });
        const extra = test.match ? Object.keys(test.match) : [];
        result = {
          ...shell,
          status: verdict.passed ? 'pass' : 'fail',
          message: verdict.message,
          alertCount: tally.count,
          alerts: tally.kept.slice(0, maxAlerts).map((a) => summarizeAlert(cr.rule, a, extra)),
          durationMs: 0,
        };
        if (!verdict.passed && options.strict && (datasetWarnings.get(test.dataset) ?? 0) > 0) {
          result.message += ` (and the dataset has ${datasetWarnings.get(test.dataset)} malformed record(s))`;
        }
        if (verdict.passed && options.strict && (datasetWarnings.get(test.dataset) ?? 0) > 0) {
          result.status = 'fail';
          result.message = `the dataset has ${datasetWarnings.get(test.dataset)} malformed record(s) (--strict)`;
        }
        if (!verdict.passed && verdict.failure) {
          result.explanation = await explainFailure({
            rule: cr.rule,
            query: cr.query,
            test,
            alertCount: tally.count,
            alerts: tally.kept,
            failure: verdict.failure,
            file: resolveContentPath(options.root, test.dataset),
            root: options.root,
          });
        }
      }
      result.durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      cr.result.tests.push(result);
      cr.result.status = worst(cr.result.status, result.status);
    }
  }

  return {
    rules: compiled.map((c) => c.result),
    datasets: datasetSummaries,
    diagnostics,
  };
}

/** Re-read a dataset (used only by explanations of failing tests). */
export async function* replayDataset(file: string, root: string): AsyncGenerator<ReplayEvent> {
  yield* openDataset(file, { root, onDiagnostic: () => {} });
}
