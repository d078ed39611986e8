/**
 * Pairs the rules of two trees by id (whatever files they moved to) and judges each pair against the
 * version policy: behaviour changes need a higher version, metadata-only changes do not.
 */
import type { Rule } from '../rules/model.js';
import { behaviourOf, diffFields, metadataOf, type FieldChange } from './fields.js';
import type { RuleChangeKind, RuleRegression, VersionVerdict } from './types.js';

export interface RulePair {
  id: string;
  old?: Rule;
  new?: Rule;
  change: RuleChangeKind;
  behaviourChanges: FieldChange[];
  metadataChanges: FieldChange[];
  version: { verdict: VersionVerdict; message: string };
}

/** The deployed version of each id: historical copies are ignored; with duplicates, the highest version. */
export function currentById(rules: readonly Rule[]): Map<string, Rule> {
  const out = new Map<string, Rule>();
  for (const r of rules) {
    if (r.historical) continue;
    const seen = out.get(r.id);
    if (!seen || (r.version ?? -1) > (seen.version ?? -1)) out.set(r.id, r);
  }
  return out;
}

export function versionVerdict(old: Rule, neu: Rule, behaviourChanged: boolean): { verdict: VersionVerdict; message: string } {
  const ov = old.version;
  const nv = neu.version;
  if (ov !== null && nv !== null && nv < ov) {
    return { verdict: 'version-decreased', message: `version went down from ${ov} to ${nv}` };
  }
  if (!behaviourChanged) {
    return { verdict: 'ok', message: ov === nv ? 'metadata only: no version increase needed' : `metadata only; version ${ov ?? '-'} → ${nv ?? '-'}` };
  }
  if (ov === null || nv === null) {
    return {
      verdict: 'bump-required',
      message: `behaviour changed but the rule has no version to compare (${ov ?? 'none'} → ${nv ?? 'none'}); give it a version or lock it in ruleproof.lock.json`,
    };
  }
  if (nv > ov) return { verdict: 'ok', message: `behaviour changed with a version increase ${ov} → ${nv}` };
  return { verdict: 'bump-required', message: `behaviour changed but the version stayed at ${nv}: increase it` };
}

export function compareRule(old: Rule | undefined, neu: Rule | undefined): RulePair {
  const id = (neu ?? old)?.id as string;
  if (!old) return { id, new: neu as Rule, change: 'added', behaviourChanges: [], metadataChanges: [], version: { verdict: 'new', message: `new rule at version ${neu?.version ?? '-'}` } };
  if (!neu) return { id, old, change: 'deleted', behaviourChanges: [], metadataChanges: [], version: { verdict: 'removed', message: `deleted at version ${old.version ?? '-'}` } };
  const behaviourChanges = diffFields(behaviourOf(old), behaviourOf(neu));
  const metadataChanges = diffFields(metadataOf(old), metadataOf(neu));
  const moved = old.source.file !== neu.source.file;
  const changed = behaviourChanges.length > 0 || metadataChanges.length > 0 || old.version !== neu.version;
  const change: RuleChangeKind = moved ? 'renamed' : changed ? 'changed' : 'unchanged';
  const version = versionVerdict(old, neu, behaviourChanges.length > 0);
  if (!changed) version.message = 'content unchanged';
  return { id, old, new: neu, change, behaviourChanges, metadataChanges, version };
}

/** Every id of either side, paired; sorted by name, then id. */
export function pairRules(oldRules: readonly Rule[], newRules: readonly Rule[]): RulePair[] {
  const olds = currentById(oldRules);
  const news = currentById(newRules);
  const ids = [...new Set([...olds.keys(), ...news.keys()])];
  return ids
    .map((id) => compareRule(olds.get(id), news.get(id)))
    .sort((a, b) => {
      const na = (a.new ?? a.old)?.name ?? '';
      const nb = (b.new ?? b.old)?.name ?? '';
      return na < nb ? -1 : na > nb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
}

export function shellOf(pair: RulePair): Omit<RuleRegression, 'datasets' | 'verdict'> {
  const side = (r: Rule) => ({ file: r.source.file, version: r.version, name: r.name });
  return {
    id: pair.id,
    name: (pair.new ?? pair.old)?.name ?? pair.id,
    change: pair.change,
    ...(pair.old ? { old: side(pair.old) } : {}),
    ...(pair.new ? { new: side(pair.new) } : {}),
    behaviourChanges: pair.behaviourChanges,
    metadataChanges: pair.metadataChanges,
    version: pair.version,
  };
}
