import type { Finding, LintCheck } from '../types.js';
import { attackRefs, isAttack } from './attack-util.js';

export const attackTacticOnce: LintCheck = {
  id: 'attack/tactic-once',
  defaultSeverity: 'warning',
  docs: {
    description:
      'Each tactic appears once in a rule\'s threat mapping, with all of its techniques beneath it. Listing a tactic twice ' +
      '(two [[rule.threat]] tables for TA0002, say) splits its techniques and double-counts the rule in coverage. In the ' +
      'native format, where each entry names one technique, entries for one tactic may repeat and are not reported.',
  },
  formats: ['elastic-toml'],
  check(rule) {
    const findings: Finding[] = [];
    const first = new Map<string, string>();
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (kind !== 'tactic' || !isAttack(mapping)) continue;
      const id = ref.id.trim().toUpperCase();
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, ref.path);
      else {
        findings.push({
          path: `${ref.path}.id`,
          message: `tactic ${id} is listed again (first in ${earlier.replace(/\.tactic$/, '')})`,
          hint: 'Merge the techniques of both entries under one [[rule.threat]] for this tactic.',
        });
      }
    }
    return findings;
  },
};
