import { fieldPath } from '../../rules/paths.js';
import type { Finding, LintCheck } from '../types.js';

const REAL_DATES = new Map<string, boolean>();

/** Rules share a few hundred dates: each is judged once. */
function isRealDate(iso: string): boolean {
  let answer = REAL_DATES.get(iso);
  if (answer === undefined) {
    answer = judgeDate(iso);
    if (REAL_DATES.size < 100_000) REAL_DATES.set(iso, answer);
  }
  return answer;
}

function judgeDate(iso: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.getUTCFullYear() === Number(m[1]) && date.getUTCMonth() === Number(m[2]) - 1 && date.getUTCDate() === Number(m[3]);
}

export const metadataDates: LintCheck = {
  id: 'metadata/dates',
  defaultSeverity: 'error',
  docs: {
    description:
      'Creation and update dates must be real calendar dates (YYYY-MM-DD, or YYYY/MM/DD as Elastic writes them) and the ' +
      'update must not come before the creation. Tooling sorts and filters rules by these dates, and a rule "updated" ' +
      'before it was created usually means the two were swapped or copied from another rule.',
  },
  check(rule) {
    const findings: Finding[] = [];
    const format = rule.format === 'elastic-toml' ? 'YYYY/MM/DD' : 'YYYY-MM-DD';
    for (const field of ['created', 'updated'] as const) {
      const value = rule[field];
      if (value !== undefined && !isRealDate(value)) {
        findings.push({
          path: fieldPath(rule, field),
          message: `${field === 'created' ? 'creation' : 'update'} date "${value}" is not a valid date`,
          hint: `Write the date as ${format}.`,
        });
      }
    }
    if (rule.created && rule.updated && isRealDate(rule.created) && isRealDate(rule.updated) && rule.updated < rule.created) {
      findings.push({
        path: fieldPath(rule, 'updated'),
        message: `the rule is updated (${rule.updated}) before it was created (${rule.created})`,
        hint: 'Check that the two dates are not swapped.',
      });
    }
    return findings;
  },
};
