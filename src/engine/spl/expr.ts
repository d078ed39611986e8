/**
 * Search and eval expressions → closures, generic over what they read (a canonical event for the
 * first command, a result row afterwards).
 *
 * Search language (Splunk's rules): `field=value` compares values case-insensitively with `*`
 * wildcards, any value of a multivalue field may match, a missing field matches neither `=` nor
 * `!=` (only `NOT field=value` matches it), `field=*` means the field has a value.
 * Eval language (`where`, `eval`): case-sensitive, three-valued (null in, null out; only true keeps
 * a row in `where`).
 */
import type { Span } from '../ir.js';
import type { EvalExpr, SearchExpr } from './ast.js';
import { SplError } from './lexer.js';
import { pcreToRegExp, splRegexTest } from './regex.js';
import {
  compareValues,
  firstValue,
  likeRegExp,
  searchValueTest,
  strftime,
  toNumber,
  toText,
  valuesOf,
  type SplValue,
} from './values.js';

export type Getter<T> = (x: T) => SplValue;

export interface SearchResolver<T> {
  field(name: string, span: Span): Getter<T>;
  /** A bare term (free text); `*` is handled before this is asked. */
  term(value: string, span: Span): (x: T) => boolean;
}

export function compileSearch<T>(expr: SearchExpr, r: SearchResolver<T>): (x: T) => boolean {
  switch (expr.kind) {
    case 'and': {
      const ps = expr.terms.map((t) => compileSearch(t, r));
      return (x) => {
        for (const p of ps) if (!p(x)) return false;
        return true;
      };
    }
    case 'or': {
      const ps = expr.terms.map((t) => compileSearch(t, r));
      return (x) => {
        for (const p of ps) if (p(x)) return true;
        return false;
      };
    }
    case 'not': {
      const p = compileSearch(expr.operand, r);
      return (x) => !p(x);
    }
    case 'term': {
      if (expr.value === '*') return () => true;
      return r.term(expr.value, expr.span);
    }
    case 'in': {
      const get = r.field(expr.field, expr.fieldSpan);
      const tests = expr.values.map((v) => (v === '*' ? () => true : searchValueTest(v)));
      return (x) => valuesOf(get(x)).some((v) => tests.some((t) => t(v)));
    }
    case 'compare': {
      const get = r.field(expr.field, expr.fieldSpan);
      if (expr.op === '=' || expr.op === '!=') {
        const eq = expr.value === '*' ? () => true : searchValueTest(expr.value);
        if (expr.op === '=') return (x) => valuesOf(get(x)).some(eq);
        return (x) => {
          const vs = valuesOf(get(x));
          return vs.length > 0 && !vs.some(eq);
        };
      }
      const op = expr.op;
      const lit = expr.value;
      return (x) => valuesOf(get(x)).some((v) => ordered(op, compareValues(v, lit)));
    }
  }
}

function ordered(op: string, c: number): boolean {
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '=':
      return c === 0;
    default:
      return c !== 0;
  }
}

/** Every field name a search expression reads, with its span, in source order. */
export function searchFields(expr: SearchExpr | null, out: Array<{ name: string; span: Span }> = []): Array<{ name: string; span: Span }> {
  if (!expr) return out;
  switch (expr.kind) {
    case 'and':
    case 'or':
      for (const t of expr.terms) searchFields(t, out);
      break;
    case 'not':
      searchFields(expr.operand, out);
      break;
    case 'compare':
    case 'in':
      out.push({ name: expr.field, span: expr.fieldSpan });
      break;
    case 'term':
      break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// eval

type Scalar = string | number | boolean | null;
export type EvalFn<T> = (x: T) => SplValue;

const truthy = (v: SplValue): boolean | null => {
  const f = firstValue(v);
  if (f === null) return null;
  if (typeof f === 'boolean') return f;
  // Only booleans are conditions in eval; anything else used as one is not true.
  return null;
};

function scalar(v: SplValue): Scalar {
  return firstValue(v);
}

function eq(a: string | number | boolean, b: string | number | boolean): boolean {
  if (typeof a === 'boolean' || typeof b === 'boolean') return toText(a) === toText(b);
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x === y;
  return toText(a) === toText(b);
}

export function compileEval<T>(expr: EvalExpr, field: (name: string, span: Span) => Getter<T>): EvalFn<T> {
  const c = (e: EvalExpr) => compileEval(e, field);
  switch (expr.kind) {
    case 'literal': {
      const v = expr.value;
      return () => v;
    }
    case 'field':
      return field(expr.name, expr.span);
    case 'unary': {
      const f = c(expr.operand);
      if (expr.op === '-') {
        return (x) => {
          const n = toNumber(scalar(f(x)));
          return Number.isNaN(n) ? null : -n;
        };
      }
      return (x) => {
        const t = truthy(f(x));
        return t === null ? null : !t;
      };
    }
    case 'like': {
      const s = c(expr.subject);
      if (expr.pattern.kind === 'literal' && typeof expr.pattern.value === 'string') {
        const re = likeRegExp(expr.pattern.value);
        return (x) => {
          const vs = valuesOf(s(x));
          return vs.length ? vs.some((v) => re.test(toText(v))) : null;
        };
      }
      const p = c(expr.pattern);
      return (x) => {
        const pat = scalar(p(x));
        const vs = valuesOf(s(x));
        if (pat === null || !vs.length) return null;
        const re = likeRegExp(toText(pat));
        return vs.some((v) => re.test(toText(v)));
      };
    }
    case 'in': {
      const s = c(expr.subject);
      const vs = expr.values.map(c);
      return (x) => {
        const subject = valuesOf(s(x));
        if (!subject.length) return null;
        for (const v of vs) {
          const val = scalar(v(x));
          if (val !== null && subject.some((a) => eq(a, val))) return true;
        }
        return false;
      };
    }
    case 'binary':
      return compileBinary(expr.op, c(expr.left), c(expr.right), expr.span);
    case 'call':
      return compileCall(expr, c);
  }
}

function compileBinary<T>(op: string, l: EvalFn<T>, r: EvalFn<T>, span: Span): EvalFn<T> {
  switch (op) {
    case 'AND':
      return (x) => {
        const a = truthy(l(x));
        if (a === false) return false;
        const b = truthy(r(x));
        if (b === false) return false;
        return a === null || b === null ? null : true;
      };
    case 'OR':
      return (x) => {
        const a = truthy(l(x));
        if (a === true) return true;
        const b = truthy(r(x));
        if (b === true) return true;
        return a === null || b === null ? null : false;
      };
    case 'XOR':
      return (x) => {
        const a = truthy(l(x));
        const b = truthy(r(x));
        return a === null || b === null ? null : a !== b;
      };
    case '=':
    case '!=':
      return (x) => {
        const as = valuesOf(l(x));
        const b = scalar(r(x));
        if (!as.length || b === null) return null;
        // A multivalue field compares true when any of its values does.
        const any = as.some((a) => eq(a, b));
        return op === '=' ? any : !any;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (x) => {
        const as = valuesOf(l(x));
        const b = scalar(r(x));
        if (!as.length || b === null || typeof b === 'boolean') return null;
        return as.some((a) => ordered(op, compareValues(a, b)));
      };
    case '.':
      return (x) => {
        const a = scalar(l(x));
        const b = scalar(r(x));
        return a === null || b === null ? null : toText(a) + toText(b);
      };
    case '+':
      return (x) => {
        const a = scalar(l(x));
        const b = scalar(r(x));
        if (a === null || b === null) return null;
        const n = toNumber(a);
        const m = toNumber(b);
        if (!Number.isNaN(n) && !Number.isNaN(m)) return n + m;
        // `+` of two strings concatenates.
        return typeof a === 'string' && typeof b === 'string' ? a + b : null;
      };
    case '-':
    case '*':
    case '/':
    case '%':
      return (x) => {
        const n = toNumber(scalar(l(x)));
        const m = toNumber(scalar(r(x)));
        if (Number.isNaN(n) || Number.isNaN(m)) return null;
        if (op === '-') return n - m;
        if (op === '*') return n * m;
        if (m === 0) return null;
        return op === '/' ? n / m : n % m;
      };
    default:
      throw new SplError(`unknown operator ${op}`, span);
  }
}

function arity(expr: EvalExpr & { kind: 'call' }, min: number, max = min): void {
  if (expr.args.length < min || expr.args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new SplError(`${expr.name}() takes ${want} argument(s)`, expr.span, 'semantic');
  }
}

function compileCall<T>(expr: EvalExpr & { kind: 'call' }, c: (e: EvalExpr) => EvalFn<T>): EvalFn<T> {
  const args = expr.args.map(c);
  const a0 = args[0] as EvalFn<T>;
  const a1 = args[1] as EvalFn<T>;
  const a2 = args[2] as EvalFn<T>;
  const str = (f: EvalFn<T>, x: T): string | null => {
    const v = scalar(f(x));
    return v === null ? null : toText(v);
  };
  switch (expr.name) {
    case 'isnull':
      arity(expr, 1);
      return (x) => valuesOf(a0(x)).length === 0;
    case 'isnotnull':
      arity(expr, 1);
      return (x) => valuesOf(a0(x)).length > 0;
    case 'isnum':
      arity(expr, 1);
      return (x) => {
        const v = scalar(a0(x));
        return v !== null && typeof v !== 'boolean' && !Number.isNaN(toNumber(v));
      };
    case 'isstr':
      arity(expr, 1);
      return (x) => {
        const v = scalar(a0(x));
        return typeof v === 'string' && Number.isNaN(toNumber(v));
      };
    case 'len':
      arity(expr, 1);
      return (x) => {
        const s = str(a0, x);
        return s === null ? null : [...s].length;
      };
    case 'lower':
    case 'upper':
      arity(expr, 1);
      return (x) => {
        const v = a0(x);
        const map = (s: string | number) => (typeof s === 'string' ? (expr.name === 'lower' ? s.toLowerCase() : s.toUpperCase()) : s);
        if (Array.isArray(v)) return v.map(map);
        const s = scalar(v);
        return s === null ? null : typeof s === 'boolean' ? s : map(s);
      };
    case 'trim':
    case 'ltrim':
    case 'rtrim':
      arity(expr, 1, 2);
      return (x) => {
        const s = str(a0, x);
        if (s === null) return null;
        const chars = args[1] ? (str(a1, x) ?? ' \t') : ' \t';
        const set = new Set(chars);
        let i = 0;
        let j = s.length;
        if (expr.name !== 'rtrim') while (i < j && set.has(s[i] as string)) i++;
        if (expr.name !== 'ltrim') while (j > i && set.has(s[j - 1] as string)) j--;
        return s.slice(i, j);
      };
    case 'like':
      arity(expr, 2);
      return likeCall(a0, a1, expr.args[1] as EvalExpr);
    case 'match': {
      arity(expr, 2);
      const patternArg = expr.args[1] as EvalExpr;
      if (patternArg.kind !== 'literal' || typeof patternArg.value !== 'string') {
        throw new SplError('not supported: match() with a computed regular expression', expr.span, 'unsupported');
      }
      const re = splRegexTest(patternArg.value, patternArg.span);
      return (x) => {
        const vs = valuesOf(a0(x));
        return vs.length ? vs.some((v) => re.test(toText(v))) : null;
      };
    }
    case 'searchmatch':
      throw new SplError('not supported: searchmatch()', expr.span, 'unsupported');
    case 'if':
      arity(expr, 3);
      return (x) => {
        const t = truthy(a0(x));
        return t === true ? a1(x) : a2(x);
      };
    case 'case':
      if (expr.args.length % 2 !== 0) throw new SplError('case() takes condition/value pairs', expr.span, 'semantic');
      return (x) => {
        for (let i = 0; i < args.length; i += 2) if (truthy((args[i] as EvalFn<T>)(x)) === true) return (args[i + 1] as EvalFn<T>)(x);
        return null;
      };
    case 'coalesce':
      arity(expr, 1, Infinity);
      return (x) => {
        for (const f of args) {
          const v = f(x);
          if (valuesOf(v).length) return v;
        }
        return null;
      };
    case 'null':
      arity(expr, 0);
      return () => null;
    case 'true':
      arity(expr, 0);
      return () => true;
    case 'false':
      arity(expr, 0);
      return () => false;
    case 'tostring':
      arity(expr, 1, 2);
      return (x) => {
        const v = scalar(a0(x));
        return v === null ? null : toText(v);
      };
    case 'tonumber':
      arity(expr, 1, 2);
      return (x) => {
        const v = scalar(a0(x));
        if (v === null) return null;
        if (args[1]) {
          const base = toNumber(scalar(a1(x)));
          const n = parseInt(toText(v).replace(/^0x/i, ''), base);
          return Number.isNaN(n) ? null : n;
        }
        const n = toNumber(v);
        return Number.isNaN(n) ? null : n;
      };
    case 'abs':
    case 'round':
    case 'floor':
    case 'ceiling':
    case 'ceil':
      arity(expr, 1, expr.name === 'round' ? 2 : 1);
      return (x) => {
        const n = toNumber(scalar(a0(x)));
        if (Number.isNaN(n)) return null;
        if (expr.name === 'abs') return Math.abs(n);
        if (expr.name === 'floor') return Math.floor(n);
        if (expr.name === 'ceiling' || expr.name === 'ceil') return Math.ceil(n);
        const digits = args[1] ? toNumber(scalar(a1(x))) : 0;
        const f = 10 ** (Number.isNaN(digits) ? 0 : digits);
        return Math.round(n * f) / f;
      };
    case 'substr':
      arity(expr, 2, 3);
      return (x) => {
        const s = str(a0, x);
        const start = toNumber(scalar(a1(x)));
        if (s === null || Number.isNaN(start)) return null;
        const chars = [...s];
        // 1-based; a negative start counts from the end.
        const from = start > 0 ? start - 1 : start < 0 ? Math.max(0, chars.length + start) : 0;
        const len = args[2] ? toNumber(scalar(a2(x))) : chars.length;
        return chars.slice(from, from + (Number.isNaN(len) ? chars.length : len)).join('');
      };
    case 'replace': {
      arity(expr, 3);
      const patternArg = expr.args[1] as EvalExpr;
      if (patternArg.kind !== 'literal' || typeof patternArg.value !== 'string') {
        throw new SplError('not supported: replace() with a computed regular expression', expr.span, 'unsupported');
      }
      const global = pcreToRegExp(patternArg.value, patternArg.span, 'g');
      return (x) => {
        const s = str(a0, x);
        const r = str(a2, x);
        // PCRE's \1 back-references in the replacement become JavaScript's $1.
        return s === null || r === null ? null : s.replace(global, r.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1'));
      };
    }
    case 'split':
      arity(expr, 2);
      return (x) => {
        const s = str(a0, x);
        const sep = str(a1, x);
        if (s === null || sep === null) return null;
        return sep === '' ? [...s] : s.split(sep);
      };
    case 'mvcount':
      arity(expr, 1);
      return (x) => {
        const n = valuesOf(a0(x)).length;
        return n === 0 ? null : n;
      };
    case 'mvindex':
      arity(expr, 2, 3);
      return (x) => {
        const vs = valuesOf(a0(x));
        let i = toNumber(scalar(a1(x)));
        if (!vs.length || Number.isNaN(i)) return null;
        if (i < 0) i += vs.length;
        if (args[2]) {
          let j = toNumber(scalar(a2(x)));
          if (j < 0) j += vs.length;
          const out = vs.slice(i, j + 1);
          return out.length === 0 ? null : out.length === 1 ? (out[0] as string | number) : out;
        }
        return vs[i] ?? null;
      };
    case 'mvjoin':
      arity(expr, 2);
      return (x) => {
        const vs = valuesOf(a0(x));
        const sep = str(a1, x);
        return !vs.length || sep === null ? null : vs.map(toText).join(sep);
      };
    case 'mvappend':
      return (x) => {
        const out: Array<string | number> = [];
        for (const f of args) out.push(...valuesOf(f(x)));
        return out.length === 0 ? null : out.length === 1 ? (out[0] as string | number) : out;
      };
    case 'mvdedup':
      arity(expr, 1);
      return (x) => {
        const out = [...new Set(valuesOf(a0(x)))];
        return out.length === 0 ? null : out.length === 1 ? (out[0] as string | number) : out;
      };
    case 'in':
      arity(expr, 2, Infinity);
      return (x) => {
        const vs = valuesOf(a0(x));
        if (!vs.length) return null;
        for (const f of args.slice(1)) {
          const v = scalar(f(x));
          if (v !== null && vs.some((a) => eq(a, v))) return true;
        }
        return false;
      };
    case 'strftime':
      arity(expr, 2);
      return (x) => {
        const t = toNumber(scalar(a0(x)));
        const f = str(a1, x);
        return Number.isNaN(t) || f === null ? null : strftime(t, f);
      };
    case 'cidrmatch':
      arity(expr, 2);
      return (x) => {
        const cidr = str(a0, x);
        const ip = str(a1, x);
        if (cidr === null || ip === null) return null;
        return ipv4InCidr(ip, cidr);
      };
    default:
      throw new SplError(`not supported: eval function ${expr.name}()`, expr.span, 'unsupported');
  }
}

function likeCall<T>(subject: EvalFn<T>, pattern: EvalFn<T>, patternExpr: EvalExpr): EvalFn<T> {
  const fixed = patternExpr.kind === 'literal' && typeof patternExpr.value === 'string' ? likeRegExp(patternExpr.value) : undefined;
  return (x) => {
    const vs = valuesOf(subject(x));
    if (!vs.length) return null;
    let re = fixed;
    if (!re) {
      const p = firstValue(pattern(x));
      if (p === null) return null;
      re = likeRegExp(toText(p));
    }
    const r = re;
    return vs.some((v) => r.test(toText(v)));
  };
}

function ipv4InCidr(ip: string, cidr: string): boolean | null {
  const [base, bitsText] = cidr.split('/');
  const toInt = (s: string) => {
    const parts = s.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
  };
  const a = toInt(ip);
  const b = toInt(base ?? '');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}
