/**
 * Sigma metadata as pySigma and the SigmaHQ validator plugin check it: identifier and its uniqueness,
 * title length (SigmaHQ: 120), description, level and status present, tags well formed and unique,
 * ATT&CK tactic tags written with hyphens (Sigma 2), falsepositives not "none".
 */
import type { Finding, LintCheck } from '../types.js';
import { sigmaDoc } from './sigma-util.js';

const TAG = /^[a-z0-9_-]+\.[a-z0-9._-]+$/;
const NAMESPACES = new Set(['attack', 'car', 'cve', 'd3fend', 'detection', 'stp', 'tlp']);

export const sigmaMetadata: LintCheck = {
  id: 'sigma/metadata',
  defaultSeverity: 'warning',
  formats: ['sigma'],
  docs: {
    description:
      'Sigma rule metadata SigmaHQ requires: an id (unique across the rule set), a title of at most 120 characters, a ' +
      'description, level and status, well-formed unique tags in a known namespace, hyphenated ATT&CK tactic names, and ' +
      'false positives that say something.',
  },
  check(rule, context) {
    const doc = sigmaDoc(rule);
    if (!doc) return [];
    const findings: Finding[] = [];
    const isRule = 'detection' in doc;
    if (doc.id === undefined) findings.push({ path: 'title', message: 'the rule has no id', hint: 'Add "id: <uuid v4>" so the rule can be referred to and tracked (pySigma: identifier_existence).' });
    else {
      const owners = context.memo('sigma-ids', () => {
        const m = new Map<string, string[]>();
        for (const r of context.rules) {
          const d = sigmaDoc(r);
          if (d && typeof d.id === 'string') m.set(d.id, [...(m.get(d.id) ?? []), r.source.file]);
        }
        return m;
      });
      const files = owners.get(String(doc.id)) ?? [];
      if (files.length > 1) findings.push({ path: 'id', message: `the id ${String(doc.id)} is used by ${files.length} rules (${files.join(', ')})`, hint: 'Give each rule its own id (pySigma: identifier_uniqueness).' });
    }
    if (typeof doc.title === 'string' && doc.title.length > 120) findings.push({ path: 'title', message: `the title is ${doc.title.length} characters long (SigmaHQ: at most 120)`, hint: 'Shorten the title; put details in the description.' });
    if (isRule && typeof doc.description !== 'string') findings.push({ path: 'title', message: 'the rule has no description', hint: 'Say what the rule detects and why it matters.' });
    if (isRule && doc.level === undefined) findings.push({ path: 'title', message: 'the rule has no level', hint: 'Add level: informational, low, medium, high or critical.' });
    if (isRule && doc.status === undefined) findings.push({ path: 'title', message: 'the rule has no status', hint: 'Add status: experimental, test or stable.' });
    const tags = Array.isArray(doc.tags) ? doc.tags.map(String) : [];
    tags.forEach((tag, i) => {
      if (!TAG.test(tag)) findings.push({ path: `tags.${i}`, message: `the tag "${tag}" is not namespace.name in lower case`, hint: 'Tags look like attack.t1059.001 or attack.execution.' });
      else if (!NAMESPACES.has(tag.split('.')[0] as string)) findings.push({ path: `tags.${i}`, message: `the tag namespace "${tag.split('.')[0]}" is not one Sigma defines`, hint: `Namespaces: ${[...NAMESPACES].join(', ')}.` });
      if (/^attack\.[a-z]+_[a-z_]+$/.test(tag)) findings.push({ path: `tags.${i}`, message: `ATT&CK tactic tags use hyphens since Sigma 2: ${tag.replace(/_/g, '-')}`, hint: `Write ${tag.replace(/_/g, '-')}.` });
      if (tags.indexOf(tag) !== i) findings.push({ path: `tags.${i}`, message: `the tag "${tag}" is repeated`, hint: 'Remove the repetition.' });
    });
    const fps = Array.isArray(doc.falsepositives) ? doc.falsepositives.map(String) : [];
    fps.forEach((fp, i) => {
      if (/^(none|unknown|pentest|penetration test)s?$/i.test(fp.trim())) findings.push({ path: `falsepositives.${i}`, message: `"${fp}" is not a false positive description`, hint: 'Name the legitimate activity that can match, or say "Unlikely".' });
    });
    return findings;
  },
};
