import type { Finding, LintCheck } from '../types.js';
import { attackFor, describeTechnique, isAttack, tacticNames } from './attack-util.js';

export const attackTacticMismatch: LintCheck = {
  id: 'attack/tactic-mismatch',
  defaultSeverity: 'error',
  docs: {
    description:
      'A technique (or sub-technique) is mapped under a tactic; ATT&CK lists the tactics each technique serves, and the ' +
      'mapped tactic must be one of them. Remote Services under Execution, say, is a mapping no navigator layer can show. ' +
      'Sub-techniques are checked when their parent technique passes, so one mistake is reported once.',
  },
  check(rule, context) {
    const { attack, label } = attackFor(rule, context);
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const mapping of rule.threat) {
      if (!isAttack(mapping) || !mapping.tactic) continue;
      const tactic = attack.tactic(mapping.tactic.id);
      if (!tactic) continue;
      for (const ref of [mapping.technique, mapping.subtechnique]) {
        if (!ref) continue;
        const technique = attack.technique(ref.id);
        if (!technique || technique.revoked || technique.deprecated) continue;
        if (technique.tactics.includes(tactic.shortname)) continue;
        const key = `${ref.path}\u0000${tactic.id}`;
        if (!seen.has(key)) {
          seen.add(key);
          findings.push({
            path: `${ref.path}.id`,
            message: `${describeTechnique(technique)} is not a technique of tactic ${tactic.id} (${tactic.name}) in ${label}`,
            hint: `Its tactics are: ${tacticNames(attack, technique.tactics)}. Map it under one of those, or choose another technique.`,
          });
        }
        break;
      }
    }
    return findings;
  },
};
