/**
 * Which ATT&CK release a rule is written against. A rule may declare it (`attack_version: 19` at the top
 * of a Sigma or native document, or under Elastic's `[metadata]`); otherwise a rule that uses ids, tactic
 * names or tactic tags only a newer bundled release has (TA0112, T1685, `attack.defense-impairment`,
 * "Stealth") is read against that release; every other rule against the configured version
 * (`attack_version` in ruleproof.config.yml, or `--attack-version`). Inference only moves forward from the
 * configured version: a team that configured 19 wants its 18-era mappings reported, not excused.
 */
import type { Rule } from '../../rules/model.js';
import { AttackCatalogue, bundledAttackVersions, compareAttackVersions, loadAttackCatalogue } from './catalogue.js';

/** What a rule writes that names ATT&CK entries; each list may be empty. */
export interface AttackEvidence {
  tacticIds: string[];
  tacticNames: string[];
  /** Kill-chain phase names, from Sigma tags: `defense-impairment`. */
  tacticShortnames: string[];
  techniqueIds: string[];
}

export interface RuleAttackVersion {
  catalogue: AttackCatalogue;
  /** `declared` by the rule, `inferred` from what it uses, or the configured `default`. */
  how: 'declared' | 'inferred' | 'default';
  /** For `inferred`: the entries only the chosen release knows, as the rule writes them (`TA0112`, `attack.stealth`). */
  evidence: string[];
  /** A declared version that is not bundled (the rule is then read against the configured version). */
  unknownDeclared?: { value: string; path: string };
  /** Where the declaration is written (`attack_version`, `metadata.attack_version`). */
  declaredAt?: string;
}

const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
const TACTIC_TAG = /^attack\.([a-z]+(?:[-_][a-z]+)*)$/i;
const OTHER_TAG = /^attack\.[gsc]\d{4}$/i;
const ELASTIC_TACTIC_TAG = /^Tactic:\s*(.+)$/i;

/** The ATT&CK entries named by tags: Sigma `attack.*` tags and Elastic-style `Tactic: <name>` tags. */
export function evidenceFromTags(tags: readonly unknown[]): AttackEvidence {
  const evidence: AttackEvidence = { tacticIds: [], tacticNames: [], tacticShortnames: [], techniqueIds: [] };
  for (const tag of tags) {
    if (typeof tag !== 'string' || OTHER_TAG.test(tag)) continue;
    const technique = TECHNIQUE_TAG.exec(tag);
    if (technique) {
      evidence.techniqueIds.push((technique[1] as string).toUpperCase());
      continue;
    }
    const tactic = TACTIC_TAG.exec(tag);
    if (tactic) {
      evidence.tacticShortnames.push((tactic[1] as string).toLowerCase().replace(/_/g, '-'));
      continue;
    }
    const named = ELASTIC_TACTIC_TAG.exec(tag.trim());
    if (named) evidence.tacticNames.push((named[1] as string).trim());
  }
  return evidence;
}

/**
 * Everything a rule writes that names ATT&CK entries. A Sigma rule writes tags only (its threat mapping is
 * derived from them), so its evidence is what it wrote, `attack.defense-impairment`, not TA0112.
 */
export function evidenceFromRule(rule: Rule): AttackEvidence {
  const evidence = evidenceFromTags(rule.tags);
  if (rule.format === 'sigma') return evidence;
  for (const m of rule.threat) {
    if (m.framework && !/mitre\s*att&?ck/i.test(m.framework)) continue;
    if (m.tactic) {
      evidence.tacticIds.push(m.tactic.id.trim().toUpperCase());
      if (m.tactic.name) evidence.tacticNames.push(m.tactic.name);
    }
    for (const ref of [m.technique, m.subtechnique]) if (ref) evidence.techniqueIds.push(ref.id.trim().toUpperCase());
  }
  return evidence;
}

/**
 * The entries a catalogue knows and the base does not, as the rule writes them: ids first, then tactic
 * names and tags that do not merely repeat a tactic id already listed ("Defense Impairment" beside TA0112).
 */
function onlyIn(catalogue: AttackCatalogue, base: AttackCatalogue, evidence: AttackEvidence): string[] {
  const found: string[] = [];
  const add = (item: string) => {
    if (!found.includes(item)) found.push(item);
  };
  const tacticIds = new Set<string>();
  for (const id of evidence.tacticIds) {
    if (catalogue.tactic(id) && !base.tactic(id)) add(id);
    tacticIds.add(id);
  }
  for (const id of evidence.techniqueIds) if (catalogue.technique(id) && !base.technique(id)) add(id);
  for (const name of evidence.tacticNames) {
    const tactic = catalogue.tacticByName(name);
    if (tactic && !base.tacticByName(name) && !(tacticIds.has(tactic.id) && found.includes(tactic.id))) add(`"${tactic.name}"`);
  }
  for (const s of evidence.tacticShortnames) if (catalogue.tacticByShortname(s) && !base.tacticByShortname(s)) add(`attack.${s}`);
  return found;
}

/**
 * The newest bundled release newer than `base` that knows something the rule uses and `base` does
 * not; `base` itself when there is none.
 */
export function inferAttackCatalogue(base: AttackCatalogue, evidence: AttackEvidence): { catalogue: AttackCatalogue; evidence: string[] } {
  for (const candidate of newerCatalogues(base)) {
    const found = onlyIn(candidate, base, evidence);
    if (found.length) return { catalogue: candidate, evidence: found };
  }
  return { catalogue: base, evidence: [] };
}

const NEWER = new WeakMap<AttackCatalogue, AttackCatalogue[]>();

/** The bundled releases newer than `base`, newest first (asked once per rule: worked out once per catalogue). */
function newerCatalogues(base: AttackCatalogue): AttackCatalogue[] {
  let newer = NEWER.get(base);
  if (!newer) {
    newer = bundledAttackVersions()
      .filter((v) => compareAttackVersions(v, base.version) > 0)
      .reverse()
      .map((v) => loadAttackCatalogue(v));
    NEWER.set(base, newer);
  }
  return newer;
}

/** For loaders that turn tags into threat mappings (Sigma): the release the tags are written in. */
export function attackCatalogueForTags(tags: readonly unknown[], base: AttackCatalogue): AttackCatalogue {
  return inferAttackCatalogue(base, evidenceFromTags(tags)).catalogue;
}

function declaredVersion(rule: Rule): { value: string; path: string } | undefined {
  const raw = rule.raw;
  if (!raw || typeof raw !== 'object') return undefined;
  const doc = raw as Record<string, unknown>;
  const metadata = doc.metadata && typeof doc.metadata === 'object' ? (doc.metadata as Record<string, unknown>) : undefined;
  for (const [value, path] of [[doc.attack_version, 'attack_version'], [metadata?.attack_version, 'metadata.attack_version']] as const) {
    if (typeof value === 'string' && value.trim()) return { value: value.trim(), path };
    if (typeof value === 'number' && Number.isFinite(value)) return { value: String(value), path };
  }
  return undefined;
}

function isBundled(version: string): boolean {
  const wanted = version.replace(/^v/i, '');
  return bundledAttackVersions().some((v) => v === wanted || v.startsWith(`${wanted}.`));
}

const resolved = new WeakMap<Rule, { base: AttackCatalogue; result: RuleAttackVersion }>();

/** The catalogue a rule is checked against, and why; `base` is the configured catalogue. */
export function ruleAttackVersion(rule: Rule, base: AttackCatalogue): RuleAttackVersion {
  const cached = resolved.get(rule);
  if (cached && cached.base === base) return cached.result;
  let result: RuleAttackVersion;
  const declared = declaredVersion(rule);
  if (declared && isBundled(declared.value)) {
    result = { catalogue: loadAttackCatalogue(declared.value), how: 'declared', evidence: [], declaredAt: declared.path };
  } else {
    const inferred = inferAttackCatalogue(base, evidenceFromRule(rule));
    result = inferred.evidence.length
      ? { catalogue: inferred.catalogue, how: 'inferred', evidence: inferred.evidence }
      : { catalogue: base, how: 'default', evidence: [] };
    if (declared) result.unknownDeclared = declared;
  }
  resolved.set(rule, { base, result });
  return result;
}

/** "ATT&CK 19.2", with why a rule is read against it when that is not the configured release. */
export function attackVersionLabel(v: RuleAttackVersion): string {
  const label = `ATT&CK ${v.catalogue.version}`;
  if (v.how === 'declared') return `${label} (declared by the rule)`;
  if (v.how === 'inferred') {
    const shown = v.evidence.slice(0, 3).join(', ') + (v.evidence.length > 3 ? ', …' : '');
    return `${label} (the rule uses ${shown}, which only ${label} has)`;
  }
  return label;
}
