/** Clause coverage for people: console and Markdown. */
import type { ChalkInstance } from 'chalk';
import type { ClauseCoverageReport, ExclusionCoverage, MutationOutcome, RuleClauseCoverage } from './clauses.js';
import { codeCell, mdCell } from './markdown.js';

const oneLine = (text: string, max = 90) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function mutationText(m: MutationOutcome | undefined, label: string): string | undefined {
  if (!m) return undefined;
  if (m.error) return `${label}: could not compile (${m.error})`;
  const caught = m.killedBy.length ? `caught by ${m.killedBy.map((n) => `"${n}"`).join(', ')}` : 'no quiet test fails';
  const vacuous = m.vacuous.length ? `; vacuous: ${m.vacuous.map((n) => `"${n}"`).join(', ')} still quiet though the exclusion removes events there` : '';
  return `${label}: ${caught}${vacuous}`;
}

function exclusionLines(x: ExclusionCoverage, c: ChalkInstance): string[] {
  const where = `${x.line}:${x.column}`;
  const head = x.exercisedBy.length
    ? `${c.green('✓')} ${where} ${oneLine(x.text)} — exercised by ${x.exercisedBy.map((n) => `"${n}"`).join(', ')}`
    : `${c.yellow('!')} ${where} ${oneLine(x.text)} — no quiet test exercises it`;
  const lines = [`    ${head}`];
  for (const m of [mutationText(x.mutation, 'drop'), mutationText(x.negation, 'negate')]) if (m) lines.push(`        ${m}`);
  return lines;
}

function ruleLines(r: RuleClauseCoverage, c: ChalkInstance, verbose: boolean): string[] {
  const title = `${c.bold(r.name)} v${r.version ?? '-'} ${c.dim(r.file)}`;
  if (r.unavailable) return [`  ${title}: ${c.dim(r.unavailable)}`];
  const s = r.summary;
  const lines = [
    `  ${title}: ${s.bothWays}/${s.predicates} predicate(s) seen true and false` +
      (s.onlyTrue ? `, ${s.onlyTrue} only true` : '') +
      (s.onlyFalse ? `, ${s.onlyFalse} only false` : '') +
      (s.never ? c.yellow(`, ${s.never} never evaluated`) : '') +
      (s.exclusions ? `; ${s.exclusions - s.unexercised}/${s.exclusions} exclusion(s) exercised by a quiet test` : ''),
  ];
  for (const p of r.predicates) {
    if (!verbose && p.true && p.false) continue;
    const mark = p.true && p.false ? c.green('✓') : p.true || p.false ? c.yellow('½') : c.red('✗');
    lines.push(`    ${mark} ${p.line}:${p.column} stage ${p.stage + 1} ${p.negated ? 'not ' : ''}${oneLine(p.text, 70)}  ${c.dim(`true ${p.true}, false ${p.false}`)}`);
  }
  for (const x of r.exclusions) lines.push(...exclusionLines(x, c));
  return lines;
}

export function renderClauseCoverageConsole(report: ClauseCoverageReport, c: ChalkInstance, options: { verbose?: boolean } = {}): string {
  const t = report.totals;
  const out = [c.bold('Clause coverage')];
  for (const r of report.rules) out.push(...ruleLines(r, c, !!options.verbose));
  out.push(
    `${t.bothWays}/${t.predicates} predicate(s) seen both ways, ${t.never} never evaluated; ${t.exclusions - t.unexercised}/${t.exclusions} exclusion(s) exercised by a quiet test` +
      (report.mutated ? `; ${t.vacuousTests} vacuous quiet test(s)` : '') +
      ` (${t.instrumented} of ${t.rules} rule(s) instrumented)`,
  );
  return out.join('\n');
}

export function renderClauseCoverageMarkdown(report: ClauseCoverageReport): string {
  const t = report.totals;
  const out = [
    '### Clause coverage',
    '',
    `${t.bothWays}/${t.predicates} predicate(s) seen both true and false, ${t.never} never evaluated; ${t.exclusions - t.unexercised}/${t.exclusions} exclusion(s) exercised by a quiet test` +
      (report.mutated ? `; **${t.vacuousTests}** vacuous quiet test(s)` : '') +
      '.',
    '',
    '| Rule | Predicates both ways | Never evaluated | Exclusions exercised | Vacuous quiet tests |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of report.rules) {
    if (r.unavailable) {
      out.push(`| ${mdCell(r.name)} v${r.version ?? '-'} | – | – | – | ${mdCell(r.unavailable)} |`);
      continue;
    }
    const s = r.summary;
    out.push(`| ${mdCell(r.name)} v${r.version ?? '-'} | ${s.bothWays}/${s.predicates} | ${s.never} | ${s.exclusions - s.unexercised}/${s.exclusions} | ${report.mutated ? s.vacuousTests : '–'} |`);
  }
  const unexercised = report.rules.flatMap((r) => r.exclusions.filter((x) => !x.exercisedBy.length).map((x) => ({ r, x })));
  if (unexercised.length) {
    out.push('', '<details><summary>Exclusions no quiet test exercises (' + unexercised.length + ')</summary>', '');
    for (const { r, x } of unexercised) out.push(`- ${mdCell(r.name)} v${r.version ?? '-'} ${codeCell(`${r.file}:${x.line}`)}: ${codeCell(oneLine(x.text, 120))}`);
    out.push('', '</details>');
  }
  const vacuous = report.rules.flatMap((r) => r.exclusions.filter((x) => x.mutation?.vacuous.length).map((x) => ({ r, x })));
  if (vacuous.length) {
    out.push('', '**Vacuous quiet tests** (still quiet when the exclusion they exercise is dropped):', '');
    for (const { r, x } of vacuous) out.push(`- ${mdCell(r.name)} v${r.version ?? '-'}: ${x.mutation?.vacuous.map((n) => `"${mdCell(n)}"`).join(', ')} — ${codeCell(oneLine(x.text, 100))}`);
  }
  return out.join('\n');
}
