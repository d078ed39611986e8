import type { Finding, LintCheck } from '../types.js';
import { attackFor, attackRefs, describeTechnique, isAttack } from './attack-util.js';

export const attackDeprecated: LintCheck = {
  id: 'attack/deprecated',
  defaultSeverity: 'error',
  docs: {
    description:
      'MITRE revokes techniques that were merged into others and deprecates those it drops. A rule mapped to one no longer ' +
      'counts towards coverage of the current matrix. For a revoked technique the finding names its replacement (the ' +
      'revoked-by successor in the catalogue); a deprecated one has none, so the mapping needs a fresh choice.',
  },
  check(rule, context) {
    const { attack, label } = attackFor(rule, context);
    const findings: Finding[] = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping) || kind === 'tactic') continue;
      const technique = attack.technique(ref.id);
      if (!technique || (!technique.revoked && !technique.deprecated)) continue;
      if (technique.revoked) {
        const successor = attack.successor(technique.id);
        findings.push({
          path: `${ref.path}.id`,
          message:
            `${describeTechnique(technique)} is revoked in ${label}` +
            (successor ? `; it was replaced by ${describeTechnique(successor)}` : ''),
          hint: successor
            ? `Map the rule to ${successor.id} "${successor.name}"` +
              (successor.parent ? ` (a sub-technique of ${successor.parent}, listed under it)` : '') +
              '.'
            : 'Choose a current technique for this rule.',
        });
      } else {
        findings.push({
          path: `${ref.path}.id`,
          message: `${describeTechnique(technique)} is deprecated in ${label} and has no replacement`,
          hint: 'Choose a current technique that describes what the rule detects, or remove the mapping.',
        });
      }
    }
    return findings;
  },
};
