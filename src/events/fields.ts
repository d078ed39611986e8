/**
 * Reading a dotted field name out of a canonical event. Documents may be nested
 * (`{process: {name}}`), flattened (`{"process.name": …}`) or a mix of both, as Elasticsearch
 * accepts all three; a getter tries every split of the path, longest key first.
 */
import type { CanonicalEvent } from './types.js';

export type FieldGetter = (doc: CanonicalEvent) => unknown;

function lookup(node: unknown, parts: readonly string[], from: number): unknown {
  if (from === parts.length) return node;
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    // An array of objects: the field is the collection of the field across elements (ES semantics).
    const out: unknown[] = [];
    for (const item of node) {
      const v = lookup(item, parts, from);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : undefined;
  }
  const obj = node as Record<string, unknown>;
  // Longest dotted key first, so a flattened `"process.name"` wins over nothing.
  let key = parts[from] as string;
  let best: unknown = undefined;
  for (let i = from; i < parts.length; i++) {
    if (i > from) key += '.' + parts[i];
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      const v = lookup(obj[key], parts, i + 1);
      if (v !== undefined) best = v;
    }
  }
  return best;
}

const getterCache = new Map<string, FieldGetter>();

/** A getter for a dotted path, built once per path. Returns undefined when the field is absent. */
export function fieldGetter(path: string): FieldGetter {
  let g = getterCache.get(path);
  if (g) return g;
  const parts = path.split('.');
  if (parts.length === 1) {
    const key = path;
    g = (doc) => (Object.prototype.hasOwnProperty.call(doc, key) ? doc[key] : undefined);
  } else if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    g = (doc) => {
      const mid = doc[a];
      if (mid !== null && typeof mid === 'object' && !Array.isArray(mid)) {
        const v = (mid as Record<string, unknown>)[b];
        if (v !== undefined && Object.prototype.hasOwnProperty.call(mid, b)) return v;
      }
      return lookup(doc, parts, 0);
    };
  } else {
    g = (doc) => lookup(doc, parts, 0);
  }
  getterCache.set(path, g);
  return g;
}

export function getField(doc: CanonicalEvent, path: string): unknown {
  return fieldGetter(path)(doc);
}

/** Set a dotted path in a nested document, creating intermediate objects. */
export function setField(doc: CanonicalEvent, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    let next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      node[key] = next;
    }
    node = next as Record<string, unknown>;
  }
  node[parts[parts.length - 1] as string] = value;
}

/** Flatten a nested document into dotted keys (arrays kept as values), sorted for stable output. */
export function flatten(doc: CanonicalEvent, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const key of Object.keys(doc).sort()) {
    const v = doc[key];
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as CanonicalEvent, name, out);
    else out[name] = v;
  }
  return out;
}
