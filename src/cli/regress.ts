/** `ruleproof regress`: version-bump verdicts and alert diffs, since a git ref or between two files. */
import { githubEnabled } from './formats.js';
import { appendStepSummary } from '../github/env.js';
import path from 'node:path';
import type { ChalkInstance } from 'chalk';
import { findDatasetFiles } from './data.js';
import { regressFiles, regressSinceRef } from '../regress/index.js';
import { renderRegressConsole, renderRegressMarkdown } from '../regress/render.js';
import { toPosixRelative } from '../util/paths.js';
import type { RuleproofConfig } from './config.js';
import { writeOutputFile, type CliIO } from './main.js';

export interface RegressCliOptions {
  base?: string;
  from?: string;
  to?: string;
  format: 'console' | 'json' | 'markdown';
  json?: string;
  markdown?: string;
  allDatasets?: boolean;
}

export async function regressCommand(io: CliIO, config: RuleproofConfig, paths: string[], opts: RegressCliOptions, color: ChalkInstance): Promise<number> {
  if ((opts.from && !opts.to) || (!opts.from && opts.to)) {
    io.stderr('ruleproof: --from and --to go together (two rule files to compare)\n');
    return 2;
  }
  if (opts.from && opts.base) {
    io.stderr('ruleproof: give either --base REF or --from FILE --to FILE, not both\n');
    return 2;
  }
  let extraDatasets: string[] = [];
  if (opts.allDatasets) {
    const found = await findDatasetFiles(config.root, config.datasets);
    extraDatasets = found.files.map((f) => toPosixRelative(config.root, f));
  }
  const options = { root: config.root, rules: paths.length ? paths : config.rules, extraDatasets };
  const rel = (p: string) => toPosixRelative(config.root, path.resolve(io.cwd, p));
  const report = opts.from && opts.to ? await regressFiles(rel(opts.from), rel(opts.to), options) : await regressSinceRef(opts.base, options);
  if (opts.json) writeOutputFile(io, opts.json, JSON.stringify(report, null, 2) + '\n');
  if (opts.markdown) writeOutputFile(io, opts.markdown, renderRegressMarkdown(report));
  if (opts.format === 'json') io.stdout(JSON.stringify(report, null, 2) + '\n');
  else if (opts.format === 'markdown') io.stdout(renderRegressMarkdown(report));
  else io.stdout(renderRegressConsole(report, color) + '\n');
  // In a workflow the reviewer reads the regression diff in the job summary, beside the test summary.
  if (githubEnabled(io)) appendStepSummary(io.env, renderRegressMarkdown(report));
  return report.exitCode;
}
