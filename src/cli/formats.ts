/**
 * Everything lint, test, check and merge-reports do with a finished report: the stdout format
 * (console, json, sarif, junit, github, markdown), the report files (`--json`, `--junit`, `--sarif`,
 * `--markdown`), and, inside GitHub Actions, annotations at the findings' lines, the job summary and
 * the step outputs. Every output renders from the JSON report, so a report read back from a file or
 * merged from shards renders exactly like a fresh one.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderJunit } from '../report/junit.js';
import { renderSarifText } from '../report/sarif.js';
import { reportFindings, type Finding } from '../report/sarif-findings.js';
import { planAnnotations } from '../report/github-annotations.js';
import { renderSummaryMarkdown, STEP_SUMMARY_BUDGET } from '../report/step-summary.js';
import { compareWithBaseline, type BaselineDelta } from '../report/step-summary-delta.js';
import { asGatingReport, reportParts, type GatingReport } from '../report/markdown.js';
import { appendStepSummary, blobLinkBase, githubContext, inGitHubActions, stepSummaryUsed, writeOutputs } from '../github/env.js';
import type { CliIO } from './main.js';
import { writeOutputFile } from './main.js';

export const MACHINE_FORMATS = ['json', 'sarif', 'junit', 'github', 'markdown'] as const;

export interface ReportOutputOptions {
  format: string;
  json?: string;
  junit?: string;
  sarif?: string;
  markdown?: string;
  baseline?: string;
}

export interface EmitContext {
  /** Files changed since `--changed-since`: their findings are annotated first. */
  changedFiles?: ReadonlySet<string>;
  /** Shown in the summary heading (e.g. `shard 2/4`). */
  context?: string;
}

/** Read and recognize a JSON report; a string is the reason it could not be used. */
export function readReportFile(io: CliIO, file: string): GatingReport | string {
  const abs = path.resolve(io.cwd, file);
  if (!existsSync(abs)) return `${file} does not exist`;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    return `${file} is not valid JSON: ${(err as Error).message}`;
  }
  const report = asGatingReport(doc);
  return typeof report === 'string' ? `${file}: ${report}` : report;
}

function baselineDelta(io: CliIO, report: GatingReport, file: string | undefined): BaselineDelta | undefined {
  if (!file) return undefined;
  const baseline = readReportFile(io, file);
  if (typeof baseline === 'string') {
    // The base branch may not have a report yet (first run): say so, but do not fail the gate for it.
    io.stderr(`ruleproof: warning: --baseline ignored: ${baseline}\n`);
    return undefined;
  }
  return compareWithBaseline(reportParts(report), reportParts(baseline));
}

/** `RULEPROOF_GITHUB=off` turns the automatic GitHub Actions outputs off. */
function githubEnabled(io: CliIO): boolean {
  return inGitHubActions(io.env) && !/^(0|off|false|no)$/i.test(io.env.RULEPROOF_GITHUB ?? '');
}

export function stepOutputs(report: GatingReport): Record<string, string | number | boolean> {
  const parts = reportParts(report);
  const out: Record<string, string | number | boolean> = {
    command: parts.command,
    'exit-code': parts.exitCode,
    passed: parts.exitCode === 0,
  };
  const t = parts.test?.summary;
  if (t) Object.assign(out, { rules: t.rules, tests: t.tests, 'tests-passed': t.passed, 'tests-failed': t.failed, 'tests-errors': t.errors, 'tests-unsupported': t.unsupported, 'untested-rules': t.untestedRules });
  const l = parts.lint?.summary;
  if (l) Object.assign(out, { 'lint-errors': l.errors, 'lint-warnings': l.warnings });
  if (!t && l) out.rules = l.rules;
  const c = parts.coverage?.totals;
  if (c) Object.assign(out, { 'techniques-mapped': c.techniques, 'techniques-tested': c.tested });
  return out;
}

/**
 * Write the report where it was asked for and print it in the chosen format; returns the exit code
 * (the report's own, or 2 when an output file cannot be written).
 */
export function emitReport(io: CliIO, report: GatingReport, opts: ReportOutputOptions, renderConsole: () => string, ctx: EmitContext = {}): number {
  const delta = baselineDelta(io, report, opts.baseline);
  const github = githubEnabled(io);
  const gh = github || opts.format === 'github' ? githubContext(io.env) : undefined;
  let findings: Finding[] | undefined;
  const allFindings = () => (findings ??= reportFindings(report));
  const plan = () =>
    planAnnotations(allFindings(), ctx.changedFiles ? { changedFiles: ctx.changedFiles } : {});
  const summary = (overflow?: readonly Finding[], maxBytes = STEP_SUMMARY_BUDGET) => {
    const linkBase = gh ? blobLinkBase(gh) : undefined;
    return renderSummaryMarkdown(report, {
      ...(linkBase ? { linkBase } : {}),
      ...(delta ? { delta } : {}),
      ...(overflow?.length ? { overflow } : {}),
      ...(ctx.context ? { context: ctx.context } : {}),
      maxBytes,
    });
  };

  try {
    if (opts.json) writeOutputFile(io, opts.json, JSON.stringify(report, null, 2) + '\n');
    if (opts.sarif) writeOutputFile(io, opts.sarif, renderSarifText(report));
    if (opts.junit) writeOutputFile(io, opts.junit, renderJunit(report));
    if (opts.markdown) writeOutputFile(io, opts.markdown, summary());
  } catch (err) {
    io.stderr(`ruleproof: cannot write a report file: ${(err as Error).message}\n`);
    return 2;
  }

  let annotationPlan: ReturnType<typeof plan> | undefined;
  switch (opts.format) {
    case 'json':
      io.stdout(JSON.stringify(report, null, 2) + '\n');
      break;
    case 'sarif':
      io.stdout(renderSarifText(report));
      break;
    case 'junit':
      io.stdout(renderJunit(report));
      break;
    case 'markdown':
      io.stdout(summary());
      break;
    case 'github':
      annotationPlan = plan();
      io.stdout(annotationPlan.lines.join('\n') + (annotationPlan.lines.length ? '\n' : ''));
      break;
    default:
      io.stdout(renderConsole() + '\n');
      // Annotations only where stdout is for people: a machine format must stay parseable.
      if (github) {
        annotationPlan = plan();
        if (annotationPlan.lines.length) io.stdout(annotationPlan.lines.join('\n') + '\n');
      }
  }

  if (github) {
    appendStepSummary(io.env, summary(annotationPlan?.overflow, Math.max(4096, STEP_SUMMARY_BUDGET - stepSummaryUsed(io.env))));
    writeOutputs(io.env, { ...stepOutputs(report), ...(opts.json ? { report: opts.json } : {}), ...(opts.sarif ? { sarif: opts.sarif } : {}), ...(opts.junit ? { junit: opts.junit } : {}) });
  }
  return reportParts(report).exitCode;
}
