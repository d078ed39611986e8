/**
 * IR expressions → closures over canonical events. Shared by every query language.
 *
 * Two evaluation modes mirror how Elasticsearch runs a filter:
 *  - **index semantics** (a "leaf" predicate over one field and constants, which Elasticsearch turns
 *    into a term/terms/range/wildcard/regexp/exists query): a multi-valued field matches when any
 *    element matches; a missing field matches nothing, so `!=` and `not` match it.
 *  - **script semantics** (anything else: functions, arithmetic, field-vs-field): values are scalars
 *    (the first value of a multi-valued field), null propagates, and a leaf whose result is null
 *    counts as false.
 * Boolean structure (`and`/`or`/`not`) over leaves is two-valued, as Elasticsearch's bool query is.
 *
 * Everything that can be decided at compile time is: field bindings, literal normalisation, string
 * lower-casing, wildcard and regex compilation, CIDR parsing, IN sets. Closures allocate nothing
 * per event on the common paths.
 */
import type { CanonicalEvent, FieldBinder, FieldBinding } from '../events/types.js';
import { fieldGetter, type FieldGetter } from '../events/fields.js';
import { sharedFieldGetter } from './field-cache.js';
import { fieldPatternPredicate, nestedPredicate } from './field-pattern.js';
import type { CompareOp, Expr, FieldRef, Scalar, Span } from './ir.js';
import { compileLuceneRegex, LuceneRegexError } from './lucene-regex.js';
import { backtrackingHazard } from './safe-regex.js';
import { jsRegexAutomatonTest } from './spl/regex.js';
import { canonicalIp, cidrMatcher, compareVersions, dateMillis, ipBytes, isIntegerType, typeClass, wildcardTest, type TypeClass } from './values.js';

export type Predicate = (doc: CanonicalEvent) => boolean;
/** Script-semantics value: a scalar, or null for missing/undefined. */
export type ValueFn = (doc: CanonicalEvent) => Scalar;

/** A compile-time problem at a span of the query text. */
export class CompileError extends Error {
  constructor(
    message: string,
    public readonly span: Span,
    public readonly kind: 'syntax' | 'unsupported' | 'semantic' = 'semantic',
  ) {
    super(message);
  }
}

export interface BoundField {
  ref: FieldRef;
  binding: FieldBinding;
  cls: TypeClass;
  get: FieldGetter;
}

export interface CompileContextOptions {
  binder: FieldBinder;
  /** Legacy endgame dialect (case-insensitive string equality). */
  endgame?: boolean;
  /** Optional fields the binder does not know are the constant null (see `CompileOptions.closedSchema`). */
  closedSchema?: boolean;
}

/** Per-query compilation state: bindings and the fields the query reads. */
export class CompileContext {
  readonly binder: FieldBinder;
  readonly endgame: boolean;
  readonly closedSchema: boolean;
  /** Canonical paths read. */
  readonly fields = new Set<string>();
  /** Field references the binder does not know (not optional). */
  readonly unknown: FieldRef[] = [];
  private readonly bound = new Map<string, BoundField>();

  constructor(options: CompileContextOptions) {
    this.binder = options.binder;
    this.endgame = options.endgame ?? false;
    this.closedSchema = options.closedSchema ?? false;
  }

  /** Whether an expression is the constant null: `null`, or an optional field the schema lacks. */
  isNull(e: Expr): boolean {
    if (e.kind === 'literal') return e.value === null;
    return e.kind === 'field' && e.optional && this.closedSchema && !this.binder.bind(e.name).known;
  }

  bind(ref: FieldRef): BoundField {
    const binding = this.binder.bind(ref.name);
    this.fields.add(binding.path);
    if (!binding.known && !ref.optional && !this.unknown.some((u) => u.span.start === ref.span.start)) this.unknown.push(ref);
    let b = this.bound.get(ref.name);
    if (!b) {
      b = { ref, binding, cls: typeClass(binding.type), get: sharedFieldGetter(binding.get ?? fieldGetter(binding.path)) };
      this.bound.set(ref.name, b);
    }
    return b;
  }

  /** Bind a canonical path directly (e.g. the category field). */
  bindPath(name: string): BoundField {
    const ref: FieldRef = { kind: 'field', name, optional: true, span: { start: 0, end: 0 } };
    const b = this.bind(ref);
    return b;
  }
}

// ---------------------------------------------------------------------------------------------
// Value normalisation: a document value as the term Elasticsearch would index for the field type.

type Norm = (v: unknown) => Scalar | undefined;

const V4_PLAIN = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function normIp(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  if (V4_PLAIN.test(v)) return v;
  return canonicalIp(v) ?? v;
}

function normString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function normNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

function normBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

function normLoose(v: unknown): Scalar | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return undefined;
}

export function normalizer(cls: TypeClass): Norm {
  switch (cls) {
    case 'string':
    case 'version':
      return normString;
    case 'number':
      return normNumber;
    case 'ip':
      return normIp;
    case 'date':
      return dateMillis;
    case 'boolean':
      return normBoolean;
    default:
      return normLoose;
  }
}

/** Apply `test` to a raw field value: any element of an array; false when missing. */
function anyValue(raw: unknown, test: (v: unknown) => boolean): boolean {
  if (raw === undefined || raw === null) return false;
  if (Array.isArray(raw)) {
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i];
      if (v !== null && v !== undefined && test(v)) return true;
    }
    return false;
  }
  return test(raw);
}

function hasValue(raw: unknown): boolean {
  if (raw === undefined || raw === null) return false;
  if (Array.isArray(raw)) {
    for (const v of raw) if (v !== null && v !== undefined) return true;
    return false;
  }
  return true;
}

/** First non-null scalar of a raw value (script semantics), normalised; null when none. */
function scriptValue(raw: unknown, norm: Norm): Scalar {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) {
    for (const v of raw) {
      if (v === null || v === undefined) continue;
      const n = norm(v);
      if (n !== undefined) return n;
    }
    return null;
  }
  const n = norm(raw);
  return n === undefined ? null : n;
}

// ---------------------------------------------------------------------------------------------
// Ordering of normalised values by type class.

type Cmp = (a: Scalar, b: Scalar) => number | undefined;

function cmpIp(a: Scalar, b: Scalar): number | undefined {
  if (typeof a !== 'string' || typeof b !== 'string') return undefined;
  const x = ipBytes(a);
  const y = ipBytes(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 16; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d) return d;
  }
  return 0;
}

function cmpLoose(a: Scalar, b: Scalar): number | undefined {
  if (a === null || b === null) return undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // Mixed string/number: numeric when the string is a number (a keyword holding digits).
  const x = typeof a === 'number' ? a : typeof a === 'string' && a.trim() !== '' ? Number(a) : NaN;
  const y = typeof b === 'number' ? b : typeof b === 'string' && b.trim() !== '' ? Number(b) : NaN;
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function comparator(cls: TypeClass): Cmp {
  switch (cls) {
    case 'ip':
      return cmpIp;
    case 'version':
      return (a, b) => (typeof a === 'string' && typeof b === 'string' ? compareVersions(a, b) : undefined);
    default:
      return cmpLoose;
  }
}

function opHolds(op: CompareOp, c: number): boolean {
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

const FLIP: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

// ---------------------------------------------------------------------------------------------
// Equality of one element against a normalised literal (index semantics).

function literalFor(cls: TypeClass, value: Scalar, span: Span): Scalar {
  if (value === null) return null;
  if (cls === 'ip' && typeof value === 'string' && value.includes('/') && cidrMatcher(value)) return value;
  const n = cls === 'ip' ? (typeof value === 'string' ? canonicalIp(value) : undefined) : normalizer(cls)(value);
  if (n === undefined) {
    if (cls === 'ip') throw new CompileError(`[${String(value)}] is not a valid IP address`, span);
    if (cls === 'number') throw new CompileError(`cannot compare a numeric field with [${JSON.stringify(value)}]`, span);
    if (cls === 'date') throw new CompileError(`[${String(value)}] is not a valid date`, span);
    return value;
  }
  return n;
}

function equalsTest(b: BoundField, lit: Scalar, caseInsensitive: boolean): (v: unknown) => boolean {
  const norm = normalizer(b.cls);
  if (b.cls === 'string' || b.cls === 'version') {
    const s = String(lit);
    if (caseInsensitive) {
      const ls = s.toLowerCase();
      return (v) => (typeof v === 'string' ? v.length === ls.length && v.toLowerCase() === ls : norm(v)?.toString().toLowerCase() === ls);
    }
    return (v) => (typeof v === 'string' ? v === s : norm(v) === s);
  }
  if (b.cls === 'ip' && typeof lit === 'string' && lit.includes('/')) {
    // A term query on an `ip` field accepts CIDR notation.
    const inBlock = cidrMatcher(lit) as (ip: string) => boolean;
    return (v) => typeof v === 'string' && inBlock(v);
  }
  if (b.cls === 'loose') {
    if (typeof lit === 'string') {
      const ls = caseInsensitive ? lit.toLowerCase() : lit;
      const litIp = ipBytes(lit) ? canonicalIp(lit) : undefined;
      return (v) => {
        if (typeof v === 'string') {
          if ((caseInsensitive ? v.toLowerCase() : v) === ls) return true;
          return litIp !== undefined && (v.includes(':') || V4_PLAIN.test(v) || /^\d/.test(v)) && canonicalIp(v) === litIp;
        }
        if (typeof v === 'number' || typeof v === 'boolean') return String(v) === ls;
        return false;
      };
    }
    if (typeof lit === 'number') return (v) => (typeof v === 'number' ? v === lit : normNumber(v) === lit);
    if (typeof lit === 'boolean') return (v) => v === lit || v === String(lit);
  }
  return (v) => norm(v) === lit;
}

// ---------------------------------------------------------------------------------------------
// The compiler.

export class ExprCompiler {
  constructor(private readonly ctx: CompileContext) {}

  /** A two-valued predicate (the top of a condition, or a leaf inside boolean structure). */
  predicate(e: Expr): Predicate {
    switch (e.kind) {
      case 'and': {
        const ps = e.terms.map((t) => this.predicate(t));
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (d) => a(d) && b(d);
        }
        return (d) => {
          for (let i = 0; i < ps.length; i++) if (!(ps[i] as Predicate)(d)) return false;
          return true;
        };
      }
      case 'or': {
        const ps = e.terms.map((t) => this.predicate(t));
        if (ps.length === 2) {
          const [a, b] = ps as [Predicate, Predicate];
          return (d) => a(d) || b(d);
        }
        return (d) => {
          for (let i = 0; i < ps.length; i++) if ((ps[i] as Predicate)(d)) return true;
          return false;
        };
      }
      case 'not': {
        if (this.ctx.endgame) {
          // The legacy engine keeps three-valued logic to the top: not(null) is null, not true.
          const v = this.value(e.operand);
          return (d) => v(d) === false;
        }
        const p = this.predicate(e.operand);
        return (d) => !p(d);
      }
      case 'literal':
        if (e.value === true) return () => true;
        if (e.value === false || e.value === null) return () => false;
        throw new CompileError(`a condition must be a boolean; found [${JSON.stringify(e.value)}]`, e.span);
      case 'field': {
        const b = this.ctx.bind(e);
        return (d) => anyValue(b.get(d), (v) => v === true || v === 'true');
      }
      case 'exists': {
        const b = this.ctx.bind(e.field);
        return (d) => hasValue(b.get(d));
      }
      case 'compare': {
        const leaf = this.compareLeaf(e.op, e.left, e.right, e.caseInsensitive, e.span);
        if (leaf) return leaf;
        break;
      }
      case 'in': {
        const leaf = this.inLeaf(e);
        if (leaf) return leaf;
        break;
      }
      case 'match':
        if (e.subject.kind === 'field') {
          const b = this.ctx.bind(e.subject);
          const test = this.patternTest(e.mode, e.patterns, e.caseInsensitive, b, e.span);
          return (d) => anyValue(b.get(d), test);
        }
        break;
      case 'cidr':
        if (e.subject.kind === 'field') {
          const b = this.ctx.bind(e.subject);
          const test = cidrTest(e.blocks, e.span);
          return (d) => anyValue(b.get(d), (v) => typeof v === 'string' && test(v));
        }
        break;
      case 'fieldPattern':
        return fieldPatternPredicate(e, this.ctx);
      case 'nested':
        return nestedPredicate(e, this.ctx, (c) => this.predicate(c));
      case 'range':
        if (e.subject.kind === 'field') {
          const b = this.ctx.bind(e.subject);
          const cmp = comparator(b.cls);
          const norm = normalizer(b.cls);
          const lo = e.lower ? { v: literalFor(b.cls, e.lower.value, e.span), inc: e.lower.inclusive } : undefined;
          const hi = e.upper ? { v: literalFor(b.cls, e.upper.value, e.span), inc: e.upper.inclusive } : undefined;
          return (d) =>
            anyValue(b.get(d), (raw) => {
              const v = norm(raw);
              if (v === undefined) return false;
              if (lo) {
                const c = cmp(v, lo.v);
                if (c === undefined || c < 0 || (c === 0 && !lo.inc)) return false;
              }
              if (hi) {
                const c = cmp(v, hi.v);
                if (c === undefined || c > 0 || (c === 0 && !hi.inc)) return false;
              }
              return true;
            });
        }
        break;
      default:
        break;
    }
    const v = this.value(e);
    return (d) => v(d) === true;
  }

  private compareLeaf(op: CompareOp, left: Expr, right: Expr, ci: boolean, span: Span): Predicate | undefined {
    // Literals on the right, as Elasticsearch's optimizer puts them.
    if (this.ctx.isNull(left) && !this.ctx.isNull(right)) return this.compareLeaf(FLIP[op], right, left, ci, span);
    if (left.kind === 'literal' && right.kind !== 'literal' && !this.ctx.isNull(right)) return this.compareLeaf(FLIP[op], right, left, ci, span);
    if (this.ctx.isNull(right)) {
      // `x == null` / `x != null` are null checks (Elasticsearch rewrites them to IsNull/IsNotNull).
      if (op !== '==' && op !== '!=') return () => false;
      if (this.ctx.isNull(left)) return op === '==' ? () => true : () => false;
      if (left.kind === 'field') {
        const b = this.ctx.bind(left);
        return op === '==' ? (d) => !hasValue(b.get(d)) : (d) => hasValue(b.get(d));
      }
      const v = this.value(left);
      return op === '==' ? (d) => v(d) === null : (d) => v(d) !== null;
    }
    if (left.kind !== 'field' || right.kind !== 'literal') return undefined;
    const b = this.ctx.bind(left);
    const lit = literalFor(b.cls, right.value, right.span);
    if (op === '==' || op === '!=') {
      const eq = equalsTest(b, lit, ci);
      const get = b.get;
      if (op === '==') return (d) => anyValue(get(d), eq);
      // Legacy dialect: a missing field compares as null, and null != x is null (no match).
      if (this.ctx.endgame) return (d) => hasValue(get(d)) && !anyValue(get(d), eq);
      return (d) => !anyValue(get(d), eq);
    }
    const cmp = comparator(b.cls);
    const norm = normalizer(b.cls);
    const get = b.get;
    const foldLit = ci && typeof lit === 'string' ? lit.toLowerCase() : lit;
    return (d) =>
      anyValue(get(d), (raw) => {
        let v = norm(raw);
        if (v === undefined) return false;
        if (ci && typeof v === 'string') v = v.toLowerCase();
        const c = cmp(v, foldLit);
        return c !== undefined && opHolds(op, c);
      });
  }

  private inLeaf(e: Expr & { kind: 'in' }): Predicate | undefined {
    if (e.subject.kind !== 'field' || !e.values.every((v) => v.kind === 'literal')) return undefined;
    const b = this.ctx.bind(e.subject);
    const lits = e.values.map((v) => (v as { value: Scalar }).value).filter((v) => v !== null);
    if (b.cls === 'string' || b.cls === 'version' || b.cls === 'ip' || b.cls === 'number' || b.cls === 'date' || b.cls === 'boolean') {
      const set = new Set<Scalar>();
      for (const l of lits) {
        const n = literalFor(b.cls, l, e.span);
        set.add(e.caseInsensitive && typeof n === 'string' ? n.toLowerCase() : n);
      }
      const norm = normalizer(b.cls);
      const ci = e.caseInsensitive && (b.cls === 'string' || b.cls === 'version');
      const get = b.get;
      if (ci) return (d) => anyValue(get(d), (v) => { const n = norm(v); return typeof n === 'string' && set.has(n.toLowerCase()); });
      if (b.cls === 'string') return (d) => anyValue(get(d), (v) => set.has(typeof v === 'string' ? v : (norm(v) ?? null)));
      return (d) => anyValue(get(d), (v) => { const n = norm(v); return n !== undefined && set.has(n); });
    }
    const tests = lits.map((l) => equalsTest(b, l, e.caseInsensitive));
    const get = b.get;
    return (d) => anyValue(get(d), (v) => { for (const t of tests) if (t(v)) return true; return false; });
  }

  private patternTest(mode: 'wildcard' | 'regex', patterns: Scalar[], ci: boolean, b: BoundField | undefined, span: Span): (v: unknown) => boolean {
    const norm = b ? normalizer(b.cls === 'loose' ? 'string' : b.cls) : normString;
    const tests: Array<(s: string) => boolean> = [];
    for (const p of patterns) {
      if (p === null) continue;
      if (typeof p !== 'string') {
        const s = String(p);
        tests.push((v) => v === s);
        continue;
      }
      if (mode === 'regex') {
        try {
          tests.push(compileLuceneRegex(p, ci).test);
        } catch (err) {
          if (err instanceof LuceneRegexError) throw new CompileError(`Invalid regex [${p}]: ${err.message}`, span);
          throw err;
        }
      } else {
        tests.push(wildcardTest(p, ci));
      }
    }
    if (tests.length === 1) {
      const t = tests[0] as (s: string) => boolean;
      return (v) => {
        const s = typeof v === 'string' ? v : norm(v);
        return typeof s === 'string' && t(s);
      };
    }
    return (v) => {
      const s = typeof v === 'string' ? v : norm(v);
      if (typeof s !== 'string') return false;
      for (let i = 0; i < tests.length; i++) if ((tests[i] as (s: string) => boolean)(s)) return true;
      return false;
    };
  }

  // ---- script semantics ----

  /** Whether an expression statically yields an integer (for integer division). */
  private integral(e: Expr): boolean {
    switch (e.kind) {
      case 'literal':
        return typeof e.value === 'number' && Number.isInteger(e.value) && !/[.eE]/.test(this.literalText(e));
      case 'field':
        return isIntegerType(this.ctx.bind(e).binding.type);
      case 'arith':
        return e.op !== '/' ? this.integral(e.left) && this.integral(e.right) : this.integral(e.left) && this.integral(e.right);
      case 'negate':
        return this.integral(e.operand);
      case 'call':
        if (e.name === 'length' || e.name === 'indexOf') return true;
        if (['add', 'subtract', 'multiply', 'divide', 'modulo'].includes(e.name)) return e.args.every((a) => this.integral(a));
        return false;
      default:
        return false;
    }
  }

  private literalText(e: Expr): string {
    return this.sourceText ? this.sourceText.slice(e.span.start, e.span.end) : '';
  }

  /** Query text, for literal spelling (`2.0` vs `2`). */
  sourceText = '';

  value(e: Expr): ValueFn {
    switch (e.kind) {
      case 'literal': {
        const v = e.value;
        return () => v;
      }
      case 'field': {
        const b = this.ctx.bind(e);
        if (this.ctx.isNull(e)) return () => null;
        const norm = normalizer(b.cls);
        const get = b.get;
        return (d) => scriptValue(get(d), norm);
      }
      case 'exists': {
        const b = this.ctx.bind(e.field);
        return (d) => hasValue(b.get(d));
      }
      case 'and': {
        const vs = e.terms.map((t) => this.value(t));
        return (d) => {
          let unknown = false;
          for (const v of vs) {
            const r = v(d);
            if (r === false) return false;
            if (r !== true) unknown = true;
          }
          return unknown ? null : true;
        };
      }
      case 'or': {
        const vs = e.terms.map((t) => this.value(t));
        return (d) => {
          let unknown = false;
          for (const v of vs) {
            const r = v(d);
            if (r === true) return true;
            if (r !== false) unknown = true;
          }
          return unknown ? null : false;
        };
      }
      case 'not': {
        const v = this.value(e.operand);
        return (d) => {
          const r = v(d);
          return r === null ? null : !r;
        };
      }
      case 'compare': {
        if (this.ctx.isNull(e.right) && (e.op === '==' || e.op === '!=')) {
          const v = this.value(e.left);
          return e.op === '==' ? (d) => v(d) === null : (d) => v(d) !== null;
        }
        if (this.ctx.isNull(e.left) && (e.op === '==' || e.op === '!=')) {
          const v = this.value(e.right);
          return e.op === '==' ? (d) => v(d) === null : (d) => v(d) !== null;
        }
        const cls = this.classOf(e.left) ?? this.classOf(e.right) ?? 'loose';
        const l = this.typedValue(e.left, cls);
        const r = this.typedValue(e.right, cls);
        const cmp = comparator(cls);
        const op = e.op;
        const ci = e.caseInsensitive;
        return (d) => {
          let a = l(d);
          let b = r(d);
          if (a === null || b === null) return null;
          if (ci && typeof a === 'string' && typeof b === 'string') {
            a = a.toLowerCase();
            b = b.toLowerCase();
          }
          if (op === '==' || op === '!=') {
            const eq = a === b || (typeof a !== typeof b && cmp(a, b) === 0);
            return op === '==' ? eq : !eq;
          }
          const c = cmp(a, b);
          return c === undefined ? null : opHolds(op, c);
        };
      }
      case 'in': {
        const cls = this.classOf(e.subject) ?? 'loose';
        const s = this.typedValue(e.subject, cls);
        const vs = e.values.map((v) => this.typedValue(v, cls));
        const ci = e.caseInsensitive;
        const cmp = comparator(cls);
        return (d) => {
          let a = s(d);
          if (a === null) return null;
          if (ci && typeof a === 'string') a = a.toLowerCase();
          let sawNull = false;
          for (const v of vs) {
            let b = v(d);
            if (b === null) {
              sawNull = true;
              continue;
            }
            if (ci && typeof b === 'string') b = b.toLowerCase();
            if (a === b || (typeof a !== typeof b && cmp(a, b) === 0)) return true;
          }
          return sawNull ? null : false;
        };
      }
      case 'match': {
        const s = this.value(e.subject);
        const test = this.patternTest(e.mode, e.patterns, e.caseInsensitive, undefined, e.span);
        return (d) => {
          const v = s(d);
          if (v === null) return null;
          return test(v);
        };
      }
      case 'cidr': {
        const s = this.value(e.subject);
        const test = cidrTest(e.blocks, e.span);
        return (d) => {
          const v = s(d);
          if (v === null) return null;
          return typeof v === 'string' && test(v);
        };
      }
      case 'range':
      case 'fieldPattern':
      case 'nested': {
        const p = this.predicate(e);
        return (d) => p(d);
      }
      case 'negate': {
        const v = this.value(e.operand);
        return (d) => {
          const x = v(d);
          return typeof x === 'number' ? -x : null;
        };
      }
      case 'arith':
        return this.arith(e.op, e.left, e.right, e.span);
      case 'call':
        return this.call(e);
    }
  }

  private classOf(e: Expr): TypeClass | undefined {
    if (e.kind === 'field') {
      const cls = this.ctx.bind(e).cls;
      return cls === 'loose' ? undefined : cls;
    }
    return undefined;
  }

  /** A value, with literals normalised to the comparison's type class (IP text, dates). */
  private typedValue(e: Expr, cls: TypeClass): ValueFn {
    if (e.kind === 'literal' && e.value !== null && (cls === 'ip' || cls === 'date' || cls === 'number')) {
      const n = literalFor(cls, e.value, e.span);
      return () => n;
    }
    return this.value(e);
  }

  private arith(op: '+' | '-' | '*' | '/' | '%', left: Expr, right: Expr, span: Span): ValueFn {
    const l = this.value(left);
    const r = this.value(right);
    const integral = this.integral(left) && this.integral(right);
    const num = (x: Scalar): number | null => (typeof x === 'number' ? x : null);
    void span;
    switch (op) {
      case '+':
        return (d) => {
          const a = num(l(d));
          const b = num(r(d));
          return a === null || b === null ? null : a + b;
        };
      case '-':
        return (d) => {
          const a = num(l(d));
          const b = num(r(d));
          return a === null || b === null ? null : a - b;
        };
      case '*':
        return (d) => {
          const a = num(l(d));
          const b = num(r(d));
          return a === null || b === null ? null : a * b;
        };
      case '/':
        return (d) => {
          const a = num(l(d));
          const b = num(r(d));
          if (a === null || b === null) return null;
          if (b === 0) return null;
          return integral && Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
        };
      case '%':
        return (d) => {
          const a = num(l(d));
          const b = num(r(d));
          if (a === null || b === null || b === 0) return null;
          return a % b;
        };
    }
  }

  private call(e: Expr & { kind: 'call' }): ValueFn {
    const args = e.args.map((a) => this.value(a));
    const ci = e.caseInsensitive;
    const a0 = args[0] as ValueFn;
    const a1 = args[1] as ValueFn;
    const a2 = args[2];
    const str = (x: Scalar): string | null => (x === null ? null : typeof x === 'string' ? x : String(x));
    const fold = ci ? (s: string) => s.toLowerCase() : (s: string) => s;
    switch (e.name) {
      case 'add':
      case 'subtract':
      case 'multiply':
      case 'divide':
      case 'modulo': {
        const op = ({ add: '+', subtract: '-', multiply: '*', divide: '/', modulo: '%' } as const)[e.name];
        return this.arith(op, e.args[0] as Expr, e.args[1] as Expr, e.span);
      }
      case 'between': {
        const greedyFn = args[3];
        return (d) => {
          const s = str(a0(d));
          const left = str(a1(d));
          const right = str((a2 as ValueFn)(d));
          const greedy = greedyFn ? greedyFn(d) : false;
          if (s === null || left === null || right === null || greedy === null) return null;
          const fs = fold(s);
          const i = fs.indexOf(fold(left));
          if (i < 0) return '';
          const from = i + left.length;
          const j = greedy === true ? fs.lastIndexOf(fold(right)) : fs.indexOf(fold(right), from);
          if (j < from) return '';
          return s.slice(from, j);
        };
      }
      case 'cidrMatch': {
        const blocks = args.slice(1);
        return (d) => {
          const ip = str(a0(d));
          if (ip === null) return null;
          for (const b of blocks) {
            const block = str(b(d));
            if (block === null) continue;
            const m = cidrMatcher(block);
            if (m && m(ip)) return true;
          }
          return false;
        };
      }
      case 'concat':
        return (d) => {
          let out = '';
          for (const a of args) {
            const v = a(d);
            if (v === null) return null;
            out += String(v);
          }
          return out;
        };
      case 'endsWith':
        return (d) => {
          const s = str(a0(d));
          const x = str(a1(d));
          return s === null || x === null ? null : fold(s).endsWith(fold(x));
        };
      case 'startsWith':
        return (d) => {
          const s = str(a0(d));
          const x = str(a1(d));
          return s === null || x === null ? null : fold(s).startsWith(fold(x));
        };
      case 'stringContains':
        return (d) => {
          const s = str(a0(d));
          const x = str(a1(d));
          return s === null || x === null ? null : fold(s).includes(fold(x));
        };
      case 'indexOf':
        return (d) => {
          const s = str(a0(d));
          const x = str(a1(d));
          if (s === null || x === null) return null;
          let start = 0;
          if (a2) {
            const st = a2(d);
            if (typeof st === 'number') start = Math.max(0, Math.trunc(st));
            else if (st !== null) return null;
          }
          const i = fold(s).indexOf(fold(x), start);
          return i < 0 ? null : i;
        };
      case 'length':
        return (d) => {
          const s = str(a0(d));
          return s === null ? null : s.length;
        };
      case 'number':
        return (d) => {
          const s = str(a0(d));
          if (s === null) return null;
          let base = 10;
          if (a1) {
            const b = a1(d);
            if (typeof b === 'number') base = b;
            else if (b !== null) return null;
          }
          return parseNumber(s, base);
        };
      case 'string':
        return (d) => str(a0(d));
      case 'match':
      case 'matchLite': {
        // Legacy: Python `re.match` semantics (anchored at the start only), any pattern.
        const res = e.args.slice(1).map((a) => {
          if (a.kind !== 'literal' || typeof a.value !== 'string') throw new CompileError(`${e.name} patterns must be string constants`, a.span);
          // This runs on JavaScript's backtracking RegExp: refuse the shapes that take exponential time.
          const hazard = backtrackingHazard(a.value);
          if (hazard) throw new CompileError(`Unsafe regex [${a.value}]: ${hazard.message}; rewrite it without nested repetition`, a.span);
          let re: RegExp;
          try {
            re = new RegExp(`^(?:${a.value})`, ci ? 'is' : 's');
          } catch (err) {
            throw new CompileError(`Invalid regex [${a.value}]: ${(err as Error).message}`, a.span);
          }
          // Accepted patterns can still be polynomial on RegExp (KQL's `a\**x*x*y` as `[\s\S]*` runs):
          // the linear-time automaton runs every one it can express, with RegExp's meaning.
          const linear = jsRegexAutomatonTest(a.value, ci);
          return linear ? { test: linear } : re;
        });
        return (d) => {
          const s = str(a0(d));
          if (s === null) return null;
          for (const re of res) if (re.test(s)) return true;
          return false;
        };
      }
      case 'wildcard': {
        const tests = e.args.slice(1).map((a) => {
          if (a.kind !== 'literal' || typeof a.value !== 'string') throw new CompileError('wildcard patterns must be string constants', a.span);
          return wildcardTest(a.value, ci);
        });
        return (d) => {
          const s = str(a0(d));
          if (s === null) return null;
          for (const t of tests) if (t(s)) return true;
          return false;
        };
      }
      case 'substring':
        return (d) => {
          const s = str(a0(d));
          const st = a1(d);
          const en = a2 ? a2(d) : null;
          if (s === null) return null;
          const len = s.length;
          let from = typeof st === 'number' ? Math.trunc(st) : 0;
          let to = typeof en === 'number' ? Math.trunc(en) : len;
          if (from < 0) from = Math.max(0, len + from);
          if (to < 0) to = Math.max(0, len + to);
          from = Math.min(from, len);
          to = Math.min(to, len);
          return from >= to ? '' : s.slice(from, to);
        };
      default:
        throw new CompileError(`Unknown function [${e.name}]`, e.span);
    }
  }
}

function cidrTest(blocks: string[], span: Span): (ip: string) => boolean {
  const ms = blocks.map((b) => {
    const m = cidrMatcher(b);
    if (!m) throw new CompileError(`[${b}] is not a valid CIDR block`, span);
    return m;
  });
  return (ip) => {
    for (const m of ms) if (m(ip)) return true;
    return false;
  };
}

/** `number(s, base)`: Elasticsearch accepts `0x` prefixes in base 16 and decimals in base 10. */
export function parseNumber(s: string, base: number): number | null {
  const t = s.trim();
  if (base === 10) {
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    return Number(t);
  }
  if (base < 2 || base > 36 || !Number.isInteger(base)) return null;
  let body = t;
  let sign = 1;
  if (body.startsWith('-')) {
    sign = -1;
    body = body.slice(1);
  } else if (body.startsWith('+')) body = body.slice(1);
  if (base === 16 && /^0x/i.test(body)) body = body.slice(2);
  if (!body) return null;
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  let n = 0;
  for (const c of body.toLowerCase()) {
    const v = digits.indexOf(c);
    if (v < 0) return null;
    n = n * base + v;
  }
  return sign * n;
}
