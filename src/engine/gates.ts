/**
 * Gates: a necessary condition, read off the IR, for an event to satisfy a stage's condition —
 * "one value of field F equals one of these strings" (exactly, or case-insensitively). A replay
 * offers every event to every rule; with gates the dispatcher (`./dispatch.ts`) looks each gated
 * field up once per event in a hash table and offers the event only to the rules it can concern,
 * so a hundred rules cost little more than one.
 *
 * A gate must never reject an event the compiled condition accepts. It is therefore built only from
 * leaves whose compiled test is plain equality on a `string`-class field (keyword semantics) or a
 * `number`-class field: `==`, `in`, `in~`, and `:`/`like` patterns without wildcards on strings —
 * the value compared is the string itself or the text of a number or boolean (`normString`),
 * optionally lower-cased; or, on numeric fields, the number a value or numeric string denotes.
 * Case-insensitive gates compare `toLowerCase()` forms, which accepts at least what the compiled
 * test accepts. `and` keeps one conjunct's gate (the most selective), `or` needs a gate on every
 * branch (their union), and anything else has none.
 */
import type { FieldGetter } from '../events/fields.js';
import type { CompileContext } from './compile.js';
import type { Expr, Scalar } from './ir.js';
import { LOW_CARDINALITY } from './prefilter.js';

export interface FieldGate {
  /** Canonical path of the field (for grouping and messages). */
  path: string;
  /** The compiled query's getter for the field (shared across queries, see `field-cache.ts`). */
  get: FieldGetter;
  /**
   * `string`: the value compares as its text (`normString`); `number`: as a number (`normNumber`),
   * keyed by the number's canonical text.
   */
  kind: 'string' | 'number';
  caseInsensitive: boolean;
  /** Values that can satisfy the leaf, lower-cased when `caseInsensitive`. */
  values: string[];
}

/** Alternatives (the event passes when any does); null: no gate; []: nothing can match. */
export type Gate = FieldGate[] | null;

/** The text a field value compares as, for a gate of `kind` (as the compiled tests normalise it). */
export function gateKey(v: unknown, kind: FieldGate['kind']): string | undefined {
  if (kind === 'number') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    return Number.isNaN(n) ? undefined : String(n);
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function fieldGate(ctx: CompileContext, subject: Expr, literals: Scalar[], caseInsensitive: boolean, allowNumber = true): Gate {
  if (subject.kind !== 'field' || ctx.isNull(subject)) return null;
  const b = ctx.bind(subject);
  const kind = b.cls === 'string' ? 'string' : b.cls === 'number' && allowNumber ? 'number' : undefined;
  if (!kind) return null;
  const values = new Set<string>();
  for (const l of literals) {
    if (l === null) continue;
    if (typeof l === 'object') return null;
    const k = gateKey(l, kind);
    if (k === undefined) return null;
    values.add(caseInsensitive && kind === 'string' ? k.toLowerCase() : k);
  }
  return [{ path: b.binding.path, get: b.get, kind, caseInsensitive: caseInsensitive && kind === 'string', values: [...values].sort() }];
}

/** Lower is better: weak (low-cardinality) fields last, then fewer values. */
function cost(g: FieldGate[]): number {
  let c = 0;
  for (const f of g) c += f.values.length * (LOW_CARDINALITY.has(f.path) ? 1000 : 1);
  return c;
}

function better(a: Gate, b: Gate): Gate {
  if (a === null) return b;
  if (b === null) return a;
  if (a.length === 0) return a;
  if (b.length === 0) return b;
  return cost(b) < cost(a) ? b : a;
}

/** The gate of an expression used as a condition. */
export function exprGate(ctx: CompileContext, e: Expr): Gate {
  switch (e.kind) {
    case 'and': {
      let best: Gate = null;
      for (const t of e.terms) best = better(best, exprGate(ctx, t));
      return best;
    }
    case 'or': {
      const out: FieldGate[] = [];
      for (const t of e.terms) {
        const g = exprGate(ctx, t);
        if (g === null) return null;
        out.push(...g);
      }
      return out;
    }
    case 'literal':
      return e.value === false || e.value === null ? [] : null;
    case 'compare': {
      if (e.op !== '==') return null;
      const [f, l] = e.left.kind === 'field' ? [e.left, e.right] : [e.right, e.left];
      if (l.kind !== 'literal' || l.value === null || ctx.isNull(l)) return null;
      return fieldGate(ctx, f, [l.value], e.caseInsensitive);
    }
    case 'in': {
      const literals: Scalar[] = [];
      for (const v of e.values) {
        if (v.kind !== 'literal') return null;
        literals.push(v.value);
      }
      return fieldGate(ctx, e.subject, literals, e.caseInsensitive);
    }
    case 'match': {
      if (e.mode !== 'wildcard') return null;
      // Numbers and booleans compare case-sensitively with the value's text; strings without `*`
      // or `?` compare as whole values (folded when case-insensitive).
      for (const p of e.patterns) {
        if (p === null) continue;
        if (typeof p !== 'string') {
          if (e.caseInsensitive) return null;
        } else if (/[*?]/.test(p)) {
          return null;
        }
      }
      return fieldGate(ctx, e.subject, e.patterns, e.caseInsensitive, false);
    }
    default:
      return null;
  }
}
