import { queryPositionInFile } from '../../rules/model.js';
import type { LintCheck } from '../types.js';

/** The query with comments and string literals blanked out (same length, same lines). */
function codeOnly(text: string): string {
  const blank = (s: string) => (s.includes('\n') ? s.replace(/[^\n]/g, ' ') : ' '.repeat(s.length));
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, blank);
}

export const querySequenceMaxspan: LintCheck = {
  id: 'query/sequence-maxspan',
  defaultSeverity: 'warning',
  docs: {
    description:
      'An EQL sequence without `with maxspan=` keeps every partial match for the whole search window: the events of a ' +
      'sequence can then be hours apart and unrelated, and the search grows with the data. State how close in time the ' +
      'events must be. Applies to EQL queries.',
  },
  check(rule) {
    // Blanking comments and strings only removes text: without the word there is no sequence.
    if (rule.query.language !== 'eql' || !rule.query.text.includes('sequence')) return [];
    const code = codeOnly(rule.query.text);
    const match = /^\s*(sequence)\b/.exec(code);
    if (!match || /\bmaxspan\s*=/.test(code)) return [];
    const offset = match.index + match[0].length - match[1]!.length;
    const before = code.slice(0, offset).split('\n');
    const pos = queryPositionInFile(rule.query, before.length, before[before.length - 1]!.length + 1);
    return [
      {
        location: { file: rule.source.file, line: pos.line, column: pos.column },
        message: 'the sequence has no maxspan',
        hint: 'Add "with maxspan=<duration>" after "sequence" (and "by <join key>"), e.g. "sequence by host.id with maxspan=30s".',
      },
    ];
  },
};
