/**
 * `ruleproof coverage`: ATT&CK coverage of the current rules as a Navigator layer, a self-contained
 * HTML matrix, Markdown or JSON; and the coverage artefacts `ruleproof check` writes into `reports/`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadRules } from '../rules/index.js';
import type { Rule } from '../rules/model.js';
import { replayTests } from '../replay/runner.js';
import type { TestReport } from '../replay/types.js';
import { buildTestReport } from '../report/test-report.js';
import { loadAttackCatalogue } from '../lint/attack/catalogue.js';
import { buildCoverage, type CoverageReport } from '../coverage/model.js';
import { declaredDatasetTechniques } from '../coverage/datasets.js';
import { buildNavigatorLayer } from '../coverage/navigator.js';
import { renderCoverageMarkdown } from '../coverage/markdown.js';
import { renderCoverageHtml } from '../coverage/html.js';
import { ContentError } from '../util/diagnostics.js';
import { computeClauseCoverage, type ClauseCoverageReport } from '../coverage/clauses.js';
import { renderClauseCoverageConsole } from '../coverage/clauses-render.js';
import { renderDiagnostics } from '../report/console-diagnostics.js';
import type { ChalkInstance } from 'chalk';
import type { RuleproofConfig } from './config.js';
import { writeOutputFile, type CliIO } from './main.js';

export type CoverageFormat = 'navigator' | 'html' | 'markdown' | 'json';

/** File names inside `--out DIR` (and `reports/` for `check`). */
export const COVERAGE_FILES: Record<CoverageFormat, string> = {
  navigator: 'attack-navigator-layer.json',
  html: 'coverage.html',
  markdown: 'coverage.md',
  json: 'coverage.json',
};

export interface CoverageOptions {
  format?: CoverageFormat;
  out?: string;
  /** Build from an existing `test` (or `check`) JSON report instead of replaying. */
  report?: string;
  attackVersion?: string;
  strict?: boolean;
  clauseCoverage?: boolean;
  mutate?: boolean;
}

export function renderCoverage(report: CoverageReport, format: CoverageFormat, config: RuleproofConfig, attackVersion?: string): string {
  switch (format) {
    case 'navigator':
      return JSON.stringify(buildNavigatorLayer(report), null, 2) + '\n';
    case 'html':
      return renderCoverageHtml(report, loadAttackCatalogue(attackVersion ?? config.attackVersion));
    case 'markdown':
      return renderCoverageMarkdown(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
  }
}

function readTestReport(io: CliIO, file: string): TestReport & { clauseCoverage?: ClauseCoverageReport } {
  const abs = path.resolve(io.cwd, file);
  const fail = (message: string): never => {
    throw new ContentError({ file, line: 0, column: 0, severity: 'error', code: 'config/report', message, hint: 'Pass the JSON written by `ruleproof test --json FILE` or `ruleproof check --json FILE`.' });
  };
  if (!existsSync(abs)) fail(`report file ${file} does not exist`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    fail(`report file ${file} is not JSON: ${(e as Error).message}`);
  }
  const obj = data as { command?: string; test?: unknown; rules?: unknown };
  const report = obj.command === 'check' ? obj.test : obj;
  if (!report || (report as { command?: string }).command !== 'test' || !Array.isArray((report as { rules?: unknown }).rules)) {
    fail(`report file ${file} is not a ruleproof test or check report`);
  }
  return report as TestReport & { clauseCoverage?: ClauseCoverageReport };
}

/** Coverage of `rules` (current versions) given their test report; the shared core of coverage and check. */
export async function coverageFor(
  config: RuleproofConfig,
  rules: readonly Rule[],
  test: TestReport,
  options: { attackVersion?: string; clauseCoverage?: ClauseCoverageReport } = {},
): Promise<CoverageReport> {
  const catalogue = loadAttackCatalogue(options.attackVersion ?? config.attackVersion);
  const datasets = await declaredDatasetTechniques(config.root, config.datasets);
  return buildCoverage(rules, test, catalogue, { datasets, ...(options.clauseCoverage ? { clauseCoverage: options.clauseCoverage } : {}) });
}

/**
 * `ruleproof test --clause-coverage [--mutate]`: clause coverage of the rules the run replayed, and its
 * console rendering; nothing (and no extra pass over the datasets) without either flag.
 */
export async function clauseCoverageForTest(
  config: RuleproofConfig,
  rules: readonly Rule[],
  opts: { clauseCoverage?: boolean; mutate?: boolean; verbose?: boolean },
  color: ChalkInstance,
): Promise<{ report?: ClauseCoverageReport; text: string }> {
  if (!opts.clauseCoverage && !opts.mutate) return { text: '' };
  const report = await computeClauseCoverage(rules, { root: config.root, mutate: !!opts.mutate });
  return { report, text: '\n\n' + renderClauseCoverageConsole(report, color, { verbose: !!opts.verbose }) };
}

export async function coverageCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: CoverageOptions, color: ChalkInstance): Promise<number> {
  const started = performance.now();
  const loaded = await loadRules(paths.length ? paths : config.rules, { root: config.root });
  const current = loaded.rules.filter((r) => !r.historical);
  let test: TestReport;
  if (opts.report) test = readTestReport(io, opts.report);
  else {
    const outcome = await replayTests(current, { root: config.root, strict: !!opts.strict });
    test = buildTestReport(outcome, loaded.diagnostics, performance.now() - started);
  }
  const clauseCoverage =
    opts.clauseCoverage || opts.mutate
      ? await computeClauseCoverage(current, { root: config.root, mutate: !!opts.mutate })
      : (test as { clauseCoverage?: ClauseCoverageReport }).clauseCoverage;
  const report = await coverageFor(config, current, test, { ...(opts.attackVersion ? { attackVersion: opts.attackVersion } : {}), ...(clauseCoverage ? { clauseCoverage } : {}) });
  const loadErrors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (loadErrors.length) io.stderr(renderDiagnostics(loadErrors, color) + '\n');

  if (opts.out) {
    const formats = opts.format ? [opts.format] : (Object.keys(COVERAGE_FILES) as CoverageFormat[]);
    for (const f of formats) {
      const file = path.join(opts.out, COVERAGE_FILES[f]);
      writeOutputFile(io, file, renderCoverage(report, f, config, opts.attackVersion));
      io.stderr(`wrote ${file}\n`);
    }
  } else {
    io.stdout(renderCoverage(report, opts.format ?? 'markdown', config, opts.attackVersion));
  }
  return loadErrors.length ? 2 : report.exitCode;
}

/**
 * What `ruleproof check` (and so `npm start`) leaves in `reports/`: the Navigator layer and the HTML
 * page, from the check's own test report (no second replay). Returns one line to show: the files
 * written, or why they could not be (the gate's verdict does not depend on it).
 */
export async function writeCheckCoverage(config: RuleproofConfig, rules: readonly Rule[], test: TestReport): Promise<string> {
  const written: string[] = [];
  try {
    const report = await coverageFor(config, rules.filter((r) => !r.historical), test);
    const io = { cwd: config.root } as CliIO;
    for (const f of ['navigator', 'html'] as const) {
      const file = `reports/${COVERAGE_FILES[f]}`;
      writeOutputFile(io, file, renderCoverage(report, f, config));
      written.push(file);
    }
    return `coverage written to ${written.join(' and ')}`;
  } catch (err) {
    const message = err instanceof ContentError ? err.diagnostic.message : (err as Error).message;
    return `coverage files not written: ${message}`;
  }
}
