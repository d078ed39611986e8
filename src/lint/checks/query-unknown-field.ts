import { queryPositionInFile } from '../../rules/model.js';
import { compiledQuery, knownToLint, suggestField, unshippedIntegrationRoots } from '../query.js';
import type { Finding, LintCheck } from '../types.js';

export const queryUnknownField: LintCheck = {
  id: 'query/unknown-field',
  defaultSeverity: 'warning',
  docs: {
    description:
      "A field the rule's field view does not know (ECS unless the rule says otherwise; the ecs view also accepts Elastic " +
      "Defend's fields such as process.Ext.*, from the generated schemas) is usually a typo or a field from " +
      'another schema; the query then never matches, silently. Each unknown field is reported at its line and column in ' +
      'the rule file, with the nearest known name. It is a warning: integrations add fields that no schema lists; a field ' +
      "under an integration the rule names in its index patterns or related_integrations (aws.* for logs-aws.*) and that " +
      'ruleproof ships no schema for is not reported.',
  },
  check(rule, context) {
    const compiled = compiledQuery(rule, context);
    if (!compiled.ok) return [];
    const findings: Finding[] = [];
    for (const field of compiled.query.unknownFields) {
      if (knownToLint(rule.query.fieldView, field.name)) continue;
      const root = field.name.split('.', 1)[0]!.toLowerCase();
      if (unshippedIntegrationRoots(rule, context).has(root)) continue;
      const pos = queryPositionInFile(rule.query, field.line, field.column);
      const guess = suggestField(field.name, rule.query.fieldView, context);
      findings.push({
        location: { file: rule.source.file, line: pos.line, column: pos.column },
        message: `field "${field.name}" is not in the ${rule.query.fieldView} field view`,
        hint: guess
          ? `Did you mean "${guess}"?`
          : `Check the name against the ${rule.query.fieldView} schema; if the field really exists in your data, this warning can be switched off for the rule's check (query/unknown-field).`,
      });
    }
    return findings;
  },
};
