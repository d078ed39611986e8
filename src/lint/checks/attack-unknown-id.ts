import type { LintCheck } from '../types.js';
import { attackRefs, isAttack } from './attack-util.js';

export const attackUnknownId: LintCheck = {
  id: 'attack/unknown-id',
  defaultSeverity: 'error',
  docs: {
    description:
      'Every tactic, technique and sub-technique id in a rule\'s threat mapping must exist in the ATT&CK catalogue the run ' +
      'checks against (Enterprise 18.1 unless --attack-version says otherwise). A mistyped or invented id breaks coverage ' +
      'reports and navigator layers silently. Revoked and deprecated ids exist and are reported by attack/deprecated instead.',
  },
  check(rule, { attack }) {
    const findings = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping)) continue;
      if (kind === 'tactic') {
        if (attack.tactic(ref.id)) continue;
        const byName = attack.tacticByName(ref.name);
        findings.push({
          path: `${ref.path}.id`,
          message: `${ref.id} is not a tactic in ATT&CK ${attack.version}`,
          hint: byName ? `Did you mean ${byName.id} (${byName.name})?` : `Tactic ids look like TA0008; see https://attack.mitre.org/tactics/enterprise/.`,
        });
        continue;
      }
      if (attack.technique(ref.id)) continue;
      const named = attack.techniquesNamed(ref.name).filter((t) => !t.revoked && !t.deprecated);
      const what = kind === 'technique' ? 'technique' : 'sub-technique';
      findings.push({
        path: `${ref.path}.id`,
        message: `${ref.id} is not a ${what} in ATT&CK ${attack.version}`,
        hint: named.length
          ? `Did you mean ${named.map((t) => `${t.id} (${t.name})`).join(' or ')}?`
          : `${kind === 'technique' ? 'Technique ids look like T1021' : 'Sub-technique ids look like T1021.006'}; see https://attack.mitre.org/techniques/enterprise/.`,
      });
    }
    return findings;
  },
};
