/**
 * Reading a dotted field name out of a canonical event. Documents may be nested
 * (`{process: {name}}`), flattened (`{"process.name": …}`) or a mix of both, as Elasticsearch
 * accepts all three; a getter tries every split of the path, longest key first.
 */
import type { CanonicalEvent } from './types.js';

export type FieldGetter = (doc: CanonicalEvent) => unknown;

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * `joined[from][k]` is `parts[from..from+k]` joined with dots: every key a node at depth `from` may
 * hold the rest of the path under, computed once per path so that reading a field builds no strings.
 */
type JoinedKeys = readonly (readonly string[])[];

function joinedKeys(parts: readonly string[]): JoinedKeys {
  return parts.map((_, from) => parts.slice(from).map((__, k) => internalized(parts.slice(from, from + k + 1).join('.'))));
}

/**
 * The engine's own copy of a string, the one property keys are stored as. A key built by `split`
 * or `join` is a fresh string: every `hasOwnProperty` with it would hash it and search the engine's
 * string table first. Reading the same key back from an object's keys gives the stored copy, which
 * is compared by identity (measured: field reads a third faster).
 */
function internalized(key: string): string {
  return Object.keys({ [key]: true })[0] ?? key;
}

function lookup(node: unknown, joined: JoinedKeys, from: number): unknown {
  if (from === joined.length) return node;
  if (node === null || typeof node !== 'object') return undefined;
  if (Array.isArray(node)) {
    // An array of objects: the field is the collection of the field across elements (ES semantics).
    const out: unknown[] = [];
    for (const item of node) {
      const v = lookup(item, joined, from);
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out.length ? out : undefined;
  }
  const obj = node as Record<string, unknown>;
  // Longest dotted key first, so a flattened `"process.name"` wins over a nested one. Only own
  // properties count: `__proto__` or `constructor` in a rule never reach Object.prototype.
  const keys = joined[from] as readonly string[];
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k] as string;
    if (hasOwn.call(obj, key)) {
      const v = lookup(obj[key], joined, from + k + 1);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

const getterCache = new Map<string, FieldGetter>();

/** A getter for a dotted path, built once per path. Returns undefined when the field is absent. */
export function fieldGetter(path: string): FieldGetter {
  let g = getterCache.get(path);
  if (g) return g;
  const parts = path.split('.').map(internalized);
  const joined = joinedKeys(parts);
  const whole = internalized(path);
  if (parts.length === 1) {
    const key = whole;
    g = (doc) => (hasOwn.call(doc, key) ? doc[key] : undefined);
  } else {
    const n = parts.length;
    g = (doc) => {
      // Walk plain nested objects while no dotted key could claim part of the path: then `lookup`
      // (longest key first, backtracking) can only take this same walk, and its loops and
      // recursion — most of a replay's field-reading time for names of several parts — are skipped.
      let node: unknown = doc;
      for (let d = 0; d < n; d++) {
        if (node === null || typeof node !== 'object') return undefined;
        if (Array.isArray(node)) return lookup(node, joined, d);
        const obj = node as Record<string, unknown>;
        const keys = joined[d] as readonly string[];
        for (let m = keys.length - 1; m >= 1; m--) if (hasOwn.call(obj, keys[m] as string)) return lookup(obj, joined, d);
        const key = keys[0] as string;
        if (!hasOwn.call(obj, key)) return undefined;
        node = obj[key];
      }
      return node;
    };
  }
  getterCache.set(path, g);
  return g;
}

export function getField(doc: CanonicalEvent, path: string): unknown {
  return fieldGetter(path)(doc);
}

/** Set an own data property: a key such as `__proto__` stays an ordinary key of `obj`. */
function defineOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Set a dotted path in a nested document, creating intermediate objects. Keys are own properties
 * only, so a path through `__proto__`, `constructor` or `prototype` (from a rule or an event) writes
 * into the document and never into Object.prototype.
 */
export function setField(doc: CanonicalEvent, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i] as string;
    let next = hasOwn.call(node, key) ? node[key] : undefined;
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      defineOwn(node, key, next);
    }
    node = next as Record<string, unknown>;
  }
  defineOwn(node, parts[parts.length - 1] as string, value);
}

/** Flatten a nested document into dotted keys (arrays kept as values), sorted for stable output. */
export function flatten(doc: CanonicalEvent, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const key of Object.keys(doc).sort()) {
    const v = doc[key];
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as CanonicalEvent, name, out);
    else defineOwn(out, name, v);
  }
  return out;
}
