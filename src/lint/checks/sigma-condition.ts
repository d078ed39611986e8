/**
 * pySigma's condition validators: `dangling_detection` (an identifier the condition never uses),
 * `all_of_them_condition` (`all of them`), `them_condition_with_single_detection`, and SigmaHQ's
 * `sigmahq_ofselection_condition` / `missing_asterisk_condition` (`1 of x` over one identifier).
 * Conditions that do not parse are left to query/syntax.
 */
import { conditionReferences, identifiersOf, parseCondition } from '../../engine/sigma/condition.js';
import type { Finding, LintCheck } from '../types.js';
import { conditions, identifiers, sigmaDoc } from './sigma-util.js';

export const sigmaCondition: LintCheck = {
  id: 'sigma/condition',
  defaultSeverity: 'warning',
  formats: ['sigma'],
  docs: {
    description:
      'Search identifiers must all take part in the condition (pySigma dangling_detection); "all of them" is discouraged ' +
      '(it silently changes meaning when an identifier is added), and "1 of"/"all of" over a single identifier is just that identifier.',
  },
  check(rule) {
    const doc = sigmaDoc(rule);
    if (!doc || !('detection' in doc)) return [];
    const ids = identifiers(doc);
    const findings: Finding[] = [];
    const used = new Set<string>();
    for (const text of conditions(doc)) {
      let node;
      try {
        node = parseCondition(text);
      } catch {
        return [];
      }
      const refs = conditionReferences(node);
      refs.ids.forEach((i) => used.add(i));
      for (const p of refs.patterns) {
        const covered = identifiersOf(p, ids);
        covered.forEach((i) => used.add(i));
        if (p === 'them' && /\ball\s+of\s+them\b/.test(text)) {
          findings.push({ path: 'detection.condition', message: '"all of them" ANDs every identifier, including ones added later', hint: 'Name the identifiers: "selection and not 1 of filter_*".' });
        } else if (covered.length === 1 && !p.includes('*')) {
          // A pattern over one identifier is SigmaHQ style (room for more); "1 of them"/"1 of sel" without a star is not.
          findings.push({ path: 'detection.condition', message: `"of ${p}" covers a single identifier (${covered[0]})`, hint: `Write "${covered[0]}" directly.` });
        }
      }
    }
    for (const id of ids) {
      if (!used.has(id)) findings.push({ path: `detection.${id}`, message: `the search identifier "${id}" is not used in the condition`, hint: 'Use it in the condition or remove it (pySigma: dangling_detection).' });
    }
    return findings;
  },
};
