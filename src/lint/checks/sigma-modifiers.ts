/**
 * pySigma's value validators: `invalid_modifier_combinations` (field-bound `all` without `contains`,
 * `base64offset` without `contains`, `windash` with `all`, a modifier twice), `escaped_wildcard`
 * (`\*`, `\?`: a literal star, probably not meant), `double_wildcard` (`**`),
 * `wildcards_instead_of_modifiers` (`*x*` instead of `|contains`) and SigmaHQ's single-value `all`.
 */
import type { Finding, LintCheck } from '../types.js';
import { detectionItems, sigmaDoc } from './sigma-util.js';

export const sigmaModifiers: LintCheck = {
  id: 'sigma/modifiers',
  defaultSeverity: 'warning',
  formats: ['sigma'],
  docs: {
    description:
      'Modifier chains and values that do not mean what they look like: an exact-match "all" that can never match, ' +
      'base64offset without contains, windash with all, repeated modifiers, escaped or doubled wildcards, and wildcards ' +
      'written where contains/startswith/endswith say it better.',
  },
  check(rule) {
    const doc = sigmaDoc(rule);
    if (!doc) return [];
    const findings: Finding[] = [];
    for (const item of detectionItems(doc)) {
      const mods = item.modifiers.map((m) => m.toLowerCase());
      const has = (m: string) => mods.includes(m);
      const strings = item.values.filter((v): v is string => typeof v === 'string');
      if (item.field && has('all') && !has('contains') && !has('re') && item.values.length > 1) {
        findings.push({ path: item.path, message: `${item.field}|all without contains requires the field to equal every value at once, which never matches`, hint: 'Use |contains|all, or drop all.' });
      }
      if (has('all') && item.values.length === 1) findings.push({ path: item.path, message: '"all" with a single value does nothing', hint: 'Remove the all modifier.' });
      if (has('base64offset') && !has('contains')) findings.push({ path: item.path, message: 'base64offset without contains only matches values that are exactly the encoded fragment', hint: 'Add |contains after base64offset.' });
      if (has('windash') && has('all')) findings.push({ path: item.path, message: 'windash expands each value into alternatives, which all then requires together', hint: 'Do not combine windash with all.' });
      const dup = mods.find((m, i) => mods.indexOf(m) !== i);
      if (dup) findings.push({ path: item.path, message: `the modifier "${dup}" is applied twice`, hint: 'Remove the repetition.' });
      if (has('re')) continue;
      for (const s of strings) {
        if (/(^|[^\\])(\\\\)*\\[*?]/.test(s)) findings.push({ path: item.path, message: `"${s}" escapes a wildcard: \\* and \\? are a literal star and question mark`, hint: 'For "a backslash, then anything" write \\\\* (or use startswith with a trailing backslash).' });
        if (s.includes('**')) findings.push({ path: item.path, message: `"${s}" has a double wildcard`, hint: 'One * matches any run of characters.' });
      }
      if (item.field && !mods.length && strings.length && strings.every((s) => /^\*[^*?]+\*$/.test(s))) {
        findings.push({ path: item.path, message: 'every value is *text*: contains says it better', hint: `Write ${item.field}|contains and drop the stars.` });
      }
    }
    return findings;
  },
};
