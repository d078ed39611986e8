/**
 * EQL tokenizer. Keeps every token's offsets so the parser can report line/column and the
 * lowering can attach source spans to IR nodes.
 */
import { EqlSyntaxError } from './errors.js';

export type TokenKind =
  | 'ident' // identifiers and keywords (keywords are recognised by the parser, case-insensitively)
  | 'tident' // identifier immediately followed by `~` (case-insensitive function / operator form)
  | 'qident' // `back-quoted` identifier
  | 'string'
  | 'number'
  | 'op' // punctuation and operators
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier text, unescaped string value, number text, or operator symbol. */
  value: string;
  start: number;
  end: number;
  /** Strings only: how the literal was written. */
  quote?: 'double' | 'single' | 'triple' | 'raw-double' | 'raw-single';
}

const OPERATORS = ['==', '!=', '<=', '>=', '![', '<', '>', '=', ':', '(', ')', '[', ']', ',', '.', '|', '+', '-', '*', '/', '%', '?', '~'];

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '@' || c > '\u007f';
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

export interface LexOptions {
  /** Legacy endgame dialect: single-quoted strings are ordinary strings. */
  endgame: boolean;
}

export function tokenize(text: string, options: LexOptions): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    // whitespace
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0' || c === '\ufeff') {
      i++;
      continue;
    }
    // comments
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) throw new EqlSyntaxError('unterminated comment: missing [*/]', text, i, 'syntax');
      i = close + 2;
      continue;
    }
    const start = i;
    // strings
    if (c === '"' && text.startsWith('"""', i)) {
      const close = text.indexOf('"""', i + 3);
      if (close < 0) throw new EqlSyntaxError('unterminated string: missing closing ["""]', text, i, 'syntax');
      // A raw string may end with more quotes than three: the extra ones belong to the value.
      let endQuote = close;
      while (text[endQuote + 3] === '"') endQuote++;
      tokens.push({ kind: 'string', value: text.slice(i + 3, endQuote), start, end: endQuote + 3, quote: 'triple' });
      i = endQuote + 3;
      continue;
    }
    if (c === '"' || c === "'") {
      const { value, end } = readQuoted(text, i, c);
      tokens.push({ kind: 'string', value, start, end, quote: c === '"' ? 'double' : 'single' });
      i = end;
      continue;
    }
    if (c === '?' && (text[i + 1] === '"' || text[i + 1] === "'")) {
      // Legacy raw string `?"…"`: no escapes except the quote itself.
      const q = text[i + 1] as string;
      let j = i + 2;
      let value = '';
      for (;;) {
        if (j >= n) throw new EqlSyntaxError(`unterminated string: missing closing [${q}]`, text, i, 'syntax');
        const d = text[j] as string;
        if (d === '\\' && text[j + 1] === q) {
          value += '\\' + q;
          j += 2;
          continue;
        }
        if (d === q) break;
        value += d;
        j++;
      }
      tokens.push({ kind: 'string', value, start, end: j + 1, quote: q === '"' ? 'raw-double' : 'raw-single' });
      i = j + 1;
      continue;
    }
    // numbers (a leading `.` counts only when no identifier precedes it: `a.5` is not a number)
    if (isDigit(c) || (c === '.' && isDigit(text[i + 1] ?? '') && !prevIsValue(tokens, text, i))) {
      let j = i;
      while (j < n && isDigit(text[j] as string)) j++;
      if (text[j] === '.' && isDigit(text[j + 1] ?? '')) {
        j++;
        while (j < n && isDigit(text[j] as string)) j++;
      } else if (text[j] === '.' && !isIdentStart(text[j + 1] ?? '')) {
        j++;
      }
      if ((text[j] === 'e' || text[j] === 'E') && (isDigit(text[j + 1] ?? '') || ((text[j + 1] === '+' || text[j + 1] === '-') && isDigit(text[j + 2] ?? '')))) {
        j += 2;
        while (j < n && isDigit(text[j] as string)) j++;
      }
      // `5s` style time units are lexed as number + identifier by the parser's caller
      tokens.push({ kind: 'number', value: text.slice(i, j), start, end: j });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(text[j] as string)) j++;
      if (text[j] === '~') {
        tokens.push({ kind: 'tident', value: text.slice(i, j), start, end: j + 1 });
        i = j + 1;
      } else {
        tokens.push({ kind: 'ident', value: text.slice(i, j), start, end: j });
        i = j;
      }
      continue;
    }
    if (c === '`') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= n) throw new EqlSyntaxError('unterminated quoted identifier: missing closing [`]', text, i, 'syntax');
        if (text[j] === '`') {
          if (text[j + 1] === '`') {
            value += '`';
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: 'qident', value, start, end: j + 1 });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', value: op, start, end: i + op.length });
      i += op.length;
      continue;
    }
    throw new EqlSyntaxError(`token recognition error at: '${c}'`, text, i, 'syntax');
  }
  tokens.push({ kind: 'eof', value: '<EOF>', start: n, end: n });
  return tokens;
}

function prevIsValue(tokens: Token[], text: string, at: number): boolean {
  const prev = tokens[tokens.length - 1];
  if (!prev || prev.end !== at) return false;
  return prev.kind === 'ident' || prev.kind === 'qident' || (prev.kind === 'op' && (prev.value === ']' || prev.value === ')'));
}

function readQuoted(text: string, at: number, quote: string): { value: string; end: number } {
  let j = at + 1;
  let value = '';
  for (;;) {
    if (j >= text.length || text[j] === '\n' || text[j] === '\r') {
      throw new EqlSyntaxError(`unterminated string: missing closing [${quote}]`, text, at, 'syntax');
    }
    const d = text[j] as string;
    if (d === quote) return { value, end: j + 1 };
    if (d !== '\\') {
      value += d;
      j++;
      continue;
    }
    const e = text[j + 1];
    switch (e) {
      case '\\':
        value += '\\';
        break;
      case '"':
        value += '"';
        break;
      case "'":
        value += "'";
        break;
      case 'n':
        value += '\n';
        break;
      case 'r':
        value += '\r';
        break;
      case 't':
        value += '\t';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'u': {
        // `\u{XXXX}` (Elasticsearch) or `\uXXXX`
        const braced = /^\\u\{([0-9a-fA-F]{1,8})\}/.exec(text.slice(j, j + 12));
        const plain = /^\\u([0-9a-fA-F]{4})/.exec(text.slice(j, j + 6));
        const m = braced ?? plain;
        if (!m) throw new EqlSyntaxError(`Invalid unicode escape sequence in [${text.slice(j, j + 8)}]`, text, j, 'syntax');
        const code = parseInt(m[1] as string, 16);
        if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
          throw new EqlSyntaxError(`Invalid unicode character code [${m[1]}]`, text, j, 'syntax');
        }
        value += String.fromCodePoint(code);
        j += m[0].length;
        continue;
      }
      default:
        throw new EqlSyntaxError(`Unknown escape sequence [\\${e ?? ''}] in string`, text, j, 'syntax');
    }
    j += 2;
  }
}
