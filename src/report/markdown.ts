/**
 * The three gating reports (lint, test, check) as one input for every renderer that is not the
 * console: SARIF, JUnit, annotations, the job summary and the PR comment all start from `reportParts`,
 * so a report read back from a file (or merged from shards) renders exactly like a fresh one.
 * Also the Markdown helpers those renderers share.
 */
import type { CoverageSummary } from '../coverage/summary.js';
import type { TestReport } from '../replay/types.js';
import type { LintReport } from './lint-report.js';

/** `ruleproof check --format json` (built in src/cli/commands.ts). */
export interface CheckReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'check';
  lint: LintReport;
  test: TestReport;
  coverage: CoverageSummary;
  exitCode: number;
  /** Set by `--shard i/n` (added field; absent on unsharded runs). */
  shard?: ShardInfo;
}

export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
}

export type GatingReport = LintReport | TestReport | CheckReport;

export interface ReportParts {
  command: GatingReport['command'];
  lint?: LintReport;
  test?: TestReport;
  coverage?: CoverageSummary;
  exitCode: number;
}

export function reportParts(report: GatingReport): ReportParts {
  switch (report.command) {
    case 'lint':
      return { command: 'lint', lint: report, exitCode: report.exitCode };
    case 'test':
      return { command: 'test', test: report, exitCode: report.exitCode };
    case 'check':
      return { command: 'check', lint: report.lint, test: report.test, coverage: report.coverage, exitCode: report.exitCode };
  }
}

/** Recognize a parsed JSON document as one of the gating reports, or say why it is not one. */
export function asGatingReport(doc: unknown): GatingReport | string {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return 'not a JSON object';
  const r = doc as Record<string, unknown>;
  if (r.schemaVersion !== 1) return `unsupported schemaVersion ${JSON.stringify(r.schemaVersion)} (this ruleproof reads 1)`;
  const tool = r.tool as { name?: unknown } | undefined;
  if (tool?.name !== 'ruleproof') return 'not a ruleproof report (tool.name is not "ruleproof")';
  if (r.command === 'lint' && Array.isArray(r.diagnostics) && r.summary) return doc as LintReport;
  if (r.command === 'test' && Array.isArray(r.rules) && Array.isArray(r.diagnostics) && r.summary) return doc as TestReport;
  if (r.command === 'check' && r.lint && r.test && r.coverage) return doc as CheckReport;
  return `not a lint, test or check report (command ${JSON.stringify(r.command)})`;
}

/** Escape text for a Markdown table cell or inline position: no pipes, no line breaks, no HTML. */
export function mdCell(text: string): string {
  return mdInline(text).replace(/\|/g, '\\|');
}

/** Escape text so Markdown and HTML render it literally on one line. */
export function mdInline(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]#~])/g, '\\$1');
}

/** Inline code that survives backticks inside the text. */
export function mdCode(text: string): string {
  const flat = text.replace(/\r\n?|\n/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

export function mdTable(header: string[], rows: string[][]): string {
  const out = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const row of rows) out.push(`| ${row.join(' | ')} |`);
  return out.join('\n');
}

/** `<details>` block: GitHub renders Markdown inside when blank lines surround it. */
export function mdDetails(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/**
 * Cut Markdown to a byte budget at a line boundary, saying what was cut: a truncated summary is
 * better than none (GitHub rejects the whole step summary above 1 MiB, a comment above 65,536 chars).
 */
export function truncateMarkdown(text: string, maxBytes: number, note: (omittedLines: number) => string): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const lines = text.split('\n');
  const reserve = Buffer.byteLength(note(lines.length), 'utf8') + 64;
  let used = 0;
  let kept = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line, 'utf8') + 1;
    if (used + size > maxBytes - reserve) break;
    used += size;
    kept++;
  }
  let head = lines.slice(0, kept).join('\n');
  // An unclosed <details> would swallow the note.
  const open = (head.match(/<details>/g) ?? []).length - (head.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < open; i++) head += '\n\n</details>';
  return `${head}\n\n${note(lines.length - kept)}\n`;
}
