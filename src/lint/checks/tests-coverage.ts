import { locate } from '../../rules/model.js';
import { fieldPath } from '../../rules/paths.js';
import type { LintCheck } from '../types.js';

/** Rules that are meant to run: not historical, not deprecated or still in development. */
function isCurrentProduction(status: string | undefined, historical: boolean): boolean {
  return !historical && (status === undefined || status === 'production' || status === 'experimental');
}

export const testsPresent: LintCheck = {
  id: 'tests/present',
  defaultSeverity: 'warning',
  docs: {
    description:
      'Every current production rule has tests, and at least one of them shows the rule firing on real data. A rule that ' +
      'only ever stays quiet is untested where it matters. When no available dataset can make it fire, say so: a quiet ' +
      'test whose reason states it keeps the finding away (write "cannot fire" or "no dataset" in the reason).',
  },
  check(rule) {
    if (!isCurrentProduction(rule.status, rule.historical)) return [];
    const where = rule.source.testsFile ? { location: { file: rule.source.testsFile, line: 1, column: 1 } } : { path: fieldPath(rule, 'tests') };
    if (!rule.tests.length) {
      return [
        {
          ...(rule.format === 'native' ? { path: fieldPath(rule, 'id') } : { location: locate(rule, fieldPath(rule, 'id')) }),
          message: 'the rule has no tests',
          hint:
            rule.format === 'native'
              ? 'Add a "tests:" list with at least one dataset on which the rule must fire.'
              : `Add ${rule.source.file.replace(/\.[^./]+$/, '')}.tests.yml with "rule: ${rule.id}" and at least one "expect: fire" test.`,
        },
      ];
    }
    if (rule.tests.some((t) => t.expect === 'fire')) return [];
    if (rule.tests.some((t) => /cannot fire|can't fire|no (bundled |public )?(dataset|data|capture)/i.test(t.reason ?? ''))) return [];
    return [
      {
        ...where,
        message: 'no test shows the rule firing',
        hint: 'Add an "expect: fire" test on a dataset with the attack, or state in a quiet test\'s reason that no dataset can make it fire.',
      },
    ];
  },
};

export const testsQuietForFalsePositives: LintCheck = {
  id: 'tests/false-positive-quiet',
  defaultSeverity: 'info',
  docs: {
    description:
      'A rule that documents false positives or exclusions should prove them: at least one "expect: quiet" test on data ' +
      'where the benign activity happens. Without it, an edit that breaks an exclusion goes unnoticed.',
  },
  check(rule) {
    if (rule.historical || !rule.falsePositives.length || !rule.tests.length) return [];
    if (rule.tests.some((t) => t.expect === 'quiet')) return [];
    return [
      {
        ...(rule.source.testsFile ? { location: { file: rule.source.testsFile, line: 1, column: 1 } } : { path: fieldPath(rule, 'tests') }),
        message: 'the rule documents false positives but has no quiet test',
        hint: 'Add an "expect: quiet" test on data with the benign activity, with its reason.',
      },
    ];
  },
};
