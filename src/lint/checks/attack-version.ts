import { bundledAttackVersions } from '../attack/catalogue.js';
import { ruleAttackVersion } from '../attack/version.js';
import type { LintCheck } from '../types.js';

export const attackVersion: LintCheck = {
  id: 'attack/version',
  defaultSeverity: 'error',
  docs: {
    description:
      'A rule may say which ATT&CK release its mapping is written against (attack_version: 19 at the top of a Sigma or ' +
      'native rule, or under Elastic\'s [metadata]); the ATT&CK checks then read it against that release. A release ' +
      'ruleproof does not ship cannot be checked: the rule is read against the configured release instead, and this ' +
      'check says so. Rules that declare nothing are read against the newer release whose ids or tactics they use, or ' +
      'the configured one.',
  },
  check(rule, context) {
    const declared = ruleAttackVersion(rule, context.attack).unknownDeclared;
    if (!declared) return [];
    const bundled = bundledAttackVersions();
    return [
      {
        path: declared.path,
        message: `ATT&CK ${declared.value} is not a release ruleproof ships (${bundled.join(', ')}); the rule is checked against ATT&CK ${context.attack.version}`,
        hint: `Declare one of: ${bundled.join(', ')} (a major version such as 19 picks its newest release).`,
      },
    ];
  },
};
