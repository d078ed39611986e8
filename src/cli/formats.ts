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
import type { RuleproofConfig } from './config.js';
import type { LoadResult, Rule } from '../rules/model.js';
import type { Diagnostic } from '../util/diagnostics.js';
import { replayTests, type ReplayOptions, type ReplayOutcome } from '../replay/runner.js';
import { replayWithCache } from '../replay/cache.js';
import { datasetSizeCost, parseShard, shardRules, type ShardSpec } from '../replay/shard.js';
import { changedFilesSince, rulesTouchedBy } from '../github/changed-files.js';
import { writeOutputFile } from './main.js';

export { MACHINE_FORMATS } from './format-names.js';

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
export function githubEnabled(io: CliIO): boolean {
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

// ---- Scale-out: --changed-since, --shard, --cache (shared by test and check) ----

export interface ScaleOptions {
  shard?: string;
  cache?: string;
  changedSince?: string;
}

export interface RunSelection<R> {
  rules: R[];
  shard?: ShardSpec;
  emit: EmitContext;
}

/** Narrow the rules of a run to those changed since a ref, then to this runner's shard. */
export function selectForRun<R extends Rule>(io: CliIO, config: RuleproofConfig, rules: R[], opts: ScaleOptions): RunSelection<R> | number {
  const emit: EmitContext = {};
  let selected = rules;
  if (opts.changedSince) {
    const changed = changedFilesSince(config.root, opts.changedSince);
    if (typeof changed === 'string') {
      io.stderr(`ruleproof: ${changed}\n`);
      return 2;
    }
    emit.changedFiles = changed;
    selected = rulesTouchedBy(selected, changed);
    io.stderr(`ruleproof: ${selected.length} of ${rules.length} rule(s) touched by changes since ${opts.changedSince}\n`);
  }
  let shard: ShardSpec | undefined;
  if (opts.shard) {
    const spec = parseShard(opts.shard);
    if (typeof spec === 'string') {
      io.stderr(`ruleproof: ${spec}\n`);
      return 2;
    }
    shard = spec;
    const before = selected.length;
    selected = shardRules(selected, spec, datasetSizeCost(config.root));
    emit.context = `shard ${spec.index}/${spec.count}`;
    io.stderr(`ruleproof: shard ${spec.index}/${spec.count}: ${selected.length} of ${before} rule(s)\n`);
  }
  return { rules: selected, ...(shard ? { shard } : {}), emit };
}

/** Replay, through the result cache when `--cache DIR` is given. */
export async function replayForRun(io: CliIO, config: RuleproofConfig, rules: Rule[], options: ReplayOptions, opts: ScaleOptions): Promise<ReplayOutcome> {
  if (!opts.cache) return replayTests(rules, options);
  const { root: _root, ...rest } = config;
  const { outcome, stats } = await replayWithCache(rules, options, { dir: path.resolve(io.cwd, opts.cache), config: rest });
  io.stderr(`ruleproof: cache ${opts.cache}: ${stats.hits} rule(s) from the cache, ${stats.misses} replayed, ${stats.stored} stored\n`);
  return outcome;
}

/** Mark a shard's report so that merge-reports can check it has every shard exactly once. */
export function withShard<T extends GatingReport>(report: T, shard: ShardSpec | undefined): T {
  return shard ? { ...report, shard: { index: shard.index, count: shard.count } } : report;
}

/**
 * `lint --changed-since`: every rule is still linted (checks across rules need them all), but only
 * the findings in changed files and in the files of touched rules are reported and gate.
 */
export function lintChangedScope(io: CliIO, config: RuleproofConfig, loaded: LoadResult, changedSince: string | undefined): { files: Set<string>; rules: Rule[] } | number | undefined {
  if (!changedSince) return undefined;
  const changed = changedFilesSince(config.root, changedSince);
  if (typeof changed === 'string') {
    io.stderr(`ruleproof: ${changed}\n`);
    return 2;
  }
  const rules = rulesTouchedBy(loaded.rules, changed);
  const files = new Set(changed);
  for (const r of rules) {
    files.add(r.source.file);
    if (r.source.testsFile) files.add(r.source.testsFile);
  }
  io.stderr(`ruleproof: ${rules.length} of ${loaded.rules.length} rule(s) touched by changes since ${changedSince}\n`);
  return { files, rules };
}

/** The load result and findings narrowed to a `--changed-since` scope (unchanged without one). */
export function scopeLint(loaded: LoadResult, findings: Diagnostic[], scope: { files: Set<string>; rules: Rule[] } | undefined): { load: LoadResult; findings: Diagnostic[] } {
  if (!scope) return { load: loaded, findings };
  return {
    load: { rules: scope.rules, diagnostics: loaded.diagnostics.filter((d) => scope.files.has(d.file)), failedFiles: loaded.failedFiles.filter((f) => scope.files.has(f)) },
    findings: findings.filter((d) => scope.files.has(d.file)),
  };
}
