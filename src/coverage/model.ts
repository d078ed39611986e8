/**
 * ATT&CK coverage: per technique and sub-technique (rolled up per parent and per tactic), which rules
 * map to it, which of them have a passing `fire` test, which have failing tests, which have no test,
 * and which datasets exercise it. Built from the rules and the `test` JSON report (never from a
 * replay of its own), so it can be rendered from a report written by another run or shard.
 * Every renderer (Navigator layer, HTML, Markdown, JSON) reads the `CoverageReport` only.
 */
import type { Rule, RuleFormat } from '../rules/model.js';
import type { RuleResult, TestReport } from '../replay/types.js';
import type { AttackCatalogue } from '../lint/attack/catalogue.js';
import { TOOL_VERSION } from '../util/version.js';
import type { ClauseCoverageReport } from './clauses.js';

/**
 * A rule's standing for coverage, worst first:
 * - `failing`: a test failed or errored, or the rule cannot run;
 * - `tested`: at least one passing `fire` test and nothing failing;
 * - `quiet-only`: tests pass but none of them shows the rule firing;
 * - `untested`: no test at all.
 */
export type RuleCoverageStatus = 'failing' | 'tested' | 'quiet-only' | 'untested';

/**
 * A technique's standing: `failing` when some mapped rule fails (it needs attention first), else
 * `tested` when some mapped rule is tested, else `untested` (mapped, but nothing shows it firing),
 * else `none` (not mapped; only parents of mapped sub-techniques and dataset-only entries have it).
 */
export type TechniqueStatus = 'failing' | 'tested' | 'untested' | 'none';

export interface CoverageTest {
  name: string;
  dataset: string;
  expect: 'fire' | 'quiet';
  status: string;
  message: string;
  alertCount: number;
}

export interface CoverageRule {
  /** `<id>@<version>`: unique among current rules. */
  key: string;
  id: string;
  version: number | null;
  name: string;
  file: string;
  format: RuleFormat;
  language: string;
  status: RuleCoverageStatus;
  /** Why the rule cannot run, when it cannot. */
  problem?: string;
  /** Operating systems from `OS: …` tags (Elastic) or platform hints; empty when unknown. */
  platforms: string[];
  /** ATT&CK mappings as written: technique (or sub-technique) id with the tactic shortname, if any. */
  mappings: Array<{ technique?: string; tactic?: string }>;
  tests: CoverageTest[];
}

export interface CoverageCounts {
  /** Rules mapped to the technique. */
  mapped: number;
  /** Rules with at least one passing `fire` test (failing tests or not). */
  passingFire: number;
  /** Rules with a failing test, or that cannot run. */
  failing: number;
  /** Rules without any test. */
  noTests: number;
  /** Rules in status `tested`: what the score counts. */
  tested: number;
}

export interface CoverageDataset {
  path: string;
  /** Kinds of tests of mapped rules that replay it. */
  expects: Array<'fire' | 'quiet'>;
  /** Its descriptor names this technique under `techniques:`. */
  declared: boolean;
}

export interface TechniqueCoverageEntry {
  id: string;
  name: string;
  /** Parent technique id, for a sub-technique. */
  parent?: string;
  /** Tactic shortnames from the catalogue (matrix order), or the mapped ones for an unknown id. */
  tactics: string[];
  platforms: string[];
  /** Not in the bundled ATT&CK catalogue (a typo, or a newer/other domain). */
  unknown?: boolean;
  deprecated?: boolean;
  revoked?: boolean;
  status: TechniqueStatus;
  /** 0–100: share of mapped rules in status `tested`; null when no rule maps here directly. */
  score: number | null;
  counts: CoverageCounts;
  /** Keys of rules mapped directly, with the tactics they were mapped under (empty: unspecified). */
  rules: Array<{ rule: string; tactics: string[] }>;
  /** For a parent technique: the counts over its own rules and all its sub-techniques' rules. */
  rollup?: CoverageCounts;
  /** Sub-technique ids that appear in this report. */
  subtechniques: string[];
  datasets: CoverageDataset[];
}

export interface TacticCoverageEntry {
  id: string;
  name: string;
  shortname: string;
  /** Current (not revoked, not deprecated) techniques and sub-techniques of the tactic in the catalogue. */
  catalogueTechniques: number;
  /** Of those, how many have at least one mapped rule (directly). */
  mappedTechniques: number;
  /** Of those, how many are in status `tested`. */
  testedTechniques: number;
  /** Rules mapped under the tactic (through a technique, or to the tactic alone). */
  rules: number;
}

export interface CoverageSummaryTotals {
  rules: number;
  rulesTested: number;
  rulesFailing: number;
  rulesUntested: number;
  rulesQuietOnly: number;
  /** Rules without any technique mapping. */
  rulesUnmapped: number;
  techniquesMapped: number;
  techniquesTested: number;
  techniquesFailing: number;
  catalogueTechniques: number;
}

export interface CoverageReport {
  schemaVersion: 1;
  tool: { name: 'ruleproof'; version: string };
  command: 'coverage';
  /** The catalogue used, with every platform its techniques name. */
  attack: { domain: string; version: string; platforms: string[] };
  summary: CoverageSummaryTotals;
  tactics: TacticCoverageEntry[];
  techniques: TechniqueCoverageEntry[];
  rules: CoverageRule[];
  /** Predicate-level coverage per rule, when computed (`--clause-coverage`). */
  clauseCoverage?: ClauseCoverageReport;
  exitCode: number;
}

export interface DatasetTechniques {
  path: string;
  techniques: string[];
}

export function ruleKey(rule: Pick<Rule, 'id' | 'version'>): string {
  return `${rule.id}@${rule.version ?? '-'}`;
}

const OS_TAG = /^os:\s*(.+)$/i;

function platformsOf(rule: Rule): string[] {
  const out = new Set<string>();
  for (const tag of rule.tags) {
    const m = OS_TAG.exec(tag.trim());
    if (m) out.add(normalizePlatform(m[1] as string));
  }
  return [...out].sort();
}

function normalizePlatform(name: string): string {
  const lower = name.trim().toLowerCase();
  if (lower === 'macos' || lower === 'mac') return 'macOS';
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

export function ruleCoverageStatus(result: RuleResult | undefined): RuleCoverageStatus {
  if (!result) return 'untested';
  if (result.status === 'error' || result.status === 'unsupported') return 'failing';
  if (!result.tests.length) return 'untested';
  if (result.tests.some((t) => t.status !== 'pass')) return 'failing';
  if (result.tests.some((t) => t.expect === 'fire')) return 'tested';
  return 'quiet-only';
}

function emptyCounts(): CoverageCounts {
  return { mapped: 0, passingFire: 0, failing: 0, noTests: 0, tested: 0 };
}

function addRule(counts: CoverageCounts, rule: CoverageRule): void {
  counts.mapped++;
  if (rule.tests.some((t) => t.expect === 'fire' && t.status === 'pass')) counts.passingFire++;
  if (rule.status === 'failing') counts.failing++;
  if (!rule.tests.length) counts.noTests++;
  if (rule.status === 'tested') counts.tested++;
}

export function statusOf(counts: CoverageCounts): TechniqueStatus {
  if (!counts.mapped) return 'none';
  if (counts.failing) return 'failing';
  if (counts.tested) return 'tested';
  return 'untested';
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Technique ids sort numerically (T1021 before T1021.003 before T1047). */
export function compareTechniqueIds(a: string, b: string): number {
  const pa = /^T(\d+)(?:\.(\d+))?$/i.exec(a);
  const pb = /^T(\d+)(?:\.(\d+))?$/i.exec(b);
  if (pa && pb) return Number(pa[1]) - Number(pb[1]) || Number(pa[2] ?? -1) - Number(pb[2] ?? -1);
  return byString(a, b);
}

export interface BuildCoverageOptions {
  /** Datasets with the techniques their descriptors declare. */
  datasets?: DatasetTechniques[];
  clauseCoverage?: ClauseCoverageReport;
}

/**
 * Coverage over the current rules (versions under `detections/history/` are left out: they are not
 * deployed). `report` is the `test` report of a run over those rules.
 */
export function buildCoverage(rules: readonly Rule[], report: TestReport, catalogue: AttackCatalogue, options: BuildCoverageOptions = {}): CoverageReport {
  const current = rules.filter((r) => !r.historical);
  const results = new Map<string, RuleResult>();
  for (const r of report.rules) results.set(`${r.file}\u0000${r.id}@${r.version ?? '-'}`, r);

  const coverageRules: CoverageRule[] = current
    .map((rule) => {
      const result = results.get(`${rule.source.file}\u0000${ruleKey(rule)}`);
      const mappings: CoverageRule['mappings'] = [];
      for (const m of rule.threat) {
        const technique = (m.subtechnique ?? m.technique)?.id.trim().toUpperCase();
        const tactic = m.tactic ? (catalogue.tactic(m.tactic.id)?.shortname ?? catalogue.tacticByName(m.tactic.name)?.shortname) : undefined;
        if (!technique && !tactic) continue;
        mappings.push({ ...(technique ? { technique } : {}), ...(tactic ? { tactic } : {}) });
      }
      const out: CoverageRule = {
        key: ruleKey(rule),
        id: rule.id,
        version: rule.version,
        name: rule.name,
        file: rule.source.file,
        format: rule.format,
        language: rule.query.language,
        status: ruleCoverageStatus(result),
        platforms: platformsOf(rule),
        mappings,
        tests: (result?.tests ?? []).map((t) => ({
          name: t.name,
          dataset: t.dataset,
          expect: t.expect,
          status: t.status,
          message: t.message,
          alertCount: t.alertCount,
        })),
      };
      if (result?.problem) out.problem = result.problem.message;
      return out;
    })
    .sort((a, b) => byString(a.name, b.name) || byString(a.file, b.file));

  const techniques = new Map<string, TechniqueCoverageEntry>();
  const entryFor = (id: string, nameAsWritten?: string): TechniqueCoverageEntry => {
    let entry = techniques.get(id);
    if (entry) return entry;
    const known = catalogue.technique(id);
    const parentId = id.includes('.') ? id.slice(0, id.indexOf('.')) : undefined;
    entry = {
      id,
      name: known?.name ?? nameAsWritten ?? id,
      tactics: known ? [...known.tactics] : [],
      platforms: known?.platforms ? [...known.platforms] : [],
      status: 'none',
      score: null,
      counts: emptyCounts(),
      rules: [],
      subtechniques: [],
      datasets: [],
    };
    if (parentId) entry.parent = parentId;
    if (!known) entry.unknown = true;
    if (known?.deprecated) entry.deprecated = true;
    if (known?.revoked) entry.revoked = true;
    techniques.set(id, entry);
    return entry;
  };

  const ruleByKey = new Map(coverageRules.map((r) => [r.key, r]));
  for (const rule of current) {
    const cr = ruleByKey.get(ruleKey(rule)) as CoverageRule;
    for (const m of rule.threat) {
      const ref = m.subtechnique ?? m.technique;
      if (!ref) continue;
      const entry = entryFor(ref.id.trim().toUpperCase(), ref.name);
      const tactic = m.tactic ? (catalogue.tactic(m.tactic.id)?.shortname ?? catalogue.tacticByName(m.tactic.name)?.shortname) : undefined;
      let link = entry.rules.find((r) => r.rule === cr.key);
      if (!link) {
        entry.rules.push((link = { rule: cr.key, tactics: [] }));
        addRule(entry.counts, cr);
      }
      if (tactic && !link.tactics.includes(tactic)) link.tactics.push(tactic);
      if (entry.unknown && tactic && !entry.tactics.includes(tactic)) entry.tactics.push(tactic);
    }
  }

  // Parents of mapped sub-techniques get an entry (the matrix cell the sub-technique sits in).
  for (const entry of [...techniques.values()]) {
    if (!entry.parent) continue;
    const parent = entryFor(entry.parent);
    if (!parent.subtechniques.includes(entry.id)) parent.subtechniques.push(entry.id);
    if (parent.unknown) for (const t of entry.tactics) if (!parent.tactics.includes(t)) parent.tactics.push(t);
  }

  // Datasets: those replayed by tests of mapped rules, and those whose descriptors declare the technique.
  const datasetsOf = (entry: TechniqueCoverageEntry) => {
    const map = new Map<string, CoverageDataset>();
    const get = (p: string) => {
      let d = map.get(p);
      if (!d) map.set(p, (d = { path: p, expects: [], declared: false }));
      return d;
    };
    for (const link of entry.rules) {
      for (const t of ruleByKey.get(link.rule)?.tests ?? []) {
        const d = get(t.dataset);
        if (!d.expects.includes(t.expect)) d.expects.push(t.expect);
      }
    }
    for (const ds of options.datasets ?? []) {
      if (ds.techniques.some((t) => t.toUpperCase() === entry.id)) get(ds.path).declared = true;
    }
    return [...map.values()].map((d) => ({ ...d, expects: d.expects.sort() })).sort((a, b) => byString(a.path, b.path));
  };
  // Techniques declared by a dataset but mapped by no rule: the data is there, a rule is missing.
  for (const ds of options.datasets ?? []) {
    for (const t of ds.techniques) {
      const id = t.trim().toUpperCase();
      if (/^T\d{4}(\.\d{3})?$/.test(id) && !techniques.has(id)) {
        const entry = entryFor(id);
        if (entry.parent) {
          const parent = entryFor(entry.parent);
          if (!parent.subtechniques.includes(id)) parent.subtechniques.push(id);
        }
      }
    }
  }

  for (const entry of techniques.values()) {
    entry.rules.sort((a, b) => byString(a.rule, b.rule));
    for (const r of entry.rules) r.tactics.sort();
    entry.subtechniques.sort(compareTechniqueIds);
    entry.status = statusOf(entry.counts);
    entry.score = entry.counts.mapped ? Math.round((100 * entry.counts.tested) / entry.counts.mapped) : null;
    entry.datasets = datasetsOf(entry);
    if (entry.subtechniques.length) {
      const rollup = emptyCounts();
      const seen = new Set<string>();
      for (const id of [entry.id, ...entry.subtechniques]) {
        for (const link of techniques.get(id)?.rules ?? []) {
          if (seen.has(link.rule)) continue;
          seen.add(link.rule);
          addRule(rollup, ruleByKey.get(link.rule) as CoverageRule);
        }
      }
      entry.rollup = rollup;
    }
  }
  const techniqueList = [...techniques.values()].sort((a, b) => compareTechniqueIds(a.id, b.id));

  const live = catalogue.techniques.filter((t) => !t.revoked && !t.deprecated);
  const tactics: TacticCoverageEntry[] = catalogue.tactics.map((tactic) => {
    const inTactic = (e: TechniqueCoverageEntry) =>
      e.rules.length > 0 && e.rules.some((r) => (r.tactics.length ? r.tactics.includes(tactic.shortname) : e.tactics.includes(tactic.shortname)));
    const mapped = techniqueList.filter(inTactic);
    const ruleKeys = new Set<string>();
    for (const e of mapped) for (const r of e.rules) if (!r.tactics.length || r.tactics.includes(tactic.shortname)) ruleKeys.add(r.rule);
    for (const r of coverageRules) if (r.mappings.some((m) => !m.technique && m.tactic === tactic.shortname)) ruleKeys.add(r.key);
    return {
      id: tactic.id,
      name: tactic.name,
      shortname: tactic.shortname,
      catalogueTechniques: live.filter((t) => t.tactics.includes(tactic.shortname)).length,
      mappedTechniques: mapped.length,
      testedTechniques: mapped.filter((e) => e.status === 'tested').length,
      rules: ruleKeys.size,
    };
  });

  const mappedTechniques = techniqueList.filter((e) => e.counts.mapped > 0);
  const report_: CoverageReport = {
    schemaVersion: 1,
    tool: { name: 'ruleproof', version: TOOL_VERSION },
    command: 'coverage',
    attack: { domain: catalogue.domain, version: catalogue.version, platforms: [...new Set(live.flatMap((t) => t.platforms ?? []))].sort() },
    summary: {
      rules: coverageRules.length,
      rulesTested: coverageRules.filter((r) => r.status === 'tested').length,
      rulesFailing: coverageRules.filter((r) => r.status === 'failing').length,
      rulesUntested: coverageRules.filter((r) => r.status === 'untested').length,
      rulesQuietOnly: coverageRules.filter((r) => r.status === 'quiet-only').length,
      rulesUnmapped: coverageRules.filter((r) => !r.mappings.some((m) => m.technique)).length,
      techniquesMapped: mappedTechniques.length,
      techniquesTested: mappedTechniques.filter((e) => e.status === 'tested').length,
      techniquesFailing: mappedTechniques.filter((e) => e.status === 'failing').length,
      catalogueTechniques: live.length,
    },
    tactics,
    techniques: techniqueList,
    rules: coverageRules,
    exitCode: report.exitCode,
  };
  if (options.clauseCoverage) report_.clauseCoverage = options.clauseCoverage;
  return report_;
}
