import { fieldPath } from '../../rules/paths.js';
import type { Finding, LintCheck } from '../types.js';

export const metadataReferences: LintCheck = {
  id: 'metadata/references',
  defaultSeverity: 'warning',
  docs: {
    description:
      'References are where an analyst goes to understand a detection. Each must be a well-formed https URL (plain http ' +
      'links break behind TLS-only proxies and invite tampering), and none may be listed twice.',
  },
  check(rule) {
    const findings: Finding[] = [];
    const seen = new Map<string, number>();
    rule.references.forEach((ref, i) => {
      const path = `${fieldPath(rule, 'references')}.${i}`;
      let url: URL | undefined;
      try {
        url = new URL(ref.trim());
      } catch {
        url = undefined;
      }
      if (!url || !url.hostname) {
        findings.push({ path, message: `reference "${ref}" is not a URL`, hint: 'Write a full https:// URL.' });
      } else if (url.protocol !== 'https:') {
        findings.push({
          path,
          message: `reference "${ref}" does not use https`,
          hint: url.protocol === 'http:' ? `Use ${ref.trim().replace(/^http:/i, 'https:')} if the site serves it.` : 'Link to an https:// page.',
        });
      }
      const key = ref.trim().replace(/\/+$/, '').toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        findings.push({ path, message: `reference "${ref}" is listed twice (first as entry ${first + 1})`, hint: 'Remove the duplicate.' });
      } else seen.set(key, i);
    });
    return findings;
  },
};
