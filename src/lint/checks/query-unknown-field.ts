import { queryPositionInFile } from '../../rules/model.js';
import { closest } from '../../rules/validate.js';
import { compiledQuery, knownFieldNames } from '../query.js';
import type { Finding, LintCheck } from '../types.js';

export const queryUnknownField: LintCheck = {
  id: 'query/unknown-field',
  defaultSeverity: 'warning',
  docs: {
    description:
      "A field the rule's field view does not know (ECS unless the rule says otherwise) is usually a typo or a field from " +
      'another schema; the query then never matches, silently. Each unknown field is reported at its line and column in ' +
      'the rule file, with the nearest known name. It is a warning: integrations add fields that no schema lists.',
  },
  check(rule, context) {
    const compiled = compiledQuery(rule, context);
    if (!compiled.ok) return [];
    const findings: Finding[] = [];
    for (const field of compiled.query.unknownFields) {
      const pos = queryPositionInFile(rule.query, field.line, field.column);
      const guess = closest(field.name, knownFieldNames(rule.query.fieldView, context));
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
