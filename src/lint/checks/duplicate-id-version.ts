import { locate, type Rule } from '../../rules/model.js';
import { fieldPath } from '../../rules/paths.js';
import { formatLocation } from '../../util/diagnostics.js';
import type { LintCheck, LintContext } from '../types.js';

function groups(context: LintContext): Map<string, Rule[]> {
  return context.memo('rules-by-id-version', () => {
    const byKey = new Map<string, Rule[]>();
    for (const rule of context.rules) {
      const key = `${rule.id}\u0000${rule.version ?? ''}\u0000${rule.implementation ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), rule]);
    }
    return byKey;
  });
}

export const duplicateIdVersion: LintCheck = {
  id: 'rule/duplicate-id-version',
  defaultSeverity: 'error',
  docs: {
    description:
      'Every version of a rule is identified by the pair (id, version): the highest version is the current rule and older ' +
      'ones live under history/. Two files with the same id and version make it ambiguous which one runs and which ' +
      'one the test results belong to. Rules of one analytic that differ only in their implementation (MITRE CAR: EQL, LogPoint) are not duplicates. The first file (in path order) is taken as the original; each later one is reported.',
  },
  check(rule, context) {
    const same = groups(context).get(`${rule.id}\u0000${rule.version ?? ''}\u0000${rule.implementation ?? ''}`) ?? [];
    const first = same[0];
    if (!first || first === rule) return [];
    const versionText = rule.version === null ? 'no version' : `version ${rule.version}`;
    return [
      {
        path: fieldPath(rule, 'id'),
        message: `rule ${rule.id} with ${versionText} is also defined in ${formatLocation(locate(first, fieldPath(first, 'id')))}`,
        hint:
          rule.version === null
            ? 'Give each version its own version number (a version key, or the version lock), or remove the copy.'
            : `Bump the version of the changed rule (and move the older one under history/), or remove the copy.`,
      },
    ];
  },
};
