import { locate, type Rule } from '../../rules/model.js';
import { fieldPath } from '../../rules/paths.js';
import { formatLocation } from '../../util/diagnostics.js';
import type { LintCheck, LintContext } from '../types.js';

/** Names compared the way a reader would: case and runs of whitespace do not make two names different. */
function normalizedName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

function firstIdByName(context: LintContext): Map<string, Rule> {
  return context.memo('first-rule-by-name', () => {
    const byName = new Map<string, Rule>();
    for (const rule of context.rules) {
      const key = normalizedName(rule.name);
      if (!byName.has(key)) byName.set(key, rule);
    }
    return byName;
  });
}

export const nameConflict: LintCheck = {
  id: 'rule/name-conflict',
  defaultSeverity: 'error',
  docs: {
    description:
      'A rule name identifies a detection to analysts: alerts, dashboards and triage notes refer to it. Versions of one rule ' +
      'share their name, but two different rule ids with the same name (ignoring case and spacing) cannot be told apart in an ' +
      'alert queue. The rule that comes first in path order keeps the name; the others are reported.',
  },
  check(rule, context) {
    const owner = firstIdByName(context).get(normalizedName(rule.name));
    if (!owner || owner.id === rule.id) return [];
    return [
      {
        path: fieldPath(rule, 'name'),
        message: `the name "${rule.name}" is already used by rule ${owner.id} (${formatLocation(locate(owner, fieldPath(owner, 'name')))})`,
        hint: 'Give this rule a distinct name, or give it the same id if it is another version of that rule.',
      },
    ];
  },
};
