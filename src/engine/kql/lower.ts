/**
 * KQL AST → IR, with the semantics Elasticsearch gives the queries Kibana builds from it:
 *
 *  - keyword-like fields (keyword, wildcard, constant_keyword) and typed fields (numbers, ip, date,
 *    boolean): `field:value` is an exact, case-sensitive term query (typed values are parsed as the
 *    field's type, so `destination.port:443` compares numbers and an ip field takes CIDR blocks);
 *    an unquoted `*` makes a case-sensitive wildcard query; a quoted value never has wildcards;
 *  - text fields (`message`, `*.text`): analysed with the standard analyzer (lower-cased words):
 *    an unquoted value matches when any of its words occurs, a quoted value is a phrase;
 *  - `field:*` exists; ranges compare by the field's type; `field:(a or b)` distributes the field;
 *  - `parent:{ … }` is a nested query: its conditions must hold within one element of `parent`;
 *  - a wildcard field name (`process.*:x`) tries every field of the event it matches, each with its own
 *    type; a free-text term (`foo`, `"foo bar"`, `foo*`) does the same over every field (the default
 *    `index.query.default_field` of `*`), as Kibana's multi_match / query_string with no fields do.
 */
import type { FieldBinder, FieldType } from '../../events/types.js';
import { FIELD_PATTERN_SUBJECT, type Expr, type FieldRef, type Span } from '../ir.js';
import type { KqlNode, KqlValue, KqlValueExpr } from './parser.js';

export class KqlLowerError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
    public readonly kind: 'unsupported' | 'semantic' = 'unsupported',
  ) {
    super(message);
  }
}

const TEXT_TYPES = new Set<FieldType>(['text', 'match_only_text']);
const DATE_TYPES = new Set<FieldType>(['date']);

function fieldRef(name: string, span: Span): FieldRef {
  return { kind: 'field', name, optional: false, span };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/**
 * Tokens as the standard analyzer (Unicode word boundaries, UAX #29) makes them, lower-cased: runs of
 * letters, digits and `_`, where `.` `:` `'` between two letters and `.` `,` `;` `'` between two digits
 * do not break a word (`cmd.exe`, `10.0.0.1` are one token). `*` stays, as a wildcard.
 */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_*]+(?:(?:(?<=\p{L})[.:'’](?=\p{L})|(?<=\p{N})[.,;'’](?=\p{N}))[\p{L}\p{N}_*]+)*/gu) ?? [];
}

// Character classes of the document-side pattern, a Lucene regular expression (run as an automaton:
// linear in the value, any element of a multi-valued field). Letters: ASCII, and every code point from
// U+00C0 except the apostrophe U+2019 (an approximation of Unicode's letter classes).
const cp = (n: number) => String.fromCodePoint(n);
const LETTER = `a-zA-Z${cp(0xc0)}-${cp(0x2018)}${cp(0x201a)}-${cp(0x10ffff)}`;
const WORD = `${LETTER}0-9_`;
/** Characters that join two letters into one token (UAX #29 MidLetter / MidNumLet). */
const LETTER_JOIN = `\\.\\:\\'${cp(0x2019)}`;
/** Characters that join two digits (MidNum / MidNumLet). */
const DIGIT_JOIN = `\\.\\,\\;\\'${cp(0x2019)}`;
const ANY_JOIN = `\\.\\,\\;\\:\\'${cp(0x2019)}`;

type Edge = 'letter' | 'digit' | 'other' | 'wild';

function edge(ch: string): Edge {
  if (ch === '*') return 'wild';
  if (/[0-9]/.test(ch)) return 'digit';
  if (ch === '_') return 'other';
  return 'letter';
}

/** What may come before a token that starts with a character of this kind (nothing, or a break). */
function before(kind: Edge): string {
  if (kind === 'letter') return `(.*[^${WORD}${LETTER_JOIN}]|(.*[^${LETTER}])?[${LETTER_JOIN}])?`;
  if (kind === 'digit') return `(.*[^${WORD}${DIGIT_JOIN}]|(.*[^0-9])?[${DIGIT_JOIN}])?`;
  return `(.*[^${WORD}])?`;
}

function after(kind: Edge): string {
  if (kind === 'letter') return `([^${WORD}${LETTER_JOIN}].*|[${LETTER_JOIN}]([^${LETTER}].*)?)?`;
  if (kind === 'digit') return `([^${WORD}${DIGIT_JOIN}].*|[${DIGIT_JOIN}]([^0-9].*)?)?`;
  if (kind === 'wild') return `([^${WORD}${ANY_JOIN}].*|[${ANY_JOIN}]([^${WORD}].*)?)?`;
  return `([^${WORD}].*)?`;
}

/** Between two tokens of a phrase: a break, i.e. not a single joiner between letters (or digits). */
function between(last: Edge, first: Edge): string {
  if (last === 'letter' && first === 'letter') return `([^${WORD}][^${WORD}]+|[^${WORD}${LETTER_JOIN}])`;
  if (last === 'digit' && first === 'digit') return `([^${WORD}][^${WORD}]+|[^${WORD}${DIGIT_JOIN}])`;
  return `[^${WORD}]+`;
}

function tokenBody(token: string): string {
  return Array.from(token, (ch) => (ch === '*' ? `[${WORD}${ANY_JOIN}]*` : /[\p{L}\p{N}]/u.test(ch) ? ch : `\\${ch}`)).join('');
}

/**
 * A Lucene regular expression matching a whole value that holds the tokens in sequence (a phrase
 * when several), for a case-insensitive match.
 */
function tokenPattern(sequence: string[]): string {
  let out = before(edge((sequence[0] as string)[0] as string));
  sequence.forEach((token, i) => {
    if (i > 0) out += between(edge((sequence[i - 1] as string).slice(-1)), edge(token[0] as string));
    out += tokenBody(token);
  });
  const lastToken = sequence[sequence.length - 1] as string;
  return out + after(edge(lastToken.slice(-1)));
}

export class KqlLowering {
  constructor(private readonly binder: FieldBinder) {}

  lower(node: KqlNode, prefix = ''): Expr {
    switch (node.kind) {
      case 'and':
      case 'or':
        return { kind: node.kind, terms: node.terms.map((t) => this.lower(t, prefix)), span: node.span };
      case 'not':
        return { kind: 'not', operand: this.lower(node.operand, prefix), span: node.span };
      case 'exists': {
        const name = prefix + node.field;
        // Kibana turns `*:*` into match_all: every document, even one without fields.
        if (name === '*') return { kind: 'literal', value: true, span: node.span };
        if (isPattern(name)) return this.pattern(name, node.span, (subject) => ({ kind: 'exists', field: subject, span: node.span }));
        return { kind: 'exists', field: fieldRef(name, node.fieldSpan), span: node.span };
      }
      case 'nested': {
        const name = prefix + node.field;
        if (isPattern(name)) throw new KqlLowerError(`a nested query needs one field, not a pattern (${name})`, node.fieldSpan.start);
        // The parent is an object field: a view that types leaves only must not call it unknown.
        return { kind: 'nested', path: { kind: 'field', name, optional: true, span: node.fieldSpan }, condition: this.lower(node.query, `${name}.`), span: node.span };
      }
      case 'range': {
        const name = prefix + node.field;
        const bound = { value: node.value.text, inclusive: node.op.endsWith('=') };
        const range = (subject: FieldRef): Expr => ({ kind: 'range', subject, ...(node.op.startsWith('>') ? { lower: bound } : { upper: bound }), span: node.span });
        if (isPattern(name)) return this.pattern(name, node.span, range);
        if (/^now([+\-/]|$)/.test(node.value.text) && DATE_TYPES.has(this.binder.bind(name).type)) {
          throw new KqlLowerError(`date math (${node.value.text}) depends on when the rule runs, which a replay does not have; compare with a fixed date`, node.value.span.start);
        }
        return range(fieldRef(name, node.fieldSpan));
      }
      case 'match':
        return this.values(prefix + node.field, node.fieldSpan, node.value);
      case 'text':
        if (node.value.kind === 'value' && !node.value.quoted && node.value.text === '*') return { kind: 'literal', value: true, span: node.span };
        // Kibana sends a term without a field to every default field (`index.query.default_field`, `*`).
        return this.values('*', node.span, node.value);
    }
  }

  /** A test on every field matching `name`, with the analysed-text variant where it differs. */
  private pattern(name: string, span: Span, test: (subject: FieldRef) => Expr, textTest?: (subject: FieldRef) => Expr): Expr {
    const subject: FieldRef = { kind: 'field', name: FIELD_PATTERN_SUBJECT, optional: true, span };
    return { kind: 'fieldPattern', patterns: [name], condition: test(subject), ...(textTest ? { textCondition: textTest(subject) } : {}), span };
  }

  private values(name: string, fieldSpan: Span, v: KqlValueExpr): Expr {
    switch (v.kind) {
      case 'and':
      case 'or':
        return { kind: v.kind, terms: v.terms.map((t) => this.values(name, fieldSpan, t)), span: v.span };
      case 'not':
        return { kind: 'not', operand: this.values(name, fieldSpan, v.operand), span: v.span };
      case 'value': {
        const span = { start: Math.min(fieldSpan.start, v.span.start), end: Math.max(fieldSpan.end, v.span.end) };
        if (isPattern(name)) {
          return this.pattern(name, span, (subject) => this.leaf(subject, false, v, span), (subject) => this.leaf(subject, true, v, span));
        }
        return this.leaf(fieldRef(name, fieldSpan), TEXT_TYPES.has(this.binder.bind(name).type), v, span);
      }
    }
  }

  private leaf(subject: FieldRef, text: boolean, v: KqlValue, span: Span): Expr {
    if (text) {
      // A quoted `*` is punctuation to the analyzer, not a wildcard.
      const ws = words(v.quoted ? v.text.replace(/\*/g, ' ') : v.text);
      if (!ws.length) return { kind: 'literal', value: false, span };
      const patterns = v.quoted ? [tokenPattern(ws)] : ws.map((w) => tokenPattern([w]));
      return { kind: 'match', mode: 'regex', subject, patterns, caseInsensitive: true, span };
    }
    if (v.wildcard) {
      if (v.text === '*') return { kind: 'exists', field: subject, span };
      if (!v.pattern.includes('\\')) return { kind: 'match', mode: 'wildcard', subject, patterns: [v.pattern], caseInsensitive: false, span };
      // A literal * or ? beside wildcards: a regular expression says it exactly.
      const re = v.pattern.replace(/\\(.)|\*|([^*\\])/g, (_m, esc: string | undefined, ch: string | undefined) => (esc !== undefined ? escapeRegex(esc) : ch !== undefined ? escapeRegex(ch) : '[\\s\\S]*')) + '$';
      return { kind: 'call', name: 'match', args: [subject, { kind: 'literal', value: re, span }], caseInsensitive: false, span };
    }
    const literal = v.quoted || !/^(true|false)$/.test(v.text) ? v.text : v.text === 'true';
    return { kind: 'compare', op: '==', left: subject, right: { kind: 'literal', value: literal, span: v.span }, caseInsensitive: false, span };
  }
}

function isPattern(name: string): boolean {
  return name.includes('*');
}
