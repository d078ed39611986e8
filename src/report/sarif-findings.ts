/**
 * The located problems of a gating report, in one list: lint findings, load and dataset diagnostics,
 * and tests that did not pass. SARIF results, workflow-command annotations and check-run annotations
 * are all this list in another syntax, so they agree on what is wrong and where.
 */
import { createHash } from 'node:crypto';
import { compareDiagnostics, type Diagnostic, type Severity } from '../util/diagnostics.js';
import type { RuleResult, TestResult } from '../replay/types.js';
import { reportParts, type GatingReport } from './markdown.js';

export type FindingKind = 'diagnostic' | 'test';

export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** Diagnostic code, or `test/fail`, `test/error`, `test/unsupported` for tests. */
  code: string;
  file: string;
  /** 1-based; 0 for the whole file. */
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Short heading (annotation title). */
  title: string;
  /** One paragraph: what is wrong. */
  message: string;
  /** Longer text (hint, failure explanation), when there is one. */
  details?: string;
  /** Identity that does not move with line numbers (see `fingerprint`). */
  identity: string;
  /** For tests: the rule and test they belong to. */
  rule?: { id: string; version: number | null; name: string; file: string };
  test?: { name: string; dataset: string; expect: string };
}

const TEST_CODE: Record<Exclude<TestResult['status'], 'pass'>, string> = {
  fail: 'test/fail',
  error: 'test/error',
  unsupported: 'test/unsupported',
};

function ruleLabel(r: Pick<RuleResult, 'name' | 'version'>): string {
  return r.version === null ? r.name : `${r.name} (v${r.version})`;
}

function diagnosticFinding(d: Diagnostic): Finding {
  const f: Finding = {
    kind: 'diagnostic',
    severity: d.severity,
    code: d.code,
    file: d.file,
    line: d.line,
    column: d.column,
    title: `ruleproof ${d.code}`,
    message: d.message,
    identity: `${d.code}\u0000${d.file}\u0000${d.message}`,
  };
  if (d.endLine !== undefined) f.endLine = d.endLine;
  if (d.endColumn !== undefined) f.endColumn = d.endColumn;
  if (d.hint) f.details = d.hint;
  return f;
}

/** The failure explanation as plain text (stages with the nearest candidate's clause verdicts). */
export function explanationText(t: TestResult): string | undefined {
  const ex = t.explanation;
  if (!ex) return undefined;
  const lines = [ex.summary];
  for (const s of ex.stages ?? []) {
    lines.push(`stage ${s.stage + 1}: ${s.matchedEvents} matching event(s): ${s.text.replace(/\s+/g, ' ')}`);
    if (s.matchedEvents === 0 && s.nearest) {
      lines.push(`  nearest event ${s.nearest.event.key} at ${s.nearest.event.timestamp}:`);
      for (const cl of s.nearest.explanation.clauses) {
        const values = cl.values
          ? ' (' + Object.entries(cl.values).map(([k, v]) => `${k}=${v === undefined ? 'missing' : JSON.stringify(v)}`).join(', ') + ')'
          : '';
        lines.push(`    ${cl.matched ? 'ok  ' : 'FAIL'} ${cl.text.replace(/\s+/g, ' ')}${values}`);
      }
    }
  }
  for (const j of ex.joinAttempts ?? []) lines.push(`  ${j}`);
  for (const a of ex.alerts ?? []) {
    lines.push(`alert ${a.id} at ${a.timestamp}`);
    for (const e of a.events) lines.push(`  event ${e.key} at ${e.timestamp} ${JSON.stringify(e.fields)}`);
  }
  return lines.join('\n');
}

function testFinding(r: RuleResult, t: TestResult, status: Exclude<TestResult['status'], 'pass'>): Finding {
  const verb = status === 'fail' ? 'failed' : status === 'error' ? 'could not run' : 'is not supported';
  const f: Finding = {
    kind: 'test',
    severity: 'error',
    code: TEST_CODE[status],
    file: t.location.file,
    line: t.location.line,
    column: t.location.column,
    title: `ruleproof: test "${t.name}" ${verb}`,
    message: `${ruleLabel(r)}: test "${t.name}" (expect ${t.expect} on ${t.dataset}) ${verb}: ${t.message}`,
    identity: `${TEST_CODE[status]}\u0000${r.id}\u0000${r.version ?? ''}\u0000${r.file}\u0000${t.name}\u0000${t.dataset}`,
    rule: { id: r.id, version: r.version, name: r.name, file: r.file },
    test: { name: t.name, dataset: t.dataset, expect: t.expect },
  };
  const why = explanationText(t);
  if (why) f.details = why;
  return f;
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return compareDiagnostics(a, b) === 0 && a.severity === b.severity;
}

/**
 * Every finding of a report, errors first, then by location. A test that could not run because of a
 * problem already reported as an error diagnostic at its place (an unsupported query, a missing
 * dataset) is not reported twice.
 */
export function reportFindings(report: GatingReport): Finding[] {
  const parts = reportParts(report);
  const diagnostics: Diagnostic[] = [];
  for (const d of [...(parts.lint?.diagnostics ?? []), ...(parts.test?.diagnostics ?? [])]) {
    if (!diagnostics.some((x) => sameDiagnostic(x, d))) diagnostics.push(d);
  }
  diagnostics.sort(compareDiagnostics);
  const findings = diagnostics.map(diagnosticFinding);
  const errorAt = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}`));
  for (const r of parts.test?.rules ?? []) {
    for (const t of r.tests) {
      if (t.status === 'pass') continue;
      if (t.status !== 'fail' && (r.problem || errorAt.has(`${t.location.file}:${t.location.line}`))) continue;
      findings.push(testFinding(r, t, t.status));
    }
  }
  const rank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank[a.f.severity] - rank[b.f.severity] || compareDiagnostics(toDiag(a.f), toDiag(b.f)) || a.i - b.i)
    .map((x) => x.f);
}

function toDiag(f: Finding): Diagnostic {
  return { file: f.file, line: f.line, column: f.column, severity: f.severity, code: f.code, message: f.message };
}

/**
 * A fingerprint that survives unrelated edits: it hashes what the finding is about (code, file, the
 * message or the rule and test) but not its line, so an alert tracks the same problem across commits
 * that move it; equal findings in one file are told apart by their order.
 */
export function fingerprints(findings: readonly Finding[]): string[] {
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const n = seen.get(f.identity) ?? 0;
    seen.set(f.identity, n + 1);
    return createHash('sha256').update(`${f.identity}\u0000${n}`).digest('hex').slice(0, 32);
  });
}
