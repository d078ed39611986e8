/** The regress report for people: console (with colour when it is a terminal) and Markdown. */
import type { ChalkInstance } from 'chalk';
import type { AlertSummary } from '../replay/types.js';
import type { DatasetDiff, RegressReport, RuleRegression } from './types.js';
import { codeCell, mdCell } from '../coverage/markdown.js';

function describeBase(report: RegressReport): string {
  return 'ref' in report.base ? `${report.base.ref} (${report.base.commit.slice(0, 12)}) → working tree` : `${report.base.from} → ${report.base.to}`;
}

function versions(r: RuleRegression): string {
  if (r.old && r.new) return `v${r.old.version ?? '-'} → v${r.new.version ?? '-'}`;
  if (r.new) return `v${r.new.version ?? '-'}`;
  return `v${r.old?.version ?? '-'}`;
}

function alertLine(a: AlertSummary): string {
  const e = a.events[a.events.length - 1];
  const f = e?.fields ?? {};
  const bits = [f['host.name'], f['process.name'], f['process.parent.name'] && `parent ${String(f['process.parent.name'])}`, f['source.ip'] && `from ${String(f['source.ip'])}`]
    .filter(Boolean)
    .map(String);
  return `${a.timestamp} ${e?.key ?? a.id}${bits.length ? ` (${bits.join(', ')})` : ''}`;
}

function eventKeys(a: AlertSummary): string {
  return a.events.map((e) => e.key).join(' + ');
}

function fileName(p: string): string {
  return p.split('/').pop() as string;
}

function summaryLine(report: RegressReport): string {
  const s = report.summary;
  return (
    `${s.changed} changed, ${s.renamed} renamed, ${s.added} added, ${s.deleted} deleted, ${s.unchanged} unchanged; ` +
    `alerts ${s.alertsGained} gained, ${s.alertsLost} lost, ${s.alertsRematched} re-matched; ${s.versionFailures} version failure(s), ${s.alertFailures} rule(s) with alert failures`
  );
}

export function renderRegressConsole(report: RegressReport, c: ChalkInstance, options: { maxAlerts?: number } = {}): string {
  const maxAlerts = options.maxAlerts ?? 5;
  const out: string[] = [c.bold(`Regression: ${describeBase(report)}`)];
  if (report.files?.length) out.push(c.dim(`files: ${report.files.map((f) => `${f.status} ${f.oldPath ? `${f.oldPath} → ` : ''}${f.path}`).join(', ')}`));
  if (!report.rules.length) out.push(c.green('✓ no rule changed'));
  for (const r of report.rules) {
    const mark = r.verdict === 'fail' ? c.red('✗') : c.green('✓');
    out.push('');
    out.push(`${mark} ${c.bold(r.name)}  ${r.change}  ${versions(r)}`);
    if (r.change === 'renamed' && r.old && r.new) out.push(`    moved ${r.old.file} → ${r.new.file}`);
    else out.push(c.dim(`    ${r.new?.file ?? r.old?.file}`));
    const vmark = r.version.verdict === 'bump-required' || r.version.verdict === 'version-decreased' ? c.red('version:') : c.dim('version:');
    out.push(`    ${vmark} ${r.version.message}`);
    if (r.behaviourChanges.length) out.push(`    behaviour changed: ${r.behaviourChanges.map((f) => f.field).join(', ')}`);
    if (r.metadataChanges.length) out.push(c.dim(`    metadata changed: ${r.metadataChanges.map((f) => f.field).join(', ')}`));
    if (r.replayProblem) out.push(c.yellow(`    replay: ${r.replayProblem}`));
    for (const d of r.datasets) out.push(...datasetLines(d, c, maxAlerts));
  }
  for (const d of report.diagnostics) out.push(c.yellow(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`));
  out.push('', (report.exitCode ? c.red : c.green)(summaryLine(report)));
  return out.join('\n');
}

function datasetLines(d: DatasetDiff, c: ChalkInstance, maxAlerts: number): string[] {
  const tag = d.verdict === 'fail' ? c.red('FAIL') : d.verdict === 'review' ? c.yellow('review') : c.dim('same');
  const expect = d.expect ? `tests expect ${d.expect}` : 'no test';
  const lines = [`    ${tag} ${fileName(d.dataset)} (${expect}): ${d.oldAlerts} → ${d.newAlerts} alert(s); ${d.message}`];
  for (const a of d.gained.slice(0, maxAlerts)) lines.push(c.green(`        + ${alertLine(a)}`));
  for (const a of d.lost.slice(0, maxAlerts)) lines.push(c.red(`        - ${alertLine(a)}`));
  for (const m of d.rematched.slice(0, maxAlerts)) {
    lines.push(c.cyan(`        ~ ${alertLine(m.new)}: now with ${eventKeys(m.new)} (was ${eventKeys(m.old)})`));
  }
  const hidden = Math.max(0, d.gained.length - maxAlerts) + Math.max(0, d.lost.length - maxAlerts);
  if (hidden) lines.push(c.dim(`        … ${hidden} more in the JSON report`));
  return lines;
}

export function renderRegressMarkdown(report: RegressReport): string {
  const out: string[] = ['## Rule regression', '', `Compared ${codeCell(describeBase(report))}: ${summaryLine(report)}.`, ''];
  if (!report.rules.length) out.push('No rule changed.', '');
  for (const r of report.rules) {
    out.push(`### ${r.verdict === 'fail' ? '❌' : '✅'} ${mdCell(r.name)} — ${r.change}, ${versions(r)}`, '');
    if (r.change === 'renamed' && r.old && r.new) out.push(`Moved ${codeCell(r.old.file)} → ${codeCell(r.new.file)}.`, '');
    out.push(`- **Version**: ${mdCell(r.version.message)}`);
    if (r.behaviourChanges.length) out.push(`- **Behaviour changed**: ${r.behaviourChanges.map((f) => codeCell(f.field)).join(', ')}`);
    if (r.metadataChanges.length) out.push(`- Metadata changed: ${r.metadataChanges.map((f) => codeCell(f.field)).join(', ')}`);
    if (r.replayProblem) out.push(`- Replay: ${mdCell(r.replayProblem)}`);
    out.push('');
    if (r.datasets.length) {
      out.push('| | Dataset | Tests expect | Old | New | Gained | Lost | Re-matched | Unchanged |', '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const d of r.datasets) {
        const icon = d.verdict === 'fail' ? '❌' : d.verdict === 'review' ? '🔍' : '·';
        out.push(`| ${icon} | ${codeCell(fileName(d.dataset))} | ${d.expect ?? '–'} | ${d.oldAlerts} | ${d.newAlerts} | ${d.newAlerts - d.unchanged - d.rematched.length} | ${d.oldAlerts - d.unchanged - d.rematched.length} | ${d.rematched.length} | ${d.unchanged} |`);
      }
      out.push('');
      const failing = r.datasets.filter((d) => d.verdict === 'fail');
      for (const d of failing) out.push(`- ❌ ${codeCell(fileName(d.dataset))}: ${mdCell(d.message)}`);
      if (failing.length) out.push('');
    }
  }
  return out.join('\n').trimEnd() + '\n';
}
