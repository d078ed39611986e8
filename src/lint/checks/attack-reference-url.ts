import type { Finding, LintCheck } from '../types.js';
import { attackRefs, isAttack, type RefKind } from './attack-util.js';

/** The canonical attack.mitre.org page of an id (tactics, techniques, and sub-techniques as T1021/006). */
export function attackUrl(kind: RefKind, id: string): string {
  const upper = id.trim().toUpperCase();
  if (kind === 'tactic') return `https://attack.mitre.org/tactics/${upper}/`;
  return `https://attack.mitre.org/techniques/${upper.replace('.', '/')}/`;
}

/** Equal as ATT&CK page links: http or https, with or without the trailing slash, any case. */
export function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/^http:/i, 'https:').replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

export const attackReferenceUrl: LintCheck = {
  id: 'attack/reference-url',
  defaultSeverity: 'error',
  docs: {
    description:
      'Where a mapping carries a reference URL (Elastic writes one for every tactic, technique and sub-technique), it must ' +
      'be the attack.mitre.org page of that id: https://attack.mitre.org/tactics/TA0008/, /techniques/T1021/, ' +
      '/techniques/T1021/006/. A URL for another id is a copy-paste error that sends readers to the wrong page.',
  },
  check(rule) {
    const findings: Finding[] = [];
    for (const { kind, ref, mapping } of attackRefs(rule)) {
      if (!isAttack(mapping) || ref.reference === undefined) continue;
      const expected = attackUrl(kind, ref.id);
      if (sameUrl(ref.reference, expected)) continue;
      findings.push({
        path: `${ref.path}.reference`,
        message: `the reference of ${ref.id} is "${ref.reference}", which is not its ATT&CK page`,
        hint: `Use ${expected}`,
      });
    }
    return findings;
  },
};
