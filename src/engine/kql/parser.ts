/**
 * KQL (Kibana Query Language) parser, following Kibana's kuery grammar:
 *
 *   or     := and ('or' and)*            and := not ('and' not)*          not := 'not' not | sub
 *   sub    := '(' or ')' | field ':' '{' or '}' | field rangeOp value | field ':' values | values
 *   values := '(' valueOr ')' | value      valueOr/valueAnd/valueNot: the same boolean grammar over values
 *   value  := "quoted phrase" | unquoted literal (may contain spaces and `*`; `\` escapes)
 *
 * Keywords (`and`, `or`, `not`) are case-insensitive, need whitespace around them as in Kibana's
 * grammar (`not` only after it), and end an unquoted literal. Offsets are 0-based into the query text.
 */

export interface KqlSpan {
  start: number;
  end: number;
}

export interface KqlValue {
  kind: 'value';
  /** Text after unescaping. */
  text: string;
  quoted: boolean;
  /** Unquoted `*` positions are wildcards: the text with wildcards as written, escapes as `\x`. */
  pattern: string;
  wildcard: boolean;
  span: KqlSpan;
}

export type KqlValueExpr =
  | KqlValue
  | { kind: 'and' | 'or'; terms: KqlValueExpr[]; span: KqlSpan }
  | { kind: 'not'; operand: KqlValueExpr; span: KqlSpan };

export type KqlNode =
  | { kind: 'and' | 'or'; terms: KqlNode[]; span: KqlSpan }
  | { kind: 'not'; operand: KqlNode; span: KqlSpan }
  | { kind: 'match'; field: string; fieldSpan: KqlSpan; value: KqlValueExpr; span: KqlSpan }
  | { kind: 'exists'; field: string; fieldSpan: KqlSpan; span: KqlSpan }
  | { kind: 'range'; field: string; fieldSpan: KqlSpan; op: '<' | '<=' | '>' | '>='; value: KqlValue; span: KqlSpan }
  | { kind: 'nested'; field: string; fieldSpan: KqlSpan; query: KqlNode; span: KqlSpan }
  | { kind: 'text'; value: KqlValueExpr; span: KqlSpan };

export class KqlSyntaxError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
  ) {
    super(message);
  }
}

const SPECIAL = new Set(['\\', '(', ')', ':', '<', '>', '"', '{', '}']);

const WHITESPACE_ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n' };

/** `\uXXXX` at `pos`, as Kibana's EscapedUnicodeSequence. */
function unicodeEscape(text: string, pos: number): string | undefined {
  const hex = /^u([0-9a-fA-F]{4})/.exec(text.slice(pos + 1, pos + 6));
  return hex ? String.fromCharCode(parseInt(hex[1] as string, 16)) : undefined;
}

/**
 * An escape in an unquoted value (Kibana's grammar): `\t` `\r` `\n`, `\uXXXX`, a special character
 * (`\ ( ) : < > " * { }`) or a keyword (`\and`, `\or`, `\not`); anything else is a syntax error.
 * Returns the text and the length consumed.
 */
function unquotedEscape(text: string, pos: number): [string, number] {
  const n = text[pos + 1];
  if (n === undefined) throw new KqlSyntaxError('a backslash at the end of the query escapes nothing', pos);
  const ws = WHITESPACE_ESCAPES[n];
  if (ws) return [ws, 2];
  const unicode = unicodeEscape(text, pos);
  if (unicode !== undefined) return [unicode, 6];
  if ('\\():<>"*{}'.includes(n)) return [n, 2];
  const keyword = /^(and|or|not)/i.exec(text.slice(pos + 1, pos + 4));
  if (keyword) return [keyword[0], 1 + keyword[0].length];
  throw new KqlSyntaxError(`"\\${n}" is not an escape in an unquoted value (escape only \\ ( ) : < > " * { }, whitespace, \\uXXXX and keywords); quote the value or write \\\\`, pos);
}

/**
 * An escape in a quoted value (Kibana's grammar): `\"` `\\`, `\t` `\r` `\n`, `\uXXXX`. Any other
 * backslash is itself: `"C:\Windows"` is C, colon, backslash, Windows.
 */
function quotedEscape(text: string, pos: number): [string, number] {
  const n = text[pos + 1];
  if (n === '"' || n === '\\') return [n, 2];
  const ws = n === undefined ? undefined : WHITESPACE_ESCAPES[n];
  if (ws) return [ws, 2];
  const unicode = unicodeEscape(text, pos);
  if (unicode !== undefined) return [unicode, 6];
  return ['\\', 1];
}

export function parseKql(text: string): KqlNode | null {
  let pos = 0;
  const ws = () => {
    while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
  };
  const keywordAt = (kw: string): boolean => {
    const s = text.slice(pos, pos + kw.length);
    if (s.toLowerCase() !== kw) return false;
    // Kibana's grammar: `Or = Space+ 'or'i Space+`, `And = Space+ 'and'i Space+`, `Not = 'not'i Space+`
    // (so `a or(b)`, `"x"and "y"` and `not(a)` are syntax errors there, and here).
    const after = text[pos + kw.length];
    if (after === undefined || !/\s/.test(after)) return false;
    const before = pos === 0 ? undefined : (text[pos - 1] as string);
    if (kw === 'not') return before === undefined || /[\s({]/.test(before);
    return before !== undefined && /\s/.test(before);
  };
  const eat = (c: string) => {
    ws();
    if (text[pos] !== c) throw new KqlSyntaxError(`expected "${c}"${pos < text.length ? ` but found "${text[pos]}"` : ' but the query ends'}`, pos);
    pos++;
  };

  /** An unquoted literal: up to a special character or a keyword; trailing spaces trimmed. */
  const unquoted = (): KqlValue => {
    const start = pos;
    let textOut = '';
    let pattern = '';
    let wildcard = false;
    let end = pos;
    while (pos < text.length) {
      const c = text[pos] as string;
      if (c === '\\') {
        const [lit, length] = unquotedEscape(text, pos);
        textOut += lit;
        pattern += lit.replace(/[*?\\]/g, (m) => `\\${m}`);
        pos += length;
        end = pos;
        continue;
      }
      if (SPECIAL.has(c)) break;
      if (/\s/.test(c)) {
        // A keyword after whitespace ends the literal.
        let j = pos;
        while (j < text.length && /\s/.test(text[j] as string)) j++;
        const save = pos;
        pos = j;
        const kw = keywordAt('and') || keywordAt('or') || keywordAt('not');
        pos = save;
        if (kw || j >= text.length || (SPECIAL.has(text[j] as string) && text[j] !== '\\')) break;
        textOut += text.slice(pos, j);
        pattern += text.slice(pos, j);
        pos = j;
        continue;
      }
      if (c === '*') {
        wildcard = true;
        textOut += c;
        pattern += c;
      } else {
        textOut += c;
        pattern += c === '?' ? '\\?' : c;
      }
      pos++;
      end = pos;
    }
    if (end === start) throw new KqlSyntaxError(pos < text.length ? `unexpected "${text[pos]}"` : 'the query ends where a value was expected', pos);
    return { kind: 'value', text: textOut, quoted: false, pattern, wildcard, span: { start, end } };
  };

  const quoted = (): KqlValue => {
    const start = pos;
    pos++;
    let out = '';
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\') {
        const [lit, length] = quotedEscape(text, pos);
        out += lit;
        pos += length;
        continue;
      }
      out += text[pos];
      pos++;
    }
    if (text[pos] !== '"') throw new KqlSyntaxError('the quoted value is not closed', start);
    pos++;
    const pattern = out.replace(/[\\*?]/g, (m) => `\\${m}`);
    return { kind: 'value', text: out, quoted: true, pattern, wildcard: false, span: { start, end: pos } };
  };

  const value = (): KqlValue => {
    ws();
    return text[pos] === '"' ? quoted() : unquoted();
  };

  // ---- boolean grammar over values (inside field:( … )) ----
  const valueOr = (): KqlValueExpr => {
    const first = valueAnd();
    const terms = [first];
    for (;;) {
      ws();
      if (!keywordAt('or')) break;
      pos += 2;
      terms.push(valueAnd());
    }
    return terms.length === 1 ? first : { kind: 'or', terms, span: { start: first.span.start, end: (terms[terms.length - 1] as KqlValueExpr).span.end } };
  };
  const valueAnd = (): KqlValueExpr => {
    const first = valueNot();
    const terms = [first];
    for (;;) {
      ws();
      if (!keywordAt('and')) break;
      pos += 3;
      terms.push(valueNot());
    }
    return terms.length === 1 ? first : { kind: 'and', terms, span: { start: first.span.start, end: (terms[terms.length - 1] as KqlValueExpr).span.end } };
  };
  const valueNot = (): KqlValueExpr => {
    ws();
    if (keywordAt('not')) {
      const start = pos;
      pos += 3;
      const operand = valueNot();
      return { kind: 'not', operand, span: { start, end: operand.span.end } };
    }
    if (text[pos] === '(') {
      const start = pos;
      pos++;
      const inner = valueOr();
      eat(')');
      return { ...inner, span: { start, end: pos } };
    }
    return value();
  };

  // ---- queries ----
  const orQuery = (): KqlNode => {
    const first = andQuery();
    const terms = [first];
    for (;;) {
      ws();
      if (!keywordAt('or')) break;
      pos += 2;
      terms.push(andQuery());
    }
    return terms.length === 1 ? first : { kind: 'or', terms, span: { start: first.span.start, end: (terms[terms.length - 1] as KqlNode).span.end } };
  };
  const andQuery = (): KqlNode => {
    const first = notQuery();
    const terms = [first];
    for (;;) {
      ws();
      if (!keywordAt('and')) break;
      pos += 3;
      terms.push(notQuery());
    }
    return terms.length === 1 ? first : { kind: 'and', terms, span: { start: first.span.start, end: (terms[terms.length - 1] as KqlNode).span.end } };
  };
  const notQuery = (): KqlNode => {
    ws();
    if (keywordAt('not')) {
      const start = pos;
      pos += 3;
      const operand = notQuery();
      return { kind: 'not', operand, span: { start, end: operand.span.end } };
    }
    return subQuery();
  };
  const subQuery = (): KqlNode => {
    ws();
    const start = pos;
    if (text[pos] === '(') {
      pos++;
      const inner = orQuery();
      eat(')');
      return { ...inner, span: { start, end: pos } };
    }
    // A field name followed by `:`, `<`, `>`; otherwise free text.
    const fieldMatch = /^(?:"((?:[^"\\]|\\.)*)"|((?:[^\s\\():<>"{}*]|\\.|\*)+))\s*(:|<=|>=|<|>)/.exec(text.slice(pos));
    if (fieldMatch && !((fieldMatch[2] ?? '').toLowerCase() === 'not' && fieldMatch[3] !== ':')) {
      const rawField = fieldMatch[1] ?? (fieldMatch[2] as string);
      const field = rawField.replace(/\\(.)/g, '$1');
      const fieldSpan = { start: pos, end: pos + (fieldMatch[1] !== undefined ? rawField.length + 2 : rawField.length) };
      const op = fieldMatch[3] as string;
      pos += fieldMatch[0].length;
      if (op !== ':') {
        const v = value();
        return { kind: 'range', field, fieldSpan, op: op as '<' | '<=' | '>' | '>=', value: v, span: { start, end: v.span.end } };
      }
      ws();
      if (text[pos] === '{') {
        pos++;
        const query = orQuery();
        eat('}');
        return { kind: 'nested', field, fieldSpan, query, span: { start, end: pos } };
      }
      if (text[pos] === '*' && (pos + 1 >= text.length || /[\s)]/.test(text[pos + 1] as string))) {
        pos++;
        return { kind: 'exists', field, fieldSpan, span: { start, end: pos } };
      }
      if (text[pos] === '(') {
        const open = pos;
        pos++;
        const v = valueOr();
        eat(')');
        return { kind: 'match', field, fieldSpan, value: { ...v, span: v.kind === 'value' ? v.span : { start: open, end: pos } }, span: { start, end: pos } };
      }
      const v = value();
      return { kind: 'match', field, fieldSpan, value: v, span: { start, end: v.span.end } };
    }
    const v = value();
    return { kind: 'text', value: v, span: v.span };
  };

  ws();
  if (pos >= text.length) return null;
  const node = orQuery();
  ws();
  if (pos < text.length) throw new KqlSyntaxError(`unexpected "${text[pos]}"`, pos);
  return node;
}
