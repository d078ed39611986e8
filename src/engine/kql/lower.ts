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
 *  - `parent:{ … }` queries the nested field's sub-fields (approximated: conditions are not tied to
 *    one nested object).
 * Free-text terms without a field (Kibana's query over every field) are not supported.
 */
import type { FieldBinder, FieldType } from '../../events/types.js';
import type { Expr, FieldRef, Span } from '../ir.js';
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

function fieldRef(name: string, span: Span): FieldRef {
  return { kind: 'field', name, optional: false, span };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function words(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}_*]+/u).filter(Boolean);
}

/** A search for whole words (as the standard analyzer splits them), case-insensitive. */
function wordRegex(sequence: string[]): string {
  const body = sequence.map((w) => w.split('*').map(escapeRegex).join('\\w*')).join('\\W+');
  return `[\\s\\S]*?(?:^|\\W)${body}(?:\\W|$)`;
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
      case 'exists':
        return { kind: 'exists', field: fieldRef(this.fieldName(prefix, node.field, node.fieldSpan), node.fieldSpan), span: node.span };
      case 'nested':
        return this.lower(node.query, `${this.fieldName(prefix, node.field, node.fieldSpan)}.`);
      case 'range': {
        const name = this.fieldName(prefix, node.field, node.fieldSpan);
        const bound = { value: node.value.text, inclusive: node.op.endsWith('=') };
        return { kind: 'range', subject: fieldRef(name, node.fieldSpan), ...(node.op.startsWith('>') ? { lower: bound } : { upper: bound }), span: node.span };
      }
      case 'match': {
        const name = this.fieldName(prefix, node.field, node.fieldSpan);
        return this.values(name, node.fieldSpan, node.value);
      }
      case 'text':
        if (node.value.kind === 'value' && !node.value.quoted && node.value.text === '*') return { kind: 'literal', value: true, span: node.span };
        throw new KqlLowerError('free-text terms without a field (Kibana searches every field) are not supported; write field:value', node.span.start);
    }
  }

  private fieldName(prefix: string, field: string, span: Span): string {
    if (field.includes('*')) throw new KqlLowerError(`wildcard field names (${field}) are not supported`, span.start);
    return prefix + field;
  }

  private values(name: string, fieldSpan: Span, v: KqlValueExpr): Expr {
    switch (v.kind) {
      case 'and':
      case 'or':
        return { kind: v.kind, terms: v.terms.map((t) => this.values(name, fieldSpan, t)), span: v.span };
      case 'not':
        return { kind: 'not', operand: this.values(name, fieldSpan, v.operand), span: v.span };
      case 'value':
        return this.leaf(name, fieldSpan, v);
    }
  }

  private leaf(name: string, fieldSpan: Span, v: KqlValue): Expr {
    const subject = fieldRef(name, fieldSpan);
    const span = { start: fieldSpan.start, end: v.span.end };
    const type = this.binder.bind(name).type;
    if (TEXT_TYPES.has(type)) {
      const ws = words(v.text);
      if (!ws.length) return { kind: 'literal', value: false, span };
      const tests = v.quoted ? [wordRegex(ws)] : ws.map((w) => wordRegex([w]));
      const terms: Expr[] = tests.map((re) => ({ kind: 'call', name: 'match', args: [subject, { kind: 'literal', value: re, span }], caseInsensitive: true, span }));
      return terms.length === 1 ? (terms[0] as Expr) : { kind: 'or', terms, span };
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
