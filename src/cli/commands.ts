/** lint, test and check: the commands that gate a pull request. */
import type { ChalkInstance } from 'chalk';
import { loadRules } from '../rules/index.js';
import { lintRules } from '../lint/index.js';
import type { LoadResult, Rule } from '../rules/model.js';
import { buildTestReport } from '../report/test-report.js';
import { renderTestReport } from '../report/console-test.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import { buildLintReport } from '../report/lint-report.js';
import { coverageSummary, renderCoverageSummary } from '../coverage/summary.js';
import { clauseCoverageForTest, writeCheckCoverage } from './coverage.js';
import { updateCounts } from './new-test.js';
import { TOOL_VERSION } from '../util/version.js';
import type { CheckReport } from '../report/markdown.js';
import type { RuleproofConfig } from './config.js';
import type { CliIO } from './main.js';
import { fixRuleFiles } from './lint-fix.js';
import { gateWithBaseline, lintRunOptions, type LintGateOptions } from './lint-gate.js';
import { emitReport, lintChangedScope, replayForRun, scopeLint, selectForRun, withShard, type ReportOutputOptions, type ScaleOptions } from './formats.js';
import { prestartWorkers } from '../replay/workers.js';

export async function loadForCommand(config: RuleproofConfig, paths: string[]): Promise<LoadResult> {
  return loadRules(paths.length ? paths : config.rules, { root: config.root });
}

function selectRules(rules: Rule[], filters: string[] | undefined): Rule[] {
  if (!filters?.length) return rules;
  const wanted = filters.map((f) => f.toLowerCase());
  return rules.filter((r) =>
    wanted.some(
      (w) =>
        r.id.toLowerCase() === w ||
        // An id prefix, as git abbreviates hashes; short ones would match by accident.
        (w.length >= 8 && r.id.toLowerCase().startsWith(w)) ||
        r.name.toLowerCase().includes(w) ||
        r.source.file.toLowerCase().includes(w),
    ),
  );
}

/** A filter that selects nothing is a mistake worth stopping for, not a green run of zero tests. */
function emptySelection(rules: Rule[], opts: { rule?: string[]; dataset?: string[] }): string | undefined {
  if (opts.rule?.length && !rules.length) return `no rule matches --rule ${opts.rule.join(' ')} (give a rule id or id prefix, part of its name, or part of its file path)`;
  if (opts.dataset?.length && !rules.some((r) => r.tests.length)) return `no test replays a dataset matching --dataset ${opts.dataset.join(' ')}`;
  return undefined;
}

function selectTests(rules: Rule[], datasetFilters: string[] | undefined): Rule[] {
  if (!datasetFilters?.length) return rules;
  return rules.map((r) => ({ ...r, tests: r.tests.filter((t) => datasetFilters.some((f) => t.dataset.includes(f.replace(/\\/g, '/')))) }));
}

interface LintOptions extends ReportOutputOptions, LintGateOptions {
  changedSince?: string;
  maxWarnings?: number;
  attackVersion?: string;
  fix?: boolean;
}

export async function lintCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: LintOptions, color: ChalkInstance): Promise<number> {
  let loaded = await loadForCommand(config, paths);
  if (opts.fix) {
    const fixed = fixRuleFiles(io, loaded, opts.attackVersion ?? config.attackVersion);
    if (fixed < 0) return 2;
    if (fixed > 0) loaded = await loadForCommand(config, paths);
  }
  const scope = lintChangedScope(io, config, loaded, opts.changedSince);
  if (typeof scope === 'number') return scope;
  const findings = lintRules(loaded.rules, lintRunOptions(config, opts.attackVersion ?? config.attackVersion));
  const scoped = scopeLint(loaded, findings, scope);
  const gated = gateWithBaseline(io, scoped.findings, opts);
  if (typeof gated === 'number') return gated;
  const { baseline: _findingsBaseline, ...reportOpts } = opts;
  const report = buildLintReport(scoped.load, gated.findings, opts.maxWarnings);
  return emitReport(io, report, { ...reportOpts, ...(gated.reportBaseline ? { baseline: gated.reportBaseline } : {}) }, () => renderDiagnostics(report.diagnostics, color) || color.green(`✓ ${report.summary.rules} rule(s) linted, no problems`));
}

interface TestOptions extends ReportOutputOptions, ScaleOptions {
  rule?: string[];
  dataset?: string[];
  strict?: boolean;
  /** Datasets read at once, on worker threads. */
  jobs?: number;
  verbose?: boolean;
  clauseCoverage?: boolean;
  mutate?: boolean;
  update?: boolean;
}

export async function testCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: TestOptions, color: ChalkInstance): Promise<number> {
  const started = performance.now();
  prestartWorkers(opts.jobs);
  const loaded = await loadForCommand(config, paths);
  const rules = selectTests(selectRules(loaded.rules, opts.rule), opts.dataset);
  const empty = emptySelection(rules, opts);
  if (empty) {
    io.stderr(`ruleproof: ${empty}\n`);
    return 2;
  }
  const run = selectForRun(io, config, rules, opts);
  if (typeof run === 'number') return run;
  const outcome = await replayForRun(io, config, run.rules, { root: config.root, strict: !!opts.strict, ...(opts.jobs ? { jobs: opts.jobs } : {}) }, opts);
  const report = withShard(buildTestReport(outcome, loaded.diagnostics, performance.now() - started), run.shard);
  const clauses = await clauseCoverageForTest(config, run.rules, opts, color);
  const updated = opts.update ? updateCounts(config.root, run.rules, report, color) : undefined;
  // Clause coverage rides along in the JSON report as an added field (docs/coverage.md).
  const full = clauses.report ? Object.assign({}, report, { clauseCoverage: clauses.report }) : report;
  const code = emitReport(io, full, opts, () => renderTestReport(report, color, { verbose: !!opts.verbose }) + clauses.text + (updated?.text ?? ''), run.emit);
  return updated && code === 1 && updated.unresolved === 0 ? 0 : code;
}

/** lint + test + coverage summary in one report: the gate `npm start` runs on the bundled content. */
export async function checkCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: TestOptions & { attackVersion?: string }, color: ChalkInstance): Promise<number> {
  const started = performance.now();
  prestartWorkers(opts.jobs);
  const loaded = await loadForCommand(config, paths);
  const scope = lintChangedScope(io, config, loaded, opts.changedSince);
  if (typeof scope === 'number') return scope;
  const findings = lintRules(loaded.rules, lintRunOptions(config, opts.attackVersion ?? config.attackVersion));
  const scoped = scopeLint(loaded, findings, scope);
  // A findings baseline gates only new lint findings, as with `lint --baseline`; a base-branch report stays a summary comparison.
  const gated = gateWithBaseline(io, scoped.findings, { ...(opts.baseline ? { baseline: opts.baseline } : {}) });
  if (typeof gated === 'number') return gated;
  const lint = buildLintReport(scoped.load, gated.findings, undefined);
  const run = selectForRun(io, config, loaded.rules, opts);
  if (typeof run === 'number') return run;
  const outcome = await replayForRun(io, config, run.rules, { root: config.root, strict: !!opts.strict, ...(opts.jobs ? { jobs: opts.jobs } : {}) }, opts);
  const test = buildTestReport(outcome, loaded.diagnostics, performance.now() - started);
  const coverage = coverageSummary(loaded.rules, test);
  const coverageFiles = await writeCheckCoverage(config, loaded.rules, test);
  const exitCode = Math.max(lint.exitCode === 2 || test.exitCode === 2 ? 2 : 0, lint.exitCode, test.exitCode);
  const report = withShard<CheckReport>({ schemaVersion: 1, tool: { name: 'ruleproof', version: TOOL_VERSION }, command: 'check', lint, test, coverage, exitCode }, run.shard);
  const { baseline: _findingsBaseline, ...reportOpts } = opts;
  return emitReport(io, report, { ...reportOpts, ...(gated.reportBaseline ? { baseline: gated.reportBaseline } : {}) }, () => {
    const lintFindings = lint.diagnostics.filter((d) => !d.code.startsWith('load/'));
    return [
      color.bold('Lint'),
      (lintFindings.length ? renderDiagnostics(lintFindings, color) : color.green(`✓ ${lint.summary.rules} rule(s), no lint findings`)) + '\n',
      color.bold('Replay'),
      renderTestReport(test, color, { verbose: !!opts.verbose }) + '\n',
      color.bold('ATT&CK coverage'),
      renderCoverageSummary(coverage, color),
      color.dim(coverageFiles),
    ].join('\n');
  }, run.emit);
}
