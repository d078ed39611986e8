import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Rule } from '../../rules/model.js';
import { locateTestField } from '../../rules/paths.js';
import { resolveContentPath } from '../../util/paths.js';
import type { Finding, LintCheck } from '../types.js';

/** The repository root the rule was loaded against: its absolute path minus its relative one. */
function repositoryRoot(rule: Rule): string | undefined {
  const { file, absPath } = rule.source;
  if (file.startsWith('../')) return undefined;
  const depth = file.split('/').length;
  let root = absPath;
  for (let i = 0; i < depth; i++) root = path.dirname(root);
  return root;
}

export const testsDatasetExists: LintCheck = {
  id: 'tests/dataset-exists',
  defaultSeverity: 'error',
  docs: {
    description:
      'Every dataset a test names must exist, relative to the repository root and written with / separators. A missing ' +
      'dataset stops the replay of that test (exit code 2); linting catches it before anything runs.',
  },
  check(rule, context) {
    const root = repositoryRoot(rule);
    if (!root) return [];
    // Thousands of tests name the same few datasets: each path is looked up once per lint run.
    // Keyed by root and path as written, so that neither is resolved again either.
    const exists = context.memo('tests/dataset-exists:paths', () => new Map<string, boolean>());
    const findings: Finding[] = [];
    const tests = rule.tests;
    for (let i = 0; i < tests.length; i++) {
      const test = tests[i]!;
      const key = `${root}\u0000${test.dataset}`;
      let found = exists.get(key);
      if (found === undefined) exists.set(key, (found = existsSync(resolveContentPath(root, test.dataset))));
      if (found) continue;
      findings.push({
        location: locateTestField(rule, i, 'dataset'),
        message: `test "${test.name}" uses dataset ${test.dataset}, which does not exist`,
        hint: 'Dataset paths are relative to the repository root, with / separators; check the name, or add the dataset.',
      });
    }
    return findings;
  },
};
