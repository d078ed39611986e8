/** Coverage as GitHub-flavoured Markdown, for a pull-request comment or a job summary. */
import { renderClauseCoverageMarkdown } from './clauses-render.js';
import { statusOf, type CoverageReport, type CoverageRule, type TechniqueCoverageEntry } from './model.js';

const ICON: Record<TechniqueCoverageEntry['status'], string> = { tested: '✅', failing: '❌', untested: '⚠️', none: '·' };
const RULE_ICON: Record<CoverageRule['status'], string> = { tested: '✅', failing: '❌', 'quiet-only': '⚠️', untested: '⚠️' };

/** Escape what would break a table cell or start markup. */
export function mdCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/([*_`<>[\]])/g, '\\$1');
}

/** A code span in a table cell: no escapes inside, only the pipe and backtick must not appear. */
export function codeCell(text: string): string {
  return '`' + text.replace(/[`|\r\n]/g, ' ') + '`';
}

export function renderCoverageMarkdown(report: CoverageReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`## ATT&CK coverage (Enterprise ${report.attack.version})`, '');
  out.push(
    `**${s.techniquesTested} of ${s.techniquesMapped}** mapped technique(s) tested` +
      (s.techniquesFailing ? `, **${s.techniquesFailing} with failing rules**` : '') +
      ` · ${s.rules} rule(s): ${s.rulesTested} tested, ${s.rulesFailing} failing, ${s.rulesQuietOnly} with only quiet tests, ${s.rulesUntested} without tests` +
      (s.rulesUnmapped ? `, ${s.rulesUnmapped} without a technique` : ''),
    '',
  );

  const tactics = report.tactics.filter((t) => t.rules > 0);
  if (tactics.length) {
    out.push('| Tactic | Techniques mapped | Tested | Rules |', '| --- | ---: | ---: | ---: |');
    for (const t of tactics) {
      out.push(`| ${mdCell(t.name)} (${t.id}) | ${t.mappedTechniques} of ${t.catalogueTechniques} | ${t.testedTechniques} | ${t.rules} |`);
    }
    out.push('');
  }

  const shown = report.techniques.filter((e) => e.counts.mapped > 0 || e.rollup?.mapped);
  if (shown.length) {
    out.push('| | Technique | Tactics | Rules tested | Failing | No tests | Datasets |', '| --- | --- | --- | ---: | ---: | ---: | --- |');
    for (const e of shown) {
      const c = e.counts.mapped ? e.counts : (e.rollup ?? e.counts);
      const via = e.counts.mapped ? '' : ' (via sub-techniques)';
      // Datasets that show the technique: replayed by a fire test, or declared for it by their descriptor.
      const showing = e.datasets.filter((d) => d.expects.includes('fire') || d.declared);
      const named = showing.slice(0, 4).map((d) => codeCell(d.path.split('/').pop() as string));
      if (showing.length > 4) named.push(`+${showing.length - 4} more`);
      const datasets = named.join(', ');
      out.push(
        `| ${ICON[statusOf(c)]} | ${e.id} ${mdCell(e.name)}${via}${e.unknown ? ' (not in the catalogue)' : ''} | ${mdCell(e.tactics.join(', '))} | ` +
          `${c.tested}/${c.mapped} | ${c.failing} | ${c.noTests} | ${datasets || '–'} |`,
      );
    }
    out.push('');
  }

  const attention = report.rules.filter((r) => r.status !== 'tested');
  if (attention.length) {
    out.push('<details><summary>Rules that are not tested (' + attention.length + ')</summary>', '');
    for (const r of attention) {
      const why =
        r.status === 'failing'
          ? (r.problem ?? r.tests.filter((t) => t.status !== 'pass').map((t) => `${t.name}: ${t.message}`).join('; '))
          : r.status === 'untested'
            ? 'no tests'
            : 'only quiet tests: nothing shows it firing';
      out.push(`- ${RULE_ICON[r.status]} **${mdCell(r.name)}** v${r.version ?? '-'} ${codeCell(r.file)}: ${mdCell(why)}`);
    }
    out.push('', '</details>', '');
  }
  const unmapped = report.rules.filter((r) => !r.mappings.some((m) => m.technique));
  if (unmapped.length) out.push(`Rules without a technique: ${unmapped.map((r) => mdCell(r.name)).join(', ')}`, '');
  if (report.clauseCoverage) out.push(renderClauseCoverageMarkdown(report.clauseCoverage), '');
  return out.join('\n').trimEnd() + '\n';
}
