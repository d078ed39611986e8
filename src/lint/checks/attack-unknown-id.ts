import { bundledAttackVersions, loadAttackCatalogue, type AttackCatalogue } from '../attack/catalogue.js';
import { closest } from '../../rules/validate.js';
import type { Rule } from '../../rules/model.js';
import type { Finding, LintCheck } from '../types.js';
import { attackFor, attackRefs, isAttack } from './attack-util.js';

/** The other bundled releases that know an id, newest first (`T1685` is in 19.2, not in 18.1). */
function elsewhere(current: string, known: (version: string) => boolean): string[] {
  return bundledAttackVersions().filter((v) => v !== current && known(v)).reverse();
}

const SIGMA_TACTIC_TAG = /^attack\.([a-z]+(?:[-_][a-z]+)*)$/i;
/** Group, software and campaign tags are not tactics. */
const SIGMA_OTHER_TAG = /^attack\.[gsc]\d{4}$/i;

/**
 * Sigma tactic tags the rule's release does not have (`attack.defense-evasion` in an ATT&CK 19 rule, a
 * misspelt `attack.defence-evasion`): the loader cannot map them, so without this they vanish silently.
 */
function unknownSigmaTacticTags(rule: Rule, attack: AttackCatalogue, label: string): Finding[] {
  const findings: Finding[] = [];
  rule.tags.forEach((tag, index) => {
    if (SIGMA_OTHER_TAG.test(tag)) return;
    const m = SIGMA_TACTIC_TAG.exec(tag);
    if (!m) return;
    const shortname = (m[1] as string).toLowerCase().replace(/_/g, '-');
    if (attack.tacticByShortname(shortname)) return;
    const other = elsewhere(attack.version, (v) => !!loadAttackCatalogue(v).tacticByShortname(shortname));
    const near = closest(shortname, attack.tactics.map((t) => t.shortname));
    const split = shortname === 'defense-evasion' && attack.tacticByShortname('defense-impairment');
    findings.push({
      path: `tags.${index}`,
      message: `tag "${tag}" names no tactic of ${label}`,
      hint: split
        ? 'ATT&CK 19 split Defense Evasion: tag attack.stealth (TA0005) or attack.defense-impairment (TA0112), whichever the technique belongs to.'
        : other.length
          ? `${shortname} is a tactic of ATT&CK ${other.join(', ')}; declare that release with attack_version, or use a tactic of ATT&CK ${attack.version}.`
          : near
            ? `Did you mean attack.${near}?`
            : `Tactic tags are the tactic's short name: ${attack.tactics.map((t) => `attack.${t.shortname}`).join(', ')}.`,
    });
  });
  return findings;
}

export const attackUnknownId: LintCheck = {
  id: 'attack/unknown-id',
  defaultSeverity: 'error',
  docs: {
    description:
      'Every tactic, technique and sub-technique id in a rule\'s threat mapping must exist in the ATT&CK catalogue the run ' +
      'checks against: the release the rule declares (attack_version), else the newer bundled release whose ids or ' +
      'tactics the rule uses (an ATT&CK 19 id such as T1685 or TA0112 makes it an ATT&CK 19 rule), else the configured ' +
      'one (Enterprise 18.1 unless attack_version or --attack-version says otherwise). A mistyped or invented id breaks ' +
      'coverage reports and navigator layers silently. Revoked and deprecated ids exist and are reported by ' +
      'attack/deprecated instead.',
  },
  check(rule, context) {
    const { attack, label } = attackFor(rule, context);
    const findings: Finding[] = rule.format === 'sigma' ? unknownSigmaTacticTags(rule, attack, label) : [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping)) continue;
      if (kind === 'tactic') {
        if (attack.tactic(ref.id)) continue;
        const byName = attack.tacticByName(ref.name);
        const other = elsewhere(attack.version, (v) => !!loadAttackCatalogue(v).tactic(ref.id));
        findings.push({
          path: `${ref.path}.id`,
          message: `${ref.id} is not a tactic in ${label}`,
          hint: byName
            ? `Did you mean ${byName.id} (${byName.name})?`
            : other.length
              ? `${ref.id} is a tactic of ATT&CK ${other.join(', ')}; declare that release with attack_version, or map the rule to a tactic of ATT&CK ${attack.version}.`
              : `Tactic ids look like TA0008; see https://attack.mitre.org/tactics/enterprise/.`,
        });
        continue;
      }
      if (attack.technique(ref.id)) continue;
      const named = attack.techniquesNamed(ref.name).filter((t) => !t.revoked && !t.deprecated);
      const what = kind === 'technique' ? 'technique' : 'sub-technique';
      const other = elsewhere(attack.version, (v) => !!loadAttackCatalogue(v).technique(ref.id));
      findings.push({
        path: `${ref.path}.id`,
        message: `${ref.id} is not a ${what} in ${label}`,
        hint:
          [
            other.length ? `${ref.id} is in ATT&CK ${other.join(', ')}: declare that release with attack_version, or map the rule to ATT&CK ${attack.version}.` : '',
            named.length ? `Did you mean ${named.map((t) => `${t.id} (${t.name})`).join(' or ')}?` : '',
          ].filter(Boolean).join(' ') ||
          `${kind === 'technique' ? 'Technique ids look like T1021' : 'Sub-technique ids look like T1021.006'}; see https://attack.mitre.org/techniques/enterprise/.`,
      });
    }
    return findings;
  },
};
