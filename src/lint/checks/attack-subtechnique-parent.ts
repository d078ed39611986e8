import type { Finding, LintCheck } from '../types.js';
import { attackFor, attackRefs, isAttack } from './attack-util.js';

export const attackSubtechniqueParent: LintCheck = {
  id: 'attack/subtechnique-parent',
  defaultSeverity: 'error',
  docs: {
    description:
      'A sub-technique belongs to exactly one technique (T1021.006 to T1021) and is listed under it. The check reports a ' +
      'sub-technique under another technique, a sub-technique id in a technique slot, and a technique id in a ' +
      'sub-technique slot, none of which any ATT&CK tool reads correctly.',
  },
  check(rule, context) {
    const { attack } = attackFor(rule, context);
    const findings: Finding[] = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping) || kind === 'tactic') continue;
      const entry = attack.technique(ref.id);
      if (!entry) continue;
      if (kind === 'technique' && entry.parent) {
        findings.push({
          path: `${ref.path}.id`,
          message: `${entry.id} (${entry.name}) is a sub-technique, listed as a technique`,
          hint: `List ${entry.parent} as the technique and ${entry.id} as its sub-technique.`,
        });
      } else if (kind === 'subtechnique' && !entry.parent) {
        findings.push({
          path: `${ref.path}.id`,
          message: `${entry.id} (${entry.name}) is a technique, listed as a sub-technique`,
          hint: 'List it as a technique, or replace it with one of its sub-techniques.',
        });
      } else if (kind === 'subtechnique' && entry.parent && mapping.technique && mapping.technique.id.trim().toUpperCase() !== entry.parent) {
        const parent = attack.technique(entry.parent);
        findings.push({
          path: `${ref.path}.id`,
          message: `${entry.id} (${entry.name}) is a sub-technique of ${entry.parent}${parent ? ` (${parent.name})` : ''}, not of ${mapping.technique.id}`,
          hint: `List it under ${entry.parent}, or choose a sub-technique of ${mapping.technique.id}.`,
        });
      }
    }
    return findings;
  },
};
