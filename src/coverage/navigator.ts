/**
 * ATT&CK Navigator layer (layer format 4.5) from a coverage report: one annotation per technique and
 * tactic it is mapped under, scored 0–100 by the share of mapped rules that are tested (a passing
 * `fire` test and nothing failing), coloured by a red → yellow → green gradient, with the rules and
 * their standing in the comment and metadata. Importable in the Navigator as it is.
 */
import type { CoverageReport, CoverageRule, TechniqueCoverageEntry } from './model.js';

export interface NavigatorTechnique {
  techniqueID: string;
  tactic?: string;
  score?: number;
  color?: string;
  comment?: string;
  enabled?: boolean;
  metadata?: Array<{ name: string; value: string } | { divider: true }>;
  links?: Array<{ label: string; url: string } | { divider: true }>;
  showSubtechniques?: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: '4.5' };
  domain: string;
  description: string;
  filters: { platforms: string[] };
  sorting: number;
  layout: {
    layout: 'side' | 'flat' | 'mini';
    showID: boolean;
    showName: boolean;
    showAggregateScores: boolean;
    countUnscored: boolean;
    aggregateFunction: 'average' | 'min' | 'max' | 'sum';
    expandedSubtechniques: 'none' | 'all' | 'annotated';
  };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: Array<{ label: string; color: string }>;
  showTacticRowBackground: boolean;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
  selectVisibleTechniques: boolean;
  metadata: Array<{ name: string; value: string } | { divider: true }>;
}

/** The Navigator release whose layer format 4.5 this follows (the format requires at least 4.9.0). */
export const NAVIGATOR_VERSION = '5.2.0';

export const GRADIENT = ['#ff6666', '#ffe766', '#8ec843'];

const STATUS_WORDS: Record<CoverageRule['status'], string> = {
  tested: 'tested',
  failing: 'FAILING',
  'quiet-only': 'only quiet tests',
  untested: 'no tests',
};

function describeRule(rule: CoverageRule): string {
  const passed = rule.tests.filter((t) => t.status === 'pass').length;
  const tests = rule.tests.length ? `, ${passed}/${rule.tests.length} test(s) pass` : '';
  return `${STATUS_WORDS[rule.status]}${tests} (v${rule.version ?? '-'}, ${rule.format}, ${rule.file})`;
}

/** Every platform of the catalogue (the Navigator's default), so no technique is hidden by the filter. */
function platformsFor(report: CoverageReport): string[] {
  return [...report.attack.platforms];
}

export function buildNavigatorLayer(report: CoverageReport, options: { name?: string; platforms?: string[] } = {}): NavigatorLayer {
  const rules = new Map(report.rules.map((r) => [r.key, r]));
  const techniques: NavigatorTechnique[] = [];
  const byKey = new Map<string, NavigatorTechnique>();
  const push = (t: NavigatorTechnique) => {
    const key = `${t.techniqueID}|${t.tactic ?? ''}`;
    const existing = byKey.get(key);
    if (existing) {
      if (t.showSubtechniques) existing.showSubtechniques = true;
      return;
    }
    byKey.set(key, t);
    techniques.push(t);
  };

  const annotate = (entry: TechniqueCoverageEntry, tactic: string | undefined) => {
    const linked = entry.rules.filter((l) => tactic === undefined || !l.tactics.length || l.tactics.includes(tactic));
    if (!linked.length) return;
    const mapped = linked.map((l) => rules.get(l.rule)).filter((r): r is CoverageRule => !!r);
    const tested = mapped.filter((r) => r.status === 'tested').length;
    const failing = mapped.filter((r) => r.status === 'failing').length;
    const noTests = mapped.filter((r) => r.status === 'untested').length;
    const passingFire = mapped.filter((r) => r.tests.some((t) => t.expect === 'fire' && t.status === 'pass')).length;
    const lines = mapped.map((r) => `- ${r.name}: ${describeRule(r)}`);
    const t: NavigatorTechnique = {
      techniqueID: entry.id,
      score: Math.round((100 * tested) / mapped.length),
      comment:
        `${mapped.length} rule(s) mapped: ${passingFire} with a passing fire test, ${failing} failing, ${noTests} without tests.\n` +
        lines.join('\n'),
      enabled: true,
      metadata: [
        { name: 'status', value: entry.status },
        { name: 'rules tested', value: `${tested}/${mapped.length}` },
        { divider: true },
        ...mapped.map((r) => ({ name: r.name, value: describeRule(r) })),
      ],
    };
    if (tactic !== undefined) t.tactic = tactic;
    if (entry.datasets.length) {
      t.metadata?.push({ divider: true }, ...entry.datasets.map((d) => ({ name: 'dataset', value: d.path })));
    }
    if (entry.subtechniques.length) t.showSubtechniques = true;
    push(t);
  };

  // Ids the catalogue does not know would only draw an import warning in the Navigator; lint reports them.
  for (const entry of report.techniques.filter((e) => !e.unknown)) {
    if (entry.counts.mapped > 0) {
      const tactics = new Set<string>(entry.tactics);
      for (const l of entry.rules) for (const t of l.tactics) tactics.add(t);
      if (!tactics.size) annotate(entry, undefined);
      for (const tactic of tactics) annotate(entry, tactic);
    }
    // A parent whose sub-techniques are annotated opens them by default, in every tactic it sits in.
    if (entry.subtechniques.some((id) => report.techniques.find((e) => e.id === id)?.counts.mapped)) {
      const tactics = entry.tactics.length ? entry.tactics : [undefined];
      for (const tactic of tactics) {
        const t: NavigatorTechnique = { techniqueID: entry.id, showSubtechniques: true };
        if (tactic !== undefined) t.tactic = tactic;
        push(t);
      }
    }
  }

  const s = report.summary;
  return {
    name: options.name ?? 'ruleproof coverage',
    versions: { attack: report.attack.version.split('.')[0] as string, navigator: NAVIGATOR_VERSION, layer: '4.5' },
    domain: report.attack.domain,
    description:
      `Detection rules per technique, scored by the share of mapped rules with a passing fire test and no failing test. ` +
      `${s.techniquesTested} of ${s.techniquesMapped} mapped technique(s) tested; ${s.rules} rule(s): ${s.rulesTested} tested, ` +
      `${s.rulesFailing} failing, ${s.rulesUntested} without tests. ATT&CK ${report.attack.version}.`,
    filters: { platforms: options.platforms ?? platformsFor(report) },
    sorting: 3,
    layout: {
      layout: 'side',
      showID: true,
      showName: true,
      showAggregateScores: false,
      countUnscored: false,
      aggregateFunction: 'average',
      expandedSubtechniques: 'annotated',
    },
    hideDisabled: false,
    techniques,
    gradient: { colors: [...GRADIENT], minValue: 0, maxValue: 100 },
    legendItems: [
      { label: 'no mapped rule is tested', color: GRADIENT[0] as string },
      { label: 'some mapped rules tested', color: GRADIENT[1] as string },
      { label: 'every mapped rule tested', color: GRADIENT[2] as string },
    ],
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: [
      { name: 'generated by', value: `${report.tool.name} ${report.tool.version}` },
      { name: 'ATT&CK version', value: report.attack.version },
      { name: 'rules', value: String(s.rules) },
    ],
  };
}
