/**
 * Sigma writes its ATT&CK mapping as tags (`attack.lateral-movement`, `attack.t1021.006`); the Rule model
 * wants `{tactic, technique, subtechnique}` entries with names, so that coverage and the ATT&CK lint
 * checks treat Sigma rules like every other format. Names and tactic membership come from the bundled
 * ATT&CK catalogue: a technique tag is paired with each of the rule's tactic tags the technique belongs
 * to, and stands alone when none does (the attack/* checks then say so).
 */
import { loadAttackCatalogue, type AttackCatalogue } from '../lint/attack/catalogue.js';
import { attackCatalogueForTags } from '../lint/attack/version.js';
import type { AttackRef, ThreatMapping } from './model.js';

const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/i;
/** Tactic tags: `attack.lateral-movement` (ATT&CK 19 style, SigmaHQ today) or `attack.lateral_movement`. */
const TACTIC_TAG = /^attack\.([a-z]+(?:[-_][a-z]+)*)$/i;
/** Group, software and campaign tags (`attack.g0007`, `attack.s0002`, `attack.c0001`) are not mappings. */
const OTHER_TAG = /^attack\.[gsc]\d{4}$/i;

let catalogue: AttackCatalogue | undefined;
function bundledCatalogue(): AttackCatalogue {
  catalogue ??= loadAttackCatalogue('18.1');
  return catalogue;
}

export function threatFromSigmaTags(tags: readonly unknown[]): ThreatMapping[] {
  // Tags in ATT&CK 19 terms (attack.defense-impairment, attack.t1685) are named from the 19 catalogue.
  const cat = attackCatalogueForTags(tags, bundledCatalogue());
  const tactics: AttackRef[] = [];
  const techniques: Array<{ ref: AttackRef; tacticShortnames: string[]; parent?: AttackRef }> = [];
  tags.forEach((tag, index) => {
    if (typeof tag !== 'string' || OTHER_TAG.test(tag)) return;
    const path = `tags.${index}`;
    const technique = TECHNIQUE_TAG.exec(tag);
    if (technique) {
      const id = (technique[1] as string).toUpperCase();
      const known = cat.technique(id);
      const entry: (typeof techniques)[number] = { ref: { id, name: known?.name ?? '', path }, tacticShortnames: known?.tactics ?? [] };
      if (known?.parent) entry.parent = { id: known.parent, name: cat.technique(known.parent)?.name ?? '', path };
      techniques.push(entry);
      return;
    }
    const tactic = TACTIC_TAG.exec(tag);
    if (!tactic) return;
    const shortname = (tactic[1] as string).toLowerCase().replace(/_/g, '-');
    const known = cat.tacticByShortname(shortname);
    if (known) tactics.push({ id: known.id, name: known.name, path });
  });

  const out: ThreatMapping[] = [];
  const usedTactics = new Set<string>();
  for (const t of techniques) {
    const base: ThreatMapping = t.parent ? { technique: t.parent, subtechnique: t.ref } : { technique: t.ref };
    const matching = tactics.filter((tac) => t.tacticShortnames.includes(cat.tactic(tac.id)?.shortname ?? ''));
    if (!matching.length) out.push({ framework: 'MITRE ATT&CK', ...base });
    for (const tactic of matching) {
      usedTactics.add(tactic.id);
      out.push({ framework: 'MITRE ATT&CK', tactic, ...base });
    }
  }
  // A tactic tag with no technique of its own is still a mapping (Elastic allows tactic-only entries too).
  for (const tactic of tactics) if (!usedTactics.has(tactic.id)) out.push({ framework: 'MITRE ATT&CK', tactic });
  return out;
}
