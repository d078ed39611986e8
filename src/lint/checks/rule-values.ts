import { fieldPath } from '../../rules/paths.js';
import { closest } from '../../rules/validate.js';
import type { Finding, LintCheck } from '../types.js';
import type { Rule } from '../../rules/model.js';

const SEVERITIES = ['low', 'medium', 'high', 'critical'];
/** Sigma's `level` has a fifth value below low, for rules that only inform (the Sigma specification). */
const SEVERITIES_BY_FORMAT: Partial<Record<Rule['format'], string[]>> = { sigma: ['informational', ...SEVERITIES] };
const STATUSES: Record<string, string[]> = {
  native: ['production', 'experimental', 'development', 'deprecated', 'history'],
  'elastic-toml': ['production', 'development', 'deprecated'],
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Formats whose ids are not UUIDs by design: MITRE CAR numbers its analytics CAR-YYYY-MM-NNN. */
const ID_SCHEMES: Record<string, { pattern: RegExp; what: string }> = {
  'mitre-car': { pattern: /^CAR-\d{4}-\d{2}-\d{3}$/, what: 'a CAR id (CAR-YYYY-MM-NNN)' },
};

export const ruleValues: LintCheck = {
  id: 'rule/values',
  defaultSeverity: 'error',
  docs: {
    description:
      'Fields with a fixed vocabulary must use it: the rule id is a UUID (every version of a rule shares it), severity is ' +
      'low, medium, high or critical, the risk score lies in 0–100, and the status (Elastic: maturity) is one the format ' +
      'defines. Native rules get most of this from their JSON Schema; Elastic TOML rules get it here.',
  },
  check(rule) {
    const findings: Finding[] = [];
    const scheme = ID_SCHEMES[rule.format];
    if (scheme && !scheme.pattern.test(rule.id)) {
      findings.push({ path: fieldPath(rule, 'id'), message: `rule id "${rule.id}" is not ${scheme.what}`, hint: 'Use the id MITRE assigned to the analytic.' });
    } else if (!scheme && !UUID.test(rule.id)) {
      findings.push({ path: fieldPath(rule, 'id'), message: `rule id "${rule.id}" is not a UUID`, hint: 'Generate one (e.g. with `uuidgen`) and keep it for every version of the rule.' });
    }
    const severities = SEVERITIES_BY_FORMAT[rule.format] ?? SEVERITIES;
    if (rule.severity !== undefined && !severities.includes(rule.severity)) {
      const guess = closest(rule.severity, severities);
      findings.push({
        path: fieldPath(rule, 'severity'),
        message: `severity "${rule.severity}" is not one of ${severities.join(', ')}`,
        hint: guess ? `Did you mean "${guess}"?` : `Use one of ${severities.join(', ')}.`,
      });
    }
    if (rule.riskScore !== undefined && (rule.riskScore < 0 || rule.riskScore > 100)) {
      findings.push({ path: fieldPath(rule, 'riskScore'), message: `risk score ${rule.riskScore} is outside 0–100`, hint: 'Use a score from 0 to 100.' });
    }
    const statuses = STATUSES[rule.format];
    if (rule.status !== undefined && statuses && !statuses.includes(rule.status)) {
      findings.push({
        path: fieldPath(rule, 'status'),
        message: `${rule.format === 'elastic-toml' ? 'maturity' : 'status'} "${rule.status}" is not one of ${statuses.join(', ')}`,
        hint: `Use one of ${statuses.join(', ')}.`,
      });
    }
    return findings;
  },
};
