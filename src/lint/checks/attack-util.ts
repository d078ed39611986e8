/** Shared by the ATT&CK checks: the distinct references of a rule, and how to name catalogue entries. */
import type { AttackRef, Rule, ThreatMapping } from '../../rules/model.js';
import type { AttackCatalogue, AttackTechnique } from '../attack/catalogue.js';
import { attackVersionLabel, ruleAttackVersion } from '../attack/version.js';
import type { LintContext } from '../types.js';

/**
 * The catalogue a rule is checked against (declared by the rule, inferred from ATT&CK 19-only ids and
 * tactics it uses, or the configured release) and the words that name it in findings.
 */
export function attackFor(rule: Rule, context: LintContext): { attack: AttackCatalogue; label: string } {
  const version = ruleAttackVersion(rule, context.attack);
  return { attack: version.catalogue, label: attackVersionLabel(version) };
}

export type RefKind = 'tactic' | 'technique' | 'subtechnique';

export interface RefInContext {
  kind: RefKind;
  ref: AttackRef;
  mapping: ThreatMapping;
}

const REFS = new WeakMap<Rule, { threat: ThreatMapping[]; refs: readonly RefInContext[] }>();

/**
 * Each reference once (formats that nest techniques repeat the tactic in every flattened entry).
 * Worked out once per rule (the ATT&CK checks each ask), again if the rule's mapping is replaced.
 */
export function attackRefs(rule: Rule): readonly RefInContext[] {
  const cached = REFS.get(rule);
  if (cached && cached.threat === rule.threat) return cached.refs;
  const refs = distinctRefs(rule);
  REFS.set(rule, { threat: rule.threat, refs });
  return refs;
}

function distinctRefs(rule: Rule): RefInContext[] {
  const seen = new Set<string>();
  const out: RefInContext[] = [];
  for (const mapping of rule.threat) {
    for (const kind of ['tactic', 'technique', 'subtechnique'] as const) {
      const ref = mapping[kind];
      if (!ref) continue;
      const key = `${kind}\u0000${ref.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind, ref, mapping });
    }
  }
  return out;
}

/** Only the MITRE ATT&CK framework is checked against the catalogue. */
export function isAttack(mapping: ThreatMapping): boolean {
  return !mapping.framework || /mitre\s*att&?ck/i.test(mapping.framework);
}

export function describeTechnique(t: AttackTechnique): string {
  return `${t.id} (${t.name})`;
}

export function tacticNames(catalogue: AttackCatalogue, shortnames: readonly string[]): string {
  return shortnames.map((s) => {
    const tactic = catalogue.tacticByShortname(s);
    return tactic ? `${tactic.id} ${tactic.name}` : s;
  }).join(', ');
}

export const TACTIC_ID = /^TA\d{4}$/i;
export const TECHNIQUE_ID = /^T\d{4}$/i;
export const SUBTECHNIQUE_ID = /^T\d{4}\.\d{3}$/i;
