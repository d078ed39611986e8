/**
 * `lint --baseline FILE` / `--baseline-write FILE`: a findings baseline gates only new findings.
 * `--baseline` also names a base-branch JSON report (summary delta, formats.ts); the file's `kind`
 * tells the two apart, so both keep working under one option.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { applyBaseline, buildBaseline, parseBaseline, serializeBaseline, BASELINE_KIND } from '../lint/index.js';
import type { Diagnostic } from '../util/diagnostics.js';
import type { CliIO } from './main.js';
import { writeOutputFile } from './main.js';
import type { RuleproofConfig } from './config.js';
import type { LintOverride, LintOptions as LintRunOptions } from '../lint/index.js';

export interface LintGateOptions {
  baseline?: string;
  baselineWrite?: string;
}

/** lintRules options from the configuration (severities and per-glob overrides). */
export function lintRunOptions(config: RuleproofConfig, attackVersion: string): LintRunOptions {
  const overrides: LintOverride[] | undefined = config.overrides;
  return { attackVersion, severities: config.checks, ...(overrides?.length ? { overrides } : {}) };
}

/**
 * The findings that gate, and the `--baseline` left for the report summary (undefined when the
 * file was a findings baseline). A number is an exit code (unreadable or malformed baseline).
 */
export function gateWithBaseline(io: CliIO, findings: Diagnostic[], opts: LintGateOptions): { findings: Diagnostic[]; reportBaseline: string | undefined } | number {
  if (opts.baselineWrite) {
    const baseline = buildBaseline(findings);
    try {
      writeOutputFile(io, opts.baselineWrite, serializeBaseline(baseline));
    } catch (err) {
      io.stderr(`ruleproof: cannot write the baseline: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr(`ruleproof: wrote ${findings.length} finding(s) to the baseline ${opts.baselineWrite}; later runs with --baseline ${opts.baselineWrite} report only new ones\n`);
    return { findings: [], reportBaseline: opts.baseline };
  }
  if (!opts.baseline) return { findings, reportBaseline: undefined };
  const abs = path.resolve(io.cwd, opts.baseline);
  if (!existsSync(abs)) return { findings, reportBaseline: opts.baseline };
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch {
    return { findings, reportBaseline: opts.baseline };
  }
  if ((doc as { kind?: unknown } | null)?.kind !== BASELINE_KIND) return { findings, reportBaseline: opts.baseline };
  const baseline = parseBaseline(doc);
  if (typeof baseline === 'string') {
    io.stderr(`ruleproof: ${opts.baseline}: ${baseline}\n`);
    return 2;
  }
  const result = applyBaseline(findings, baseline);
  const fixedCount = result.fixed.reduce((n, e) => n + e.count, 0);
  io.stderr(
    `ruleproof: baseline ${opts.baseline}: ${result.known} known finding(s) not reported, ${result.fresh.length} new` +
      (fixedCount ? `; ${fixedCount} baseline finding(s) no longer occur (rewrite it with --baseline-write)` : '') +
      '\n',
  );
  return { findings: result.fresh, reportBaseline: undefined };
}
