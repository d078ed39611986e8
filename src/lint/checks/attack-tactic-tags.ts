import { fieldPath } from '../../rules/paths.js';
import type { Finding, LintCheck } from '../types.js';
import { attackFor, isAttack } from './attack-util.js';

const TACTIC_TAG = /^Tactic:\s*(.+)$/i;

export const attackTacticTags: LintCheck = {
  id: 'attack/tactic-tags',
  defaultSeverity: 'warning',
  docs: {
    description:
      'Elastic rules repeat their tactics as "Tactic: <name>" tags, which Kibana filters on. As in Elastic\'s own tests, the ' +
      'primary (first mapped) tactic must have its tag, and every "Tactic:" tag must name a tactic the threat mapping ' +
      'lists. Applies to Elastic TOML, and to other formats once they use "Tactic:" tags.',
  },
  check(rule, context) {
    const { attack } = attackFor(rule, context);
    const tags = rule.tags.map((tag, i) => ({ tag, i, tactic: TACTIC_TAG.exec(tag.trim())?.[1]?.trim() }));
    const tacticTags = tags.filter((t) => t.tactic !== undefined);
    if (rule.format !== 'elastic-toml' && !tacticTags.length) return [];
    const mapped: string[] = [];
    for (const m of rule.threat) {
      if (!isAttack(m) || !m.tactic) continue;
      const name = attack.tactic(m.tactic.id)?.name ?? m.tactic.name;
      if (!mapped.includes(name)) mapped.push(name);
    }
    const findings: Finding[] = [];
    const primary = mapped[0];
    const tagged = new Set(tacticTags.map((t) => t.tactic!.toLowerCase()));
    if (primary && !tagged.has(primary.toLowerCase())) {
      findings.push({
        path: fieldPath(rule, 'tags'),
        message: `the primary tactic ${primary} has no "Tactic: ${primary}" tag`,
        hint: `Add the tag "Tactic: ${primary}".`,
      });
    }
    const mappedLower = new Set(mapped.map((n) => n.toLowerCase()));
    for (const t of tacticTags) {
      if (mappedLower.has(t.tactic!.toLowerCase())) continue;
      findings.push({
        path: `${fieldPath(rule, 'tags')}.${t.i}`,
        message: `tag "${t.tag}" names a tactic the threat mapping does not list`,
        hint: mapped.length ? `Map the rule to that tactic, or remove the tag (mapped tactics: ${mapped.join(', ')}).` : 'Map the rule to that tactic, or remove the tag.',
      });
    }
    return findings;
  },
};
