/** The human console rendering of a test report (and of the version table that `npm start` shows). */
import type { ChalkInstance } from 'chalk';
import { formatLocation } from '../util/diagnostics.js';
import type { AlertEventSummary, RuleResult, TestReport, TestResult } from '../replay/types.js';
import { renderDiagnostics } from './console-diagnostics.js';

const ICON: Record<TestResult['status'], string> = { pass: '✓', fail: '✗', error: '!', unsupported: '?' };

function statusColor(c: ChalkInstance, status: RuleResult['status']): (s: string) => string {
  switch (status) {
    case 'pass':
      return c.green;
    case 'fail':
    case 'error':
      return c.red;
    case 'unsupported':
      return c.yellow;
    default:
      return c.dim;
  }
}

function eventLine(e: AlertEventSummary): string {
  const f = e.fields;
  const bits = [`${e.timestamp} ${e.key}`];
  for (const k of ['event.code', 'host.name', 'process.name', 'process.parent.name', 'source.ip', 'destination.port', 'process.command_line']) {
    if (f[k] !== undefined) bits.push(`${k}=${JSON.stringify(f[k])}`);
  }
  return bits.join(' ');
}

function renderTest(c: ChalkInstance, t: TestResult, verbose: boolean): string[] {
  const color = statusColor(c, t.status);
  const lines = [
    `  ${color(ICON[t.status])} ${c.dim(t.expect.padEnd(5))} ${t.name} ${c.dim('—')} ${t.status === 'pass' ? t.message : color(t.message)}`,
  ];
  if (verbose || t.status !== 'pass') lines.push(c.dim(`      ${t.dataset}  (${formatLocation(t.location)})`));
  if (t.status === 'pass' && t.expect === 'quiet' && t.reason && verbose) lines.push(c.dim(`      why quiet: ${t.reason}`));
  const ex = t.explanation;
  if (ex) {
    lines.push(`      ${ex.summary}`);
    for (const s of ex.stages ?? []) {
      lines.push(c.dim(`      stage ${s.stage + 1}: ${s.matchedEvents} matching event(s) — ${s.text.replace(/\s+/g, ' ').slice(0, 160)}`));
      if (s.matchedEvents === 0 && s.nearest) {
        lines.push(c.dim(`        nearest: ${eventLine(s.nearest.event)}`));
        for (const cl of s.nearest.explanation.clauses) {
          const values = cl.values
            ? ' ' + Object.entries(cl.values).map(([k, v]) => `${k}=${v === undefined ? 'missing' : JSON.stringify(v)}`).join(', ')
            : '';
          lines.push(`          ${cl.matched ? c.green('✓') : c.red('✗')} ${cl.text.replace(/\s+/g, ' ')}${c.dim(values)}`);
        }
      }
    }
    for (const j of ex.joinAttempts ?? []) lines.push(c.dim(`        ${j}`));
    for (const a of ex.alerts ?? []) {
      lines.push(c.dim(`      alert ${a.timestamp}${a.joinKey ? ` by ${JSON.stringify(a.joinKey)}` : ''}`));
      for (const e of a.events) lines.push(c.dim(`        ${eventLine(e)}`));
    }
  }
  return lines;
}

/** For rules bundled in several versions: alerts per version on each shared dataset. */
/** How a rule's column is labelled where several versions or implementations of it sit side by side. */
function variantLabel(r: RuleResult): string {
  const version = r.version === null ? undefined : `v${r.version}`;
  if (!r.implementation) return version ?? 'v?';
  return version ? `${version} ${r.implementation}` : r.implementation;
}

/**
 * Per rule id with several versions (or implementations), each dataset's verdict side by side: the
 * behaviour a version bump changed, readable at a glance.
 */
export function versionDifferences(rules: readonly RuleResult[]): string[] {
  const byId = new Map<string, RuleResult[]>();
  for (const r of rules) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const out: string[] = [];
  for (const variants of [...byId.values()].filter((v) => v.length > 1)) {
    variants.sort((a, b) => (a.version ?? 0) - (b.version ?? 0) || (a.implementation ?? '').localeCompare(b.implementation ?? ''));
    const datasets = [...new Set(variants.flatMap((v) => v.tests.map((t) => t.dataset)))].sort();
    out.push(`${variants[0]?.name}  (${variants.map(variantLabel).join(', ')})`);
    for (const ds of datasets) {
      const cells = variants.map((v) => {
        const t = v.tests.find((x) => x.dataset === ds);
        if (!t) return `${variantLabel(v)}: –`;
        const verdict = t.status === 'pass' || t.status === 'fail' ? (t.alertCount ? `fires ${t.alertCount}` : 'quiet') : t.status;
        return `${variantLabel(v)}: ${verdict}`;
      });
      out.push(`  ${ds.split('/').pop()}: ${cells.join(' | ')}`);
    }
  }
  return out;
}

export function renderTestReport(report: TestReport, c: ChalkInstance, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  for (const r of report.rules) {
    const color = statusColor(c, r.status);
    lines.push(
      `${color(c.bold(r.name))} ${c.dim(variantLabel(r))} ${c.dim(`${r.format}/${r.language}`)}${r.historical ? c.dim(' (history)') : ''}  ${c.dim(r.file)}`,
    );
    if (r.problem) lines.push(`  ${color('!')} ${r.problem.message} ${c.dim(`(${formatLocation(r.problem)})`)}`);
    if (!r.tests.length && !r.problem) lines.push(c.dim('  no tests'));
    for (const t of r.tests) lines.push(...renderTest(c, t, !!options.verbose));
  }
  const diffs = versionDifferences(report.rules);
  if (diffs.length) {
    lines.push('', c.bold('Version differences'), ...diffs.map((d) => `  ${d}`));
  }
  const problems = report.diagnostics.filter((d) => !d.code.startsWith('query/') || !report.rules.some((r) => r.problem === d));
  if (problems.length) lines.push('', renderDiagnostics(problems, c));
  const s = report.summary;
  const events = report.datasets.reduce((n, d) => n + d.events, 0);
  // An error outside the tests (a rule path that does not exist, a rule that cannot be loaded) fails
  // the run too: the summary must not show a green mark above a failing exit code.
  const otherErrors = problems.filter((d) => d.severity === 'error').length;
  lines.push(
    '',
    c.dim(`Datasets: ${report.datasets.length} read, ${events.toLocaleString('en-US')} events, ${s.datasetWarnings} malformed record(s)`),
    `${report.exitCode !== 0 || s.failed || s.errors || s.unsupported || otherErrors ? c.red('✗') : c.green('✓')} ${s.rules} rules, ${s.tests} tests: ` +
      `${c.green(`${s.passed} passed`)}, ${s.failed ? c.red(`${s.failed} failed`) : '0 failed'}, ` +
      `${s.errors ? c.red(`${s.errors} errors`) : '0 errors'}, ${s.unsupported ? c.yellow(`${s.unsupported} unsupported`) : '0 unsupported'}` +
      (s.untestedRules ? c.yellow(`, ${s.untestedRules} rule(s) without tests`) : '') +
      (otherErrors ? c.red(`; ${otherErrors} other error(s) above`) : '') +
      c.dim(` (${(report.timings.totalMs / 1000).toFixed(1)}s)`),
  );
  return lines.join('\n');
}
