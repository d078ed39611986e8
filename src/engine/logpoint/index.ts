/**
 * LogPoint search queries (the search part, as MITRE CAR's LogPoint implementations write them):
 * `key=value` terms with `*` wildcards, quoted values, `!=` and ordering comparisons,
 * `key IN [v1, v2]`, `AND`/`OR`/`NOT`, parentheses and implicit AND. Value matching is
 * case-insensitive. The query lowers to the shared IR and compiles over the `logpoint` field view.
 * Commands after a `|` (`chart`, `timechart`, …) are not supported.
 */
import { binderFor } from '../../events/views/index.js';
import { CompileError } from '../compile.js';
import { compileIR } from '../query.js';
import { lineColumn, type Expr, type FieldRef, type QueryIR, type Span } from '../ir.js';
import type { CompileOptions, CompileResult } from '../types.js';

class LogpointError extends Error {
  constructor(
    message: string,
    public readonly span: Span,
    public readonly kind: 'syntax' | 'unsupported' = 'syntax',
  ) {
    super(message);
  }
}

type TokenType = 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'comma' | 'pipe' | 'eof';
interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
}

const BREAK = new Set([' ', '\t', '\r', '\n', '(', ')', '[', ']', ',', '=', '!', '<', '>', '"', '|']);

function lex(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    const single: Partial<Record<string, TokenType>> = { '(': 'lparen', ')': 'rparen', '[': 'lbracket', ']': 'rbracket', ',': 'comma', '|': 'pipe' };
    const t = single[c];
    if (t) {
      out.push({ type: t, value: c, start, end: ++i });
    } else if (c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new LogpointError('unterminated quoted value', { start, end: text.length });
        const d = text[i] as string;
        // Only a quote is escaped: backslashes in Windows paths are literal (`"*\wsmprovhost.exe"`).
        if (d === '\\' && text[i + 1] === '"') {
          value += '"';
          i += 2;
          continue;
        }
        if (d === '"') {
          i++;
          break;
        }
        value += d;
        i++;
      }
      out.push({ type: 'string', value, start, end: i });
    } else if (c === '=' || c === '!' || c === '<' || c === '>') {
      const two = text.slice(i, i + 2);
      const op = ['!=', '<=', '>=', '=='].includes(two) ? two : c;
      if (op === '!') throw new LogpointError('"!" must be followed by "="', { start, end: start + 1 });
      i += op.length;
      out.push({ type: 'op', value: op === '==' ? '=' : op, start, end: i });
    } else {
      while (i < text.length && !BREAK.has(text[i] as string)) i++;
      out.push({ type: 'word', value: text.slice(start, i), start, end: i });
    }
  }
  out.push({ type: 'eof', value: '', start: text.length, end: text.length });
  return out;
}

const isKeyword = (t: Token, kw: string) => t.type === 'word' && t.value.toUpperCase() === kw;

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  query(): Expr {
    const e = this.or();
    const t = this.peek();
    if (t.type === 'pipe') {
      const cmd = this.tokens[this.pos + 1] as Token;
      throw new LogpointError(`not supported: LogPoint command ${cmd.value || '|'}`, { start: t.start, end: cmd.end }, 'unsupported');
    }
    if (t.type !== 'eof') throw new LogpointError(`unexpected "${t.value}"`, t);
    return e;
  }

  private or(): Expr {
    const terms = [this.and()];
    while (isKeyword(this.peek(), 'OR')) {
      this.next();
      terms.push(this.and());
    }
    return terms.length === 1 ? (terms[0] as Expr) : { kind: 'or', terms, span: span(terms) };
  }

  private and(): Expr {
    const terms = [this.not()];
    for (;;) {
      const t = this.peek();
      if (isKeyword(t, 'AND')) {
        this.next();
        terms.push(this.not());
        continue;
      }
      if (t.type === 'eof' || t.type === 'rparen' || t.type === 'pipe' || isKeyword(t, 'OR')) break;
      terms.push(this.not());
    }
    return terms.length === 1 ? (terms[0] as Expr) : { kind: 'and', terms, span: span(terms) };
  }

  private not(): Expr {
    const t = this.peek();
    if (isKeyword(t, 'NOT')) {
      this.next();
      const operand = this.not();
      return { kind: 'not', operand, span: { start: t.start, end: operand.span.end } };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    if (t.type === 'lparen') {
      const inner = this.or();
      const close = this.next();
      if (close.type !== 'rparen') throw new LogpointError('missing )', t);
      return inner;
    }
    if (t.type !== 'word' && t.type !== 'string') throw new LogpointError(t.type === 'eof' ? 'the query ends too early' : `unexpected "${t.value}"`, t);
    const field: FieldRef = { kind: 'field', name: t.value, optional: false, span: { start: t.start, end: t.end } };
    const op = this.peek();
    if (op.type === 'op') {
      this.next();
      const v = this.next();
      if (v.type !== 'word' && v.type !== 'string') throw new LogpointError(`a value is missing after ${t.value}${op.value}`, op);
      const s = { start: t.start, end: v.end };
      if (op.value === '=' || op.value === '!=') {
        const eq = valueTest(field, v.value, s);
        return op.value === '=' ? eq : { kind: 'not', operand: eq, span: s };
      }
      const n = Number(v.value);
      const literal = { kind: 'literal' as const, value: v.value.trim() !== '' && !Number.isNaN(n) ? n : v.value, span: { start: v.start, end: v.end } };
      return { kind: 'compare', op: op.value as '<' | '<=' | '>' | '>=', left: field, right: literal, caseInsensitive: true, span: s };
    }
    if (isKeyword(op, 'IN') && this.tokens[this.pos + 1]?.type === 'lbracket') {
      this.next();
      this.next();
      const values: Expr[] = [];
      for (;;) {
        const v = this.next();
        if (v.type === 'rbracket') return values.length === 1 ? (values[0] as Expr) : { kind: 'or', terms: values, span: { start: t.start, end: v.end } };
        if (v.type === 'comma') continue;
        if (v.type !== 'word' && v.type !== 'string') throw new LogpointError('IN [ … ] is not closed', op);
        values.push(valueTest(field, v.value, { start: t.start, end: v.end }));
      }
    }
    throw new LogpointError(`not supported: the free-text term "${t.value}" (write field=value)`, t, 'unsupported');
  }
}

function span(terms: Expr[]): Span {
  return { start: (terms[0] as Expr).span.start, end: (terms[terms.length - 1] as Expr).span.end };
}

/** `field=value`: a wildcard match when the value has `*`, else case-insensitive equality. */
function valueTest(field: FieldRef, value: string, s: Span): Expr {
  if (value === '*') return { kind: 'exists', field, span: s };
  if (value.includes('*')) {
    // Backslashes are literal (Windows paths); `?` matches one character, as in the IR's wildcards.
    return { kind: 'match', mode: 'wildcard', subject: field, patterns: [value], caseInsensitive: true, span: s };
  }
  return { kind: 'compare', op: '==', left: field, right: { kind: 'literal', value, span: s }, caseInsensitive: true, span: s };
}

export function parseLogpoint(text: string): QueryIR {
  const condition = new Parser(lex(text)).query();
  return {
    root: { kind: 'event', category: null, categorySpan: { start: 0, end: 0 }, condition, span: { start: 0, end: text.length } },
    pipes: [],
    text,
  };
}

export function compileLogpoint(text: string, options: CompileOptions): CompileResult {
  try {
    const ir = parseLogpoint(text);
    return { ok: true, query: compileIR(ir, { ...options, binder: options.binder ?? binderFor(options.fieldView === 'ecs' ? 'logpoint' : options.fieldView) }) };
  } catch (e) {
    if (e instanceof LogpointError || e instanceof CompileError) {
      const { line, column } = lineColumn(text, e.span.start);
      return { ok: false, errors: [{ kind: e.kind, message: e.message, line, column }] };
    }
    throw e;
  }
}
