/** Shared helpers for the Sigma lint checks: the rule document and its detection items. */
import type { Rule } from '../../rules/model.js';

export function sigmaDoc(rule: Rule): Record<string, unknown> | undefined {
  if (rule.format !== 'sigma') return undefined;
  const raw = rule.raw;
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

export interface DetectionItem {
  /** Path for `locate`: `detection.<identifier>[.<index>].<key>`. */
  path: string;
  identifier: string;
  field: string;
  modifiers: string[];
  values: unknown[];
}

/** Search identifiers (not `condition`) of a rule's detection, in the order written. */
export function identifiers(doc: Record<string, unknown>): string[] {
  const det = doc.detection;
  if (typeof det !== 'object' || det === null || Array.isArray(det)) return [];
  return Object.keys(det).filter((k) => k !== 'condition' && k !== 'timeframe');
}

/** Every `field|modifiers: values` item of the detection. */
export function detectionItems(doc: Record<string, unknown>): DetectionItem[] {
  const det = doc.detection as Record<string, unknown> | undefined;
  if (!det || typeof det !== 'object') return [];
  const out: DetectionItem[] = [];
  const fromMap = (map: Record<string, unknown>, identifier: string, base: string) => {
    for (const [key, value] of Object.entries(map)) {
      const [field = '', ...modifiers] = key.split('|');
      out.push({ path: `${base}.${key}`, identifier, field, modifiers, values: Array.isArray(value) ? value : [value] });
    }
  };
  for (const id of identifiers(doc)) {
    const v = det[id];
    if (Array.isArray(v)) {
      v.forEach((el, i) => {
        if (typeof el === 'object' && el !== null && !Array.isArray(el)) fromMap(el as Record<string, unknown>, id, `detection.${id}.${i}`);
      });
    } else if (typeof v === 'object' && v !== null) fromMap(v as Record<string, unknown>, id, `detection.${id}`);
  }
  return out;
}

/** The condition strings of a detection. */
export function conditions(doc: Record<string, unknown>): string[] {
  const c = (doc.detection as Record<string, unknown> | undefined)?.condition;
  if (typeof c === 'string') return [c];
  return Array.isArray(c) ? c.filter((x): x is string => typeof x === 'string') : [];
}
