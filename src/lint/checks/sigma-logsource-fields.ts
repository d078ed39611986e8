/**
 * Fields a log source variant never carries. `category: process_creation` also reads Security 4688,
 * which has no ParentCommandLine, Hashes or OriginalFileName: on those events a selection on such a
 * field never matches and an exclusion on it never excludes. Worth knowing for every rule; a field no
 * variant carries makes the item dead everywhere.
 */
import { resolveLogsource, resolveSigmaField, type LogsourceSpec } from '../../events/views/sigma.js';
import type { Finding, LintCheck } from '../types.js';
import { detectionItems, sigmaDoc } from './sigma-util.js';

export const sigmaLogsourceFields: LintCheck = {
  id: 'sigma/logsource-fields',
  defaultSeverity: 'info',
  formats: ['sigma'],
  docs: {
    description:
      'A detection field that one of the log source\'s event variants never carries (e.g. ParentCommandLine on Security ' +
      '4688 for process_creation): selections on it never match those events and exclusions on it never exclude them.',
  },
  check(rule) {
    const doc = sigmaDoc(rule);
    if (!doc || !('detection' in doc)) return [];
    const ls = doc.logsource as LogsourceSpec | undefined;
    if (!ls || typeof ls !== 'object') return [];
    const res = resolveLogsource(ls);
    if (!res.ok || res.variants.length < 1) return [];
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const item of detectionItems(doc)) {
      if (!item.field || seen.has(item.field)) continue;
      seen.add(item.field);
      const missing = res.variants.filter((v) => resolveSigmaField(item.field, v).kind === 'not-carried').map((v) => v.name);
      if (!missing.length) continue;
      const everywhere = missing.length === res.variants.length;
      findings.push({
        path: item.path,
        message: everywhere
          ? `${item.field} is not a field of this log source's events (${missing.join(', ')}): this item never matches`
          : `${item.field} is not in ${missing.join(', ')} events: there this item never matches, and an exclusion on it never excludes`,
        hint: everywhere ? 'Check the field name against the log source.' : 'Fine if intended; otherwise add a condition the other source has too.',
      });
    }
    return findings;
  },
};
