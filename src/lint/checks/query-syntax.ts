import { queryPositionInFile } from '../../rules/model.js';
import { compiledQuery, isRegexError } from '../query.js';
import type { LintCheck } from '../types.js';

export const querySyntax: LintCheck = {
  id: 'query/syntax',
  defaultSeverity: 'error',
  docs: {
    description:
      'The query must parse in its language. A syntax error is reported at its line and column in the rule file (mapped ' +
      'through YAML block scalars and TOML multi-line strings), so it can be fixed without running anything. Queries in a ' +
      'language or using a feature ruleproof cannot run yet are reported once as info, not as errors: they are valid rules. ' +
      'Regular expressions that do not compile or are unsafe are left to query/regex-safety.',
  },
  check(rule, context) {
    const compiled = compiledQuery(rule, context);
    if (compiled.ok) return [];
    const file = rule.source.file;
    if ('crashed' in compiled) {
      const pos = queryPositionInFile(rule.query, 1, 1);
      return [
        {
          location: { file, line: pos.line, column: pos.column },
          message: `ruleproof could not compile this query: ${compiled.crashed}`,
          hint: 'This is a bug in ruleproof; please report it with the rule file.',
        },
      ];
    }
    const syntax = compiled.errors.filter((e) => e.kind !== 'unsupported' && !isRegexError(e));
    if (!syntax.length) return [];
    return syntax.map((e) => {
      const pos = queryPositionInFile(rule.query, e.line, e.column);
      return {
        location: { file, line: pos.line, column: pos.column },
        message: `the ${rule.query.language} query does not ${e.kind === 'syntax' ? 'parse' : 'compile'}: ${e.message}`,
        hint: 'Fix the query at the position shown.',
      };
    });
  },
};
