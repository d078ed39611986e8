import type { Finding, LintCheck } from '../types.js';
import { attackFor, attackRefs, isAttack } from './attack-util.js';

export const attackNameMismatch: LintCheck = {
  id: 'attack/name-mismatch',
  defaultSeverity: 'error',
  docs: {
    description:
      'The name written beside an ATT&CK id must be the catalogue\'s name for that id, exactly. A name that disagrees with ' +
      'its id usually means one of the two was copied from the wrong entry, and readers trust the name. The expected name ' +
      'is in the message; ids the catalogue does not know are left to attack/unknown-id. Formats that write ids only ' +
      '(Sigma tags, Splunk ESCU, MITRE CAR: their names are filled in from the catalogue when loading) are not checked.',
  },
  formats: ['native', 'elastic-toml'],
  check(rule, context) {
    const { attack, label } = attackFor(rule, context);
    const findings: Finding[] = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping)) continue;
      const entry = kind === 'tactic' ? attack.tactic(ref.id) : attack.technique(ref.id);
      if (!entry || entry.name === ref.name) continue;
      const what = kind === 'tactic' ? 'tactic' : kind === 'technique' ? 'technique' : 'sub-technique';
      findings.push({
        path: `${ref.path}.name`,
        message: `${what} ${entry.id} is named "${entry.name}" in ${label}, not "${ref.name}"`,
        hint:
          entry.name.toLowerCase() === ref.name.trim().toLowerCase()
            ? `Write the name exactly as ATT&CK does: "${entry.name}".`
            : `Set the name to "${entry.name}", or fix the id if the name is the one you meant.`,
      });
    }
    return findings;
  },
};
