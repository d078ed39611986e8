import type { Rule } from '../../rules/model.js';
import { fieldPath, type ModelField } from '../../rules/paths.js';
import type { Finding, LintCheck } from '../types.js';

/** The field's own position, or the rule id's when the field is not written at all. */
function pathOrId(rule: Rule, field: ModelField): string {
  const path = fieldPath(rule, field);
  return rule.source.positions.has(path) ? path : fieldPath(rule, 'id');
}

export const metadataRequired: LintCheck = {
  id: 'metadata/required',
  defaultSeverity: 'warning',
  docs: {
    description:
      'A rule others will triage needs a description that says what it detects, an author to ask, and a licence that says ' +
      'whether it may be shared. Historical versions are exempt: they are kept as they were published. (A Sigma rule\'s ' +
      'description is checked by sigma/metadata.)',
  },
  check(rule) {
    if (rule.historical) return [];
    const findings: Finding[] = [];
    // sigma/metadata already reports a Sigma rule's missing description, in Sigma's own terms.
    if (!rule.description?.trim() && rule.format !== 'sigma') {
      findings.push({ path: pathOrId(rule, 'description'), message: 'the rule has no description', hint: 'Say what the rule detects and why it matters.' });
    }
    if (!rule.author.some((a) => a.trim())) {
      findings.push({ path: pathOrId(rule, 'author'), message: 'the rule names no author', hint: 'Add the author (a person or a team).' });
    }
    if (!rule.license?.trim()) {
      findings.push({ path: pathOrId(rule, 'license'), message: 'the rule states no licence', hint: 'Add the licence the rule is published under, e.g. "Elastic License v2" or "DRL-1.1".' });
    }
    return findings;
  },
};
