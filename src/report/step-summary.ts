/**
 * The Markdown a reviewer reads in ten seconds: verdict and totals first, then the failing tests with
 * why, lint errors, coverage (with the delta against a baseline), and what annotations could not
 * show. The same text is the job summary (`$GITHUB_STEP_SUMMARY`) and the sticky PR comment.
 */
import { formatLocation, type Diagnostic } from '../util/diagnostics.js';
import { explanationText, type Finding } from './sarif-findings.js';
import { mdCell, mdCode, mdDetails, mdInline, mdTable, reportParts, truncateMarkdown, type GatingReport, type ReportParts } from './markdown.js';
import type { BaselineDelta, TestRef } from './step-summary-delta.js';

/** GitHub rejects a step summary over 1 MiB; keep well under it. */
export const STEP_SUMMARY_BUDGET = 1000 * 1024;
/** An issue comment body may be at most 65,536 characters. */
export const COMMENT_BUDGET = 65_000;

export interface SummaryOptions {
  /** `https://github.com/OWNER/REPO/blob/SHA/` to turn locations into links. */
  linkBase?: string;
  delta?: BaselineDelta;
  /** Findings that did not fit into annotations. */
  overflow?: readonly Finding[];
  /** A line shown under the heading (e.g. why the PR comment could not be posted). */
  note?: string;
  /** e.g. `shard 2/4`. */
  context?: string;
  /** Byte budget (default: the step summary's). */
  maxBytes?: number;
  /** Rows per table before the rest is cut (default 50). */
  maxRows?: number;
}

function link(loc: { file: string; line: number; column?: number }, base: string | undefined): string {
  const text = mdCode(formatLocation({ file: loc.file, line: loc.line, column: loc.column ?? 0 }));
  if (!base) return text;
  const url = base + loc.file.split('/').map(encodeURIComponent).join('/') + (loc.line ? `#L${loc.line}` : '');
  return `[${text}](${url})`;
}

function verdict(parts: ReportParts): string {
  if (parts.exitCode === 0) return '✅ passed';
  if (parts.exitCode === 2) return '⛔ could not run everything (load, configuration or dataset errors)';
  return '❌ failed';
}

function totalsTable(parts: ReportParts): string {
  const rows: string[][] = [];
  const t = parts.test?.summary;
  if (t) {
    rows.push(['Rules', String(t.rules)]);
    rows.push(['Tests', `${t.tests} (${t.passed} passed, ${t.failed} failed, ${t.errors} errors, ${t.unsupported} unsupported)`]);
    if (t.untestedRules) rows.push(['Rules without tests', String(t.untestedRules)]);
    if (t.datasetWarnings) rows.push(['Malformed dataset records', String(t.datasetWarnings)]);
  }
  const l = parts.lint?.summary;
  if (l) {
    if (!t) rows.push(['Rules', String(l.rules)]);
    rows.push(['Lint', `${l.errors} errors, ${l.warnings} warnings, ${l.infos} infos${l.failedFiles ? `, ${l.failedFiles} file(s) failed to load` : ''}`]);
  }
  const c = parts.coverage?.totals;
  if (c) rows.push(['ATT&CK coverage', `${c.tested} of ${c.techniques} mapped technique(s) have a passing fire test`]);
  return mdTable(['', ''], rows);
}

function failingTests(parts: ReportParts, opts: SummaryOptions, maxRows: number): string[] {
  const out: string[] = [];
  const failing = (parts.test?.rules ?? []).flatMap((r) => r.tests.filter((t) => t.status !== 'pass').map((t) => ({ r, t })));
  const broken = (parts.test?.rules ?? []).filter((r) => !r.tests.length && r.problem);
  if (!failing.length && !broken.length) return out;
  out.push(`### Tests that did not pass (${failing.length + broken.length})`, '');
  for (const { r, t } of failing.slice(0, maxRows)) {
    const rule = r.version === null ? r.name : `${r.name} (v${r.version})`;
    out.push(`- **${mdInline(rule)}** — test ${mdCode(t.name)} (expect ${t.expect} on ${mdCode(t.dataset)}), ${link(t.location, opts.linkBase)}: **${t.status}**: ${mdInline(t.message)}`);
    const why = explanationText(t);
    if (why) out.push('', '  ' + mdDetails('why', '```text\n' + why.replace(/```/g, "'''") + '\n```').replace(/\n/g, '\n  '), '');
  }
  for (const r of broken.slice(0, Math.max(0, maxRows - failing.length))) {
    const p = r.problem as Diagnostic;
    out.push(`- **${mdInline(r.name)}** could not run, ${link(p, opts.linkBase)}: ${mdInline(p.message)}`);
  }
  const shown = Math.min(failing.length, maxRows) + Math.min(broken.length, Math.max(0, maxRows - failing.length));
  if (failing.length + broken.length > shown) out.push(`- … and ${failing.length + broken.length - shown} more (see the JSON report)`);
  out.push('');
  return out;
}

function lintTable(diagnostics: readonly Diagnostic[], opts: SummaryOptions, maxRows: number, heading: string): string[] {
  if (!diagnostics.length) return [];
  const rows = diagnostics.slice(0, maxRows).map((d) => [link(d, opts.linkBase), d.severity, mdCode(d.code), mdCell(d.message)]);
  const out = [`### ${heading} (${diagnostics.length})`, '', mdTable(['Where', 'Severity', 'Check', 'Message'], rows)];
  if (diagnostics.length > maxRows) out.push('', `… and ${diagnostics.length - maxRows} more (see the JSON or SARIF report)`);
  out.push('');
  return out;
}

function testRefLine(t: TestRef, opts: SummaryOptions): string {
  return `- ${mdInline(t.rule)} — ${mdCode(t.test)} on ${mdCode(t.dataset)} (${link(t, opts.linkBase)})`;
}

function deltaSection(delta: BaselineDelta, opts: SummaryOptions, maxRows: number): string[] {
  const out: string[] = ['### Compared with the baseline', ''];
  const c = delta.coverage;
  if (c) {
    const diff = c.after.tested - c.before.tested;
    const sign = diff > 0 ? `+${diff}` : diff === 0 ? '±0' : String(diff);
    out.push(`- ATT&CK coverage: ${c.after.tested} of ${c.after.techniques} technique(s) tested (${sign} against ${c.before.tested} of ${c.before.techniques})`);
    if (c.gained.length) out.push(`  - now tested: ${c.gained.map(mdCode).join(', ')}`);
    if (c.lost.length) out.push(`  - no longer tested: ${c.lost.map(mdCode).join(', ')}`);
  }
  const t = delta.tests;
  if (t) {
    out.push(`- Tests: ${t.newlyFailing.length} newly failing, ${t.fixed.length} fixed, ${t.added} added, ${t.removed} removed`);
  }
  const l = delta.lint;
  if (l) out.push(`- Lint: ${l.newFindings.length} new finding(s), ${l.resolved} resolved`);
  if (t?.newlyFailing.length) {
    out.push('', '**Newly failing**', '');
    for (const ref of t.newlyFailing.slice(0, maxRows)) out.push(testRefLine(ref, opts));
  }
  if (t?.fixed.length) {
    out.push('', '**Fixed**', '');
    for (const ref of t.fixed.slice(0, maxRows)) out.push(testRefLine(ref, opts));
  }
  out.push('');
  return out;
}

export function renderSummaryMarkdown(report: GatingReport, opts: SummaryOptions = {}): string {
  const parts = reportParts(report);
  const maxRows = opts.maxRows ?? 50;
  const lines: string[] = [];
  lines.push(`## ruleproof ${parts.command}${opts.context ? ` (${mdInline(opts.context)})` : ''}: ${verdict(parts)}`, '');
  if (opts.note) lines.push(`> ${mdInline(opts.note)}`, '');
  lines.push(totalsTable(parts), '');
  lines.push(...failingTests(parts, opts, maxRows));
  const diagnostics = [...(parts.lint?.diagnostics ?? [])];
  for (const d of parts.test?.diagnostics ?? []) {
    if (!diagnostics.some((x) => x.file === d.file && x.line === d.line && x.column === d.column && x.code === d.code && x.message === d.message)) diagnostics.push(d);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity !== 'error');
  lines.push(...lintTable(errors, opts, maxRows, 'Errors'));
  if (warnings.length) {
    const body = lintTable(warnings, opts, maxRows, 'Warnings and notes').slice(2).join('\n');
    lines.push(mdDetails(`Warnings and notes (${warnings.length})`, body), '');
  }
  if (opts.delta && (opts.delta.tests || opts.delta.lint || opts.delta.coverage)) lines.push(...deltaSection(opts.delta, opts, maxRows));
  const cov = parts.coverage;
  if (cov && cov.techniques.length) {
    const rows = cov.techniques.map((t) => [
      mdCode(t.technique),
      mdCell(t.name),
      t.testedRules.length ? '✅' : '⚪',
      `${t.testedRules.length}/${t.rules.length}`,
      mdCell(t.tactics.join(', ')),
    ]);
    lines.push(mdDetails(`ATT&CK coverage: ${cov.totals.tested} of ${cov.totals.techniques} technique(s) tested`, mdTable(['Technique', 'Name', 'Tested', 'Rules tested', 'Tactics'], rows)), '');
  }
  if (opts.overflow?.length) {
    lines.push(
      `> ℹ️ ${opts.overflow.length} finding(s) were not shown as annotations (GitHub shows 10 per level per step); they are listed above and in the step log.`,
      '',
    );
  }
  const text = lines.join('\n');
  return truncateMarkdown(text, opts.maxBytes ?? STEP_SUMMARY_BUDGET, (n) => `> ✂️ ${n} more line(s) cut to fit GitHub's size limit; the JSON report has everything.`);
}
